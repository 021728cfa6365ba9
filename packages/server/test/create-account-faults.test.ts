// The create-account saga under faults: each step failing in each way it can (refused, throttled,
// done but its answer lost), the undo itself failing, and the process stopping between steps.
// After the request, or after `reconcile`, no account may exist in only one store, and every
// account that got a 201 must be able to sign in.

import { setTimeout as sleep } from "node:timers/promises";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import type { LightMyRequestResponse } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cognitoIdentity, type Identity } from "../src/cognito/identity.ts";
import { type Account, type AccountStore, openAccountStore } from "../src/db/index.ts";
import { poolUsers, type ReconcileOptions, reconcile } from "../src/reconcile.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
  createActiveAccount,
  latestCode,
  PASSWORD,
  signIn,
  startLocalCognito,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

let emulator: RunningEmulator;
let cognito: CognitoIdentityProviderClient;
let store: AccountStore;
const logger = pino({ level: "silent" });
/**
 * Every email that got a 201, with the account id and password it was created with: all must sign
 * in at the end (with the id: their emails are not proven).
 */
const created = new Map<string, { id: string; password: string }>();

beforeAll(async () => {
  emulator = await startLocalCognito();
  cognito = adminClient(emulator);
  store = await openAccountStore({ inMemory: true });
}, 60_000);

afterAll(async () => {
  await store?.close();
  cognito?.destroy();
  await emulator?.stop();
});

const cognitoError = (name: string, message = name) => Object.assign(new Error(message), { name });
const throttled = () => cognitoError("TooManyRequestsException", "Rate exceeded");
/** What the SDK throws when the request went out but no answer came back in time. */
const timedOut = () => cognitoError("TimeoutError", "socket hang up");

async function cognitoUsersWithEmail(email: string) {
  const { Users } = await cognito.send(
    new ListUsersCommand({ UserPoolId: localPool.userPoolId, Filter: `email = "${email}"` }),
  );
  return Users ?? [];
}

/** The email's one account is in both stores (row made, user CONFIRMED), or it is in neither. */
async function expectWholeOrAbsent(email: string): Promise<"whole" | "absent"> {
  const rows = await store.listByEmail(email);
  const users = await cognitoUsersWithEmail(email);
  if (rows.length === 0) {
    expect(users.map((u) => u.Username)).toEqual([]);
    return "absent";
  }
  expect(rows).toHaveLength(1);
  const [row] = rows as [Account];
  expect(["unverified", "active"]).toContain(row.status);
  expect(users.map((u) => [u.Username, u.UserStatus])).toEqual([[row.id, "CONFIRMED"]]);
  return "whole";
}

/** A 5xx is only ever one of the two documented problems, with a problem body. */
function expectDocumentedFailure(response: LightMyRequestResponse, status: 500 | 503) {
  expect(response.statusCode).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body.code).toBe(status === 503 ? "identity_unavailable" : "internal");
  expect(body.status).toBe(status);
  if (status === 503) expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
  expect(response.body).not.toContain(PASSWORD);
}

async function apiWith(
  parts: { identity?: (base: Identity) => Identity; store?: AccountStore; now?: () => number },
  env: Record<string, string> = {},
): Promise<Api> {
  return createApi(testConfig(emulator, env), {
    logger,
    store: parts.store ?? store,
    ...(parts.identity ? { wrapIdentity: parts.identity } : {}),
    ...(parts.now ? { now: parts.now } : {}),
  });
}

async function post(api: Api, email: string, password = PASSWORD) {
  const response = await api.app.inject({
    method: "POST",
    url: "/accounts",
    payload: { name: "Saga", email, password },
  });
  if (response.statusCode === 201) created.set(email, { id: response.json().id, password });
  return response;
}

async function withApi<T>(api: Api, run: (api: Api) => Promise<T>): Promise<T> {
  try {
    return await run(api);
  } finally {
    await api.close();
  }
}

type Wrap = (base: Identity) => Identity;

/** What reconcile compares the database with: this file's local pool. */
function reconcileTargets(): Pick<ReconcileOptions, "identity" | "users"> {
  return {
    identity: cognitoIdentity({
      client: cognito,
      userPoolId: localPool.userPoolId,
      clientId: localPool.clientId,
      passwordSetup: "set-password",
    }),
    users: () => poolUsers(cognito, localPool.userPoolId),
  };
}

describe("a fault at one step: the request fails with a documented problem and leaves nothing", () => {
  const cases: [string, Wrap, 500 | 503][] = [
    [
      "AdminCreateUser is throttled",
      (base) => ({ ...base, createUser: () => Promise.reject(throttled()) }),
      503,
    ],
    [
      "AdminCreateUser is refused for good",
      (base) => ({
        ...base,
        createUser: () => Promise.reject(cognitoError("InvalidParameterException")),
      }),
      500,
    ],
    [
      // The user was made, but the answer never arrived: the undo must still remove it.
      "AdminCreateUser succeeds but its answer is lost",
      (base) => ({
        ...base,
        createUser: async (id, email) => {
          await base.createUser(id, email);
          throw timedOut();
        },
      }),
      503,
    ],
    [
      "setting the permanent password is throttled",
      (base) => ({ ...base, setPermanentPassword: () => Promise.reject(throttled()) }),
      503,
    ],
    [
      "setting the permanent password succeeds but its answer is lost",
      (base) => ({
        ...base,
        setPermanentPassword: async (id, password, temporary) => {
          await base.setPermanentPassword(id, password, temporary);
          throw timedOut();
        },
      }),
      503,
    ],
  ];

  for (const setup of ["set-password", "challenge"]) {
    it.each(cases)(`PASSWORD_SETUP=${setup}: %s`, async (_label, wrap, status) => {
      await withApi(await apiWith({ identity: wrap }, { PASSWORD_SETUP: setup }), async (api) => {
        const email = uniqueEmail("fault");
        expectDocumentedFailure(await post(api, email), status);
        expect(await expectWholeOrAbsent(email)).toBe("absent");
        // Nothing half made blocks the email: a retry without the fault succeeds.
        await withApi(await apiWith({}, { PASSWORD_SETUP: setup }), async (clean) => {
          expect((await post(clean, email)).statusCode).toBe(201);
        });
        expect(await expectWholeOrAbsent(email)).toBe("whole");
      });
    });
  }

  it("the database refuses the pending row: 500, and nothing reaches Cognito", async () => {
    const failing: AccountStore = {
      ...store,
      insertPending: () => Promise.reject(new Error("connection terminated unexpectedly")),
    };
    await withApi(await apiWith({ store: failing }), async (api) => {
      const email = uniqueEmail("insertfault");
      const response = await post(api, email);
      expectDocumentedFailure(response, 500);
      expect(response.body).not.toContain("connection terminated");
      expect(await expectWholeOrAbsent(email)).toBe("absent");
    });
  });

  it("the database fails to finish the row: 500, and the Cognito user is removed too", async () => {
    const failing: AccountStore = {
      ...store,
      markUnverified: () => Promise.reject(new Error("connection terminated unexpectedly")),
    };
    await withApi(await apiWith({ store: failing }), async (api) => {
      const email = uniqueEmail("activatefault");
      expectDocumentedFailure(await post(api, email), 500);
      expect(await expectWholeOrAbsent(email)).toBe("absent");
    });
  });
});

const future = () => new Date(Date.now() + 10 * 60_000);

describe("the undo itself fails", () => {
  it("leaves the pending row for reconcile; a retry makes the account anew at once", async () => {
    const broken: Wrap = (base) => ({
      ...base,
      setPermanentPassword: () => Promise.reject(throttled()),
      deleteUser: () => Promise.reject(throttled()),
    });
    const email = uniqueEmail("undofault");
    await withApi(await apiWith({ identity: broken }), async (api) => {
      expectDocumentedFailure(await post(api, email), 503);
    });
    // Both halves are still there, and nobody can sign in with the temporary password.
    const [left] = (await store.listByEmail(email)) as [Account];
    expect(left.status).toBe("pending");
    expect((await cognitoUsersWithEmail(email)).map((u) => u.UserStatus)).toEqual([
      "FORCE_CHANGE_PASSWORD",
    ]);

    const retryPassword = "Retry-Passw0rd-7";
    await withApi(await apiWith({}), async (api) => {
      const response = await post(api, email, retryPassword);
      expect(response.statusCode).toBe(201);
      const token = await signIn(cognito, response.json().id, retryPassword);
      expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
    });
    // Reconcile removes what the failed attempt left, and only that.
    const actions = await reconcile({ store, ...reconcileTargets(), apply: true, now: future() });
    expect(actions.filter((a) => a.accountId === left.id).map((a) => a.kind)).toEqual([
      "delete-pending-row",
    ]);
    expect(await expectWholeOrAbsent(email)).toBe("whole");
  });
});

describe("the process stops between steps", () => {
  type Stage = "row only" | "user in FORCE_CHANGE_PASSWORD" | "user CONFIRMED";
  const stages: Stage[] = ["row only", "user in FORCE_CHANGE_PASSWORD", "user CONFIRMED"];
  const CRASHED_PASSWORD = "Crashed-Passw0rd-3";

  /** The state a crash after each step leaves, built directly. */
  async function crashedAt(stage: Stage, email = uniqueEmail("crash")) {
    const id = crypto.randomUUID();
    await store.insertPending({ id, email, name: "Crashed" });
    if (stage !== "row only") {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: localPool.userPoolId,
          Username: id,
          MessageAction: "SUPPRESS",
          TemporaryPassword: "Temp-Passw0rd-1",
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "false" },
          ],
        }),
      );
    }
    if (stage === "user CONFIRMED") {
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: localPool.userPoolId,
          Username: id,
          Password: CRASHED_PASSWORD,
          Permanent: true,
        }),
      );
    }
    return { id, email };
  }

  it.each(stages)(
    "%s: a retry makes the account at once; the crashed one never blocks it",
    async (stage) => {
      const { id, email } = await crashedAt(stage);
      const retryPassword = "Retried-Passw0rd-5";
      await withApi(await apiWith({}), async (api) => {
        const response = await post(api, email, retryPassword);
        expect(response.statusCode).toBe(201);
        expect(response.json().id).not.toBe(id);
      });
      expect((await store.findById(id))?.status).toBe("pending");
      await reconcile({ store, ...reconcileTargets(), apply: true, now: future() });
      expect(await store.findById(id)).toBeNull();
      expect(await expectWholeOrAbsent(email)).toBe("whole");
    },
  );

  it("reconcile lists the repairs in a dry run, applies them, and then finds nothing", async () => {
    const rowOnly = await crashedAt("row only");
    const stuck = await crashedAt("user in FORCE_CHANGE_PASSWORD");
    const finished = await crashedAt("user CONFIRMED");
    const orphanEmail = uniqueEmail("orphan");
    const orphanId = crypto.randomUUID();
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: localPool.userPoolId,
        Username: orphanId,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: orphanEmail }],
      }),
    );
    const options: Omit<ReconcileOptions, "apply"> = { store, ...reconcileTargets() };
    // The pool and the database are shared with other tests in this file: look at ours only.
    const mine = new Set<string>([rowOnly.id, stuck.id, finished.id, orphanId]);
    const ours = (actions: { accountId: string; kind: string }[]) =>
      Object.fromEntries(
        actions.filter((a) => mine.has(a.accountId)).map((a) => [a.accountId, a.kind]),
      );

    // Now: all of it is younger than five minutes and may be in flight, so nothing is listed.
    expect(ours(await reconcile({ ...options, apply: false }))).toEqual({});

    const dry = await reconcile({ ...options, apply: false, now: future() });
    expect(ours(dry)).toEqual({
      [rowOnly.id]: "delete-pending-row",
      [stuck.id]: "delete-pending-row",
      // Nobody was told its id, and its email signs nobody in: nobody could ever use it.
      [finished.id]: "delete-pending-row",
      [orphanId]: "delete-orphan-cognito-user",
    });
    // The dry run changed nothing.
    expect((await store.findById(rowOnly.id))?.status).toBe("pending");
    expect(await cognitoUsersWithEmail(orphanEmail)).toHaveLength(1);

    const applied = await reconcile({ ...options, apply: true, now: future() });
    expect(ours(applied)).toEqual(ours(dry));
    for (const crashed of [rowOnly, stuck, finished]) {
      expect(await expectWholeOrAbsent(crashed.email)).toBe("absent");
    }
    expect(await cognitoUsersWithEmail(orphanEmail)).toEqual([]);
    expect(ours(await reconcile({ ...options, apply: true, now: future() }))).toEqual({});
  });

  it("spares a pending row that its creation finishes while reconcile runs, and its user", async () => {
    const stuck = await crashedAt("user CONFIRMED");
    await sleep(300);
    // The creation finishes between reconcile listing the row and deleting it.
    const racing: AccountStore = {
      ...store,
      deleteStalePending: async (id, before) => {
        if (id === stuck.id) await store.markUnverified(id, crypto.randomUUID());
        return store.deleteStalePending(id, before);
      },
    };
    const options: ReconcileOptions = {
      store: racing,
      ...reconcileTargets(),
      apply: true,
      olderThanMs: 200,
    };
    const actions = await reconcile(options);
    expect(actions.filter((a) => a.accountId === stuck.id).map((a) => a.kind)).toEqual([
      "delete-pending-row",
    ]);
    // Neither store lost its half.
    expect((await store.findById(stuck.id))?.status).toBe("unverified");
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: stuck.id }),
    );
    expect(user.UserStatus).toBe("CONFIRMED");
    created.set(stuck.email, { id: stuck.id, password: CRASHED_PASSWORD });
  });
});

describe("registrations nobody proves", () => {
  /** Reconcile as it sees one account alone (the file's other accounts are older than it). */
  function onlyAccount(id: string): Omit<ReconcileOptions, "apply" | "now"> {
    const targets = reconcileTargets();
    return {
      store: {
        ...store,
        listPending: async () => [],
        listUnverifiedToRemove: async (before) =>
          (await store.listUnverifiedToRemove(before)).filter((row) => row.id === id),
        listBrief: async () => (await store.listBrief()).filter((row) => row.id === id),
      },
      identity: targets.identity,
      users: async function* () {
        for await (const user of targets.users()) if (user.username === id) yield user;
      },
    };
  }

  it("reconcile removes an unverified registration after 24 hours, from both stores", async () => {
    const email = uniqueEmail("unproven");
    const id = await withApi(await apiWith({}), async (api) => (await post(api, email)).json().id);
    created.delete(email);
    const kinds = async (now: Date) =>
      (await reconcile({ ...onlyAccount(id), apply: true, now })).map((a) => a.kind);
    expect(await kinds(new Date(Date.now() + 23 * 3600_000))).toEqual([]);
    expect(await store.findById(id)).not.toBeNull();
    expect(await kinds(new Date(Date.now() + 25 * 3600_000))).toEqual([
      "delete-unverified-registration",
    ]);
    expect(await expectWholeOrAbsent(email)).toBe("absent");
  });

  it("reconcile removes a registration that lost its email when its removal failed, and gives the owner the alias back", async () => {
    const email = uniqueEmail("lost");
    const failingDelete: Wrap = (base) => ({
      ...base,
      deleteUser: () => Promise.reject(throttled()),
    });
    let loser = "";
    await withApi(await apiWith({ identity: failingDelete }), async (api) => {
      loser = (await post(api, email)).json().id;
      created.delete(email);
      const owner = await createActiveAccount(api.app, emulator, cognito, email);
      expect(owner.account.status).toBe("active");
      // The loser's tokens are refused already, though its removal failed.
      expect((await store.findById(loser))?.status).toBe("unverified");
    });
    // Its removal failed: the row and the user are left, and a stolen alias would be too.
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: localPool.userPoolId,
        Username: (await store.findActiveByEmail(email))?.id,
        UserAttributes: [{ Name: "email_verified", Value: "false" }],
      }),
    );
    const actions = await reconcile({ store, ...reconcileTargets(), apply: true, now: future() });
    const owner = (await store.findActiveByEmail(email)) as Account;
    expect(
      Object.fromEntries(
        actions
          .filter((a) => a.accountId === loser || a.accountId === owner.id)
          .map((a) => [a.accountId, a.kind]),
      ),
    ).toEqual({
      [loser]: "delete-unverified-registration",
      [owner.id]: "restore-email-alias",
    });
    expect(await store.findById(loser)).toBeNull();
    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: loser })),
    ).rejects.toMatchObject({ name: "UserNotFoundException" });
    expect(await signIn(cognito, email)).toEqual(expect.any(String));
    created.set(email, { id: owner.id, password: PASSWORD });
  });

  it("reconcile activates a registration Cognito has verified when the last step was lost", async () => {
    const email = uniqueEmail("halfverified");
    const lostActivation: AccountStore = {
      ...store,
      activate: () => Promise.reject(new Error("connection terminated unexpectedly")),
    };
    await withApi(await apiWith({ store: lostActivation }), async (api) => {
      const id = (await post(api, email)).json().id;
      const token = await signIn(cognito, id);
      const response = await api.app.inject({
        method: "POST",
        url: "/me/email-verification",
        headers: bearer(token),
        payload: { code: latestCode(emulator, id) },
      });
      expectDocumentedFailure(response, 500);
    });
    const id = created.get(email)?.id as string;
    expect((await store.findById(id))?.status).toBe("unverified");
    const actions = await reconcile({ store, ...reconcileTargets(), apply: true, now: future() });
    expect(actions.filter((a) => a.accountId === id).map((a) => a.kind)).toEqual([
      "activate-verified-row",
    ]);
    expect((await store.findById(id))?.status).toBe("active");
  });
});

describe("a delete interrupted between the stores", () => {
  it("the row left behind is refused at once, and reconcile removes it so the email is free", async () => {
    const failing: AccountStore = {
      ...store,
      delete: () => Promise.reject(new Error("connection terminated unexpectedly")),
    };
    const email = uniqueEmail("halfdeleted");
    await withApi(await apiWith({ store: failing }), async (api) => {
      const { token } = await createActiveAccount(api.app, emulator, cognito, email);
      const response = await api.app.inject({
        method: "DELETE",
        url: "/me",
        headers: bearer(token),
      });
      expectDocumentedFailure(response, 500);
      // The Cognito user is gone, so nobody can sign in; the row alone lets nothing through.
      await expect(signIn(cognito, email)).rejects.toThrow();
      expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(401);
    });
    const id = (await store.findActiveByEmail(email))?.id as string;
    const actions = await reconcile({ store, ...reconcileTargets(), apply: true, now: future() });
    expect(actions.filter((a) => a.accountId === id).map((a) => a.kind)).toEqual([
      "delete-row-without-cognito-user",
    ]);
    expect(await expectWholeOrAbsent(email)).toBe("absent");
    await withApi(await apiWith({}), async (api) => {
      expect((await post(api, email)).statusCode).toBe(201);
    });
  });
});

describe("over the whole file", () => {
  it("every account that got a 201 (or was repaired) is whole and signs in", async () => {
    expect(created.size).toBeGreaterThan(10);
    for (const [email, { id, password }] of created) {
      expect(await expectWholeOrAbsent(email)).toBe("whole");
      expect(await signIn(cognito, id, password)).toEqual(expect.any(String));
    }
  });
});
