import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Identity } from "../src/cognito/identity.ts";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { localPool } from "../src/pool-settings.ts";
import { poolUsers, reconcile } from "../src/reconcile.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
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

/** A Cognito failure that retrying does not fix in time (throttling). */
const throttled = () =>
  Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });

async function cognitoUsersWithEmail(email: string) {
  const { Users } = await cognito.send(
    new ListUsersCommand({ UserPoolId: localPool.userPoolId, Filter: `email = "${email}"` }),
  );
  return Users ?? [];
}

/** No account exists in only one store. */
async function expectNothingHalfMade(email: string) {
  const row = await store.findByEmail(email);
  const users = await cognitoUsersWithEmail(email);
  if (row === null) expect(users).toEqual([]);
  else {
    expect(row.status).toBe("active");
    expect(users.map((u) => u.Username)).toEqual([row.id]);
  }
}

async function apiWith(parts: {
  identity?: (base: Identity) => Identity;
  store?: AccountStore;
  now?: () => number;
}) {
  return createApi(testConfig(emulator), {
    logger,
    store: parts.store ?? store,
    ...(parts.identity ? { wrapIdentity: parts.identity } : {}),
    ...(parts.now ? { now: parts.now } : {}),
  });
}

const post = (api: Api, email: string, password = PASSWORD) =>
  api.app.inject({ method: "POST", url: "/accounts", payload: { name: "Saga", email, password } });

describe("a fault at each step of account creation", () => {
  it.each([
    [
      "AdminCreateUser is throttled",
      (base: Identity): Identity => ({
        ...base,
        createUser: async () => Promise.reject(throttled()),
      }),
      503,
    ],
    [
      "setting the password fails",
      (base: Identity): Identity => ({
        ...base,
        setPermanentPassword: async () => Promise.reject(throttled()),
      }),
      503,
    ],
  ])("%s: the request fails cleanly and leaves nothing behind", async (_label, wrap, status) => {
    const api = await apiWith({ identity: wrap });
    const email = uniqueEmail("fault");
    const response = await post(api, email);
    expect(response.statusCode).toBe(status);
    expect(response.json().code).toBe("identity_unavailable");
    expect(response.headers["retry-after"]).toBe("5");
    await expectNothingHalfMade(email);
    expect(await store.findByEmail(email)).toBeNull();
    await api.close();
  });

  it("the database fails to activate the row: the Cognito user is removed too", async () => {
    const failing: AccountStore = {
      ...store,
      activate: async () => Promise.reject(new Error("connection lost")),
    };
    const api = await apiWith({ store: failing });
    const email = uniqueEmail("dbfault");
    const response = await post(api, email);
    expect(response.statusCode).toBe(500);
    expect(response.json().code).toBe("internal");
    expect(response.body).not.toContain("connection lost");
    await expectNothingHalfMade(email);
    await api.close();
  });

  it("the database is down before anything: nothing reaches Cognito", async () => {
    const failing: AccountStore = {
      ...store,
      insertPending: async () => Promise.reject(new Error("db down")),
    };
    const api = await apiWith({ store: failing });
    const email = uniqueEmail("dbdown");
    expect((await post(api, email)).statusCode).toBe(500);
    expect(await cognitoUsersWithEmail(email)).toEqual([]);
    await api.close();
  });
});

describe("after a crash between steps", () => {
  async function halfMade(confirmed: boolean) {
    const email = uniqueEmail("crash");
    const id = crypto.randomUUID();
    await store.insertPending({ id, email, name: "Crashed" });
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
    if (confirmed) {
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: localPool.userPoolId,
          Username: id,
          Password: "Other-Passw0rd-2",
          Permanent: true,
        }),
      );
    }
    return { id, email };
  }

  it("a retry while the creation may still be in flight is refused; a later retry completes it", async () => {
    const { email } = await halfMade(false);
    const now = await apiWith({});
    expect((await post(now, email)).statusCode).toBe(409);
    await now.close();
    const later = await apiWith({ now: () => Date.now() + 60_000 });
    const response = await post(later, email);
    expect(response.statusCode).toBe(201);
    await later.close();
    await expectNothingHalfMade(email);
    expect(await signIn(cognito, email, PASSWORD)).toEqual(expect.any(String));
  });

  it("reconcile reports in a dry run, then repairs, then finds nothing", async () => {
    const stuck = await halfMade(false);
    const finished = await halfMade(true);
    const orphanEmail = uniqueEmail("orphan");
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: localPool.userPoolId,
        Username: crypto.randomUUID(),
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: orphanEmail }],
      }),
    );
    const identity = (await import("../src/cognito/identity.ts")).cognitoIdentity({
      client: cognito,
      userPoolId: localPool.userPoolId,
      clientId: localPool.clientId,
      passwordSetup: "set-password",
    });
    const options = {
      store,
      identity,
      users: () => poolUsers(cognito, localPool.userPoolId),
      now: new Date(Date.now() + 10 * 60_000),
    };
    const dry = await reconcile({ ...options, apply: false });
    const byId = (id: string) => dry.find((a) => a.accountId === id)?.kind;
    expect(byId(stuck.id)).toBe("delete-pending-row");
    expect(byId(finished.id)).toBe("finish-pending-row");
    expect(dry.some((a) => a.kind === "delete-orphan-cognito-user")).toBe(true);
    expect((await store.findById(stuck.id))?.status).toBe("pending");

    await reconcile({ ...options, apply: true });
    expect(await store.findById(stuck.id)).toBeNull();
    expect(await cognitoUsersWithEmail(stuck.email)).toEqual([]);
    expect((await store.findById(finished.id))?.status).toBe("active");
    expect(await signIn(cognito, finished.email, "Other-Passw0rd-2")).toEqual(expect.any(String));
    expect(await cognitoUsersWithEmail(orphanEmail)).toEqual([]);
    await expectNothingHalfMade(finished.email);
    expect(await reconcile({ ...options, apply: true })).toEqual([]);
  });
});
