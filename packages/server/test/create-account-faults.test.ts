// The create-account saga under faults: each step failing in each way it can (refused, throttled,
// done but its answer lost), the undo itself failing, and the process stopping between steps.
// After the request, or after `reconcile`, no account may exist in only one store, and every
// account that got a 201 must be able to sign in.

import { setTimeout as sleep } from "node:timers/promises";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import type { LightMyRequestResponse } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cognitoIdentity, type Identity } from "../src/cognito/identity.ts";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { poolUsers, type ReconcileOptions, reconcile } from "../src/reconcile.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
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
/** Every email that got a 201, with the password it was created with: all must sign in at the end. */
const created = new Map<string, string>();

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

/** The account is in both stores (row active, user CONFIRMED) or in neither. */
async function expectWholeOrAbsent(email: string): Promise<"whole" | "absent"> {
  const row = await store.findByEmail(email);
  const users = await cognitoUsersWithEmail(email);
  if (row === null) {
    expect(users.map((u) => u.Username)).toEqual([]);
    return "absent";
  }
  expect(row.status).toBe("active");
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
  if (response.statusCode === 201) created.set(email, password);
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

  it("the database fails to activate the row: 500, and the Cognito user is removed too", async () => {
    const failing: AccountStore = {
      ...store,
      activate: () => Promise.reject(new Error("connection terminated unexpectedly")),
    };
    await withApi(await apiWith({ store: failing }), async (api) => {
      const email = uniqueEmail("activatefault");
      expectDocumentedFailure(await post(api, email), 500);
      expect(await expectWholeOrAbsent(email)).toBe("absent");
    });
  });
});

describe("the undo itself fails", () => {
  it("keeps the row pending so a later retry finishes the account with the retry's password", async () => {
    const broken: Wrap = (base) => ({
      ...base,
      setPermanentPassword: () => Promise.reject(throttled()),
      deleteUser: () => Promise.reject(throttled()),
    });
    const email = uniqueEmail("undofault");
    await withApi(await apiWith({ identity: broken }), async (api) => {
      expectDocumentedFailure(await post(api, email), 503);
    });
    // Both halves are still there, and nobody can sign in with either password yet.
    expect((await store.findByEmail(email))?.status).toBe("pending");
    expect((await cognitoUsersWithEmail(email)).map((u) => u.UserStatus)).toEqual([
      "FORCE_CHANGE_PASSWORD",
    ]);
    await expect(signIn(cognito, email)).rejects.toThrow();

    const retryPassword = "Retry-Passw0rd-7";
    await withApi(await apiWith({}), async (api) => {
      expect((await post(api, email, retryPassword)).statusCode).toBe(409);
    });
    await withApi(await apiWith({ now: () => Date.now() + 60_000 }), async (later) => {
      const response = await post(later, email, retryPassword);
      expect(response.statusCode).toBe(201);
      expect(await expectWholeOrAbsent(email)).toBe("whole");
      const token = await signIn(cognito, email, retryPassword);
      expect((await later.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
    });
  });
});

describe("the process stops between steps", () => {
  type Stage = "row only" | "user in FORCE_CHANGE_PASSWORD" | "user CONFIRMED";
  const stages: Stage[] = ["row only", "user in FORCE_CHANGE_PASSWORD", "user CONFIRMED"];
  const CRASHED_PASSWORD = "Crashed-Passw0rd-3";

  /** The state a crash after each step leaves, built directly. */
  async function crashedAt(stage: Stage) {
    const email = uniqueEmail("crash");
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
            { Name: "email_verified", Value: "true" },
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
    "%s: a retry in flight is refused, a later one completes with its own password",
    async (stage) => {
      const { id, email } = await crashedAt(stage);
      const retryPassword = "Retried-Passw0rd-5";
      await withApi(await apiWith({}), async (api) => {
        const early = await post(api, email, retryPassword);
        expect(early.statusCode).toBe(409);
        expect(early.json().code).toBe("email_taken");
      });
      expect((await store.findById(id))?.status).toBe("pending");

      await withApi(await apiWith({ now: () => Date.now() + 60_000 }), async (later) => {
        const response = await post(later, email, retryPassword);
        expect(response.statusCode).toBe(201);
        expect(response.json().name).toBe("Saga");
        // Two retries racing cannot both take the row over.
        expect((await post(later, email, retryPassword)).statusCode).toBe(409);
      });
      expect(await expectWholeOrAbsent(email)).toBe("whole");
      expect(await signIn(cognito, email, retryPassword)).toEqual(expect.any(String));
      if (stage === "user CONFIRMED") {
        await expect(signIn(cognito, email, CRASHED_PASSWORD)).rejects.toThrow();
      }
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
    const future = new Date(Date.now() + 10 * 60_000);
    // The pool and the database are shared with other tests in this file: look at ours only.
    const mine = new Set<string>([rowOnly.id, stuck.id, finished.id, orphanId]);
    const ours = (actions: { accountId: string; kind: string }[]) =>
      Object.fromEntries(
        actions.filter((a) => mine.has(a.accountId)).map((a) => [a.accountId, a.kind]),
      );

    // Now: all of it is younger than five minutes and may be in flight, so nothing is listed.
    expect(ours(await reconcile({ ...options, apply: false }))).toEqual({});

    const dry = await reconcile({ ...options, apply: false, now: future });
    expect(ours(dry)).toEqual({
      [rowOnly.id]: "delete-pending-row",
      [stuck.id]: "delete-pending-row",
      [finished.id]: "finish-pending-row",
      [orphanId]: "delete-orphan-cognito-user",
    });
    // The dry run changed nothing.
    expect((await store.findById(rowOnly.id))?.status).toBe("pending");
    expect((await store.findById(finished.id))?.status).toBe("pending");
    expect(await cognitoUsersWithEmail(orphanEmail)).toHaveLength(1);

    const applied = await reconcile({ ...options, apply: true, now: future });
    expect(ours(applied)).toEqual(ours(dry));
    expect(await expectWholeOrAbsent(rowOnly.email)).toBe("absent");
    expect(await expectWholeOrAbsent(stuck.email)).toBe("absent");
    expect(await expectWholeOrAbsent(finished.email)).toBe("whole");
    expect(await cognitoUsersWithEmail(orphanEmail)).toEqual([]);
    // The repaired account works with the password its user chose before the crash.
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: finished.id }),
    );
    expect((await store.findById(finished.id))?.cognitoSub).toBe(
      user.UserAttributes?.find((a) => a.Name === "sub")?.Value,
    );
    created.set(finished.email, CRASHED_PASSWORD);

    expect(ours(await reconcile({ ...options, apply: true, now: future }))).toEqual({});
  });

  it("spares a pending row that a retry takes over while reconcile runs, and its user", async () => {
    const stuck = await crashedAt("user in FORCE_CHANGE_PASSWORD");
    await sleep(300);
    // A retry claims the row between reconcile listing it and deleting it.
    const racing: AccountStore = {
      ...store,
      deleteStalePending: async (id, before) => {
        if (id === stuck.id) await store.claimStalePending(id, new Date(), "Retry");
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
    // Neither store lost its half: the retry can still finish the account.
    expect((await store.findById(stuck.id))?.name).toBe("Retry");
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: stuck.id }),
    );
    expect(user.UserStatus).toBe("FORCE_CHANGE_PASSWORD");

    // Left alone, a later run removes both.
    await sleep(300);
    await reconcile({ ...options, store });
    expect(await expectWholeOrAbsent(stuck.email)).toBe("absent");
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
      expect((await post(api, email)).statusCode).toBe(201);
      created.delete(email);
      const token = await signIn(cognito, email);
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
    const id = (await store.findByEmail(email))?.id as string;
    const options: ReconcileOptions = {
      store,
      ...reconcileTargets(),
      apply: true,
      now: new Date(Date.now() + 10 * 60_000),
    };
    const actions = await reconcile(options);
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
    for (const [email, password] of created) {
      expect(await expectWholeOrAbsent(email)).toBe("whole");
      expect(await signIn(cognito, email, password)).toEqual(expect.any(String));
    }
  });
});
