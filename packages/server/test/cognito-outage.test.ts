// Cognito unreachable, hanging, throttling, or doing a call whose answer is lost, through the real
// SDK (its retries and timeouts): POST /accounts answers 503 within a bounded time or succeeds,
// and no account is left in only one store once the client retries as told.
import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { type Api, createApi } from "../src/start-api.ts";
import { type CognitoGate, startCognitoGate } from "./cognito-gate.ts";
import {
  adminClient,
  bearer,
  PASSWORD,
  rowByEmail,
  signIn,
  startLocalCognito,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

let emulator: RunningEmulator;
let gate: CognitoGate;
let cognito: CognitoIdentityProviderClient;
let store: AccountStore;
const logger = pino({ level: "silent" });
const apis: Api[] = [];

beforeAll(async () => {
  [emulator, store] = await Promise.all([
    startLocalCognito(),
    openAccountStore({ inMemory: true }),
  ]);
  gate = await startCognitoGate(emulator.url);
  cognito = adminClient(emulator);
}, 60_000);
afterEach(() => gate.heal());
afterAll(async () => {
  for (const api of apis) await api.close();
  cognito?.destroy();
  await gate?.close();
  await store?.close();
  await emulator?.stop();
});

/** An API reaching Cognito through the gate; `skewMs` moves its clock (a later retry). */
async function api(env: Record<string, string> = {}, skewMs = 0): Promise<Api> {
  const made = await createApi(testConfig(emulator, { COGNITO_ENDPOINT: gate.url, ...env }), {
    logger,
    store,
    now: () => Date.now() + skewMs,
  });
  apis.push(made);
  return made;
}

const post = (target: Api, email: string) =>
  target.app.inject({
    method: "POST",
    url: "/accounts",
    payload: { name: "Outage", email, password: PASSWORD },
  });

async function usersWithEmail(email: string) {
  const { Users } = await cognito.send(
    new ListUsersCommand({ UserPoolId: localPool.userPoolId, Filter: `email = "${email}"` }),
  );
  return Users ?? [];
}

/** Retrying as told (after Retry-After) completes the account, which then signs in. */
async function retryCompletes(email: string, retryAfterSeconds: number) {
  const later = await api({}, retryAfterSeconds * 1000);
  const response = await post(later, email);
  expect(response.statusCode).toBe(201);
  const row = await store.findById(response.json().id);
  expect(row?.status).toBe("unverified");
  expect((await usersWithEmail(email)).map((u) => [u.Username, u.UserStatus])).toContainEqual([
    row?.id,
    "CONFIRMED",
  ]);
  const token = await signIn(cognito, response.json().id);
  expect((await later.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
}

describe("Cognito down", () => {
  it.each(["refuse", "hang"] as const)(
    "%s: 503 identity_unavailable within a bounded time; the retry the client is told to make completes",
    async (fault) => {
      const target = await api();
      const email = uniqueEmail(`down-${fault}`);
      gate.fail("*", fault);
      const started = Date.now();
      const response = await post(target, email);
      const took = Date.now() - started;
      gate.heal();
      expect(response.statusCode).toBe(503);
      expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe("identity_unavailable");
      // AdminCreateUser and the undo's AdminDeleteUser, each cut off at its 2.5 s deadline.
      expect(took).toBeLessThan(6_500);
      // The undo could not reach Cognito either: the row stays pending (reconcile removes it),
      // and a retry after Retry-After makes the account anew.
      const retryAfter = Number(response.headers["retry-after"]);
      expect((await rowByEmail(store, email))?.status).toBe("pending");
      expect(retryAfter).toBeGreaterThan(0);
      await retryCompletes(email, retryAfter);
    },
    20_000,
  );

  it("reports not ready while Cognito is unreachable, and ready again after", async () => {
    const target = await api();
    gate.fail("*", "refuse");
    const down = await target.app.inject({ url: "/readyz" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: "unavailable", database: "ok", identity: "unavailable" });
    gate.heal();
    expect((await target.app.inject({ url: "/readyz" })).statusCode).toBe(200);
  });
});

describe("transient failures are retried within the request", () => {
  it.each([
    ["AdminCreateUser", "throttle"],
    ["AdminCreateUser", "refuse"],
    ["AdminSetUserPassword", "throttle"],
  ] as const)("%s: %s twice, then 201", async (operation, fault) => {
    const target = await api();
    const email = uniqueEmail("flaky");
    gate.fail(operation, fault, 2);
    const response = await post(target, email);
    expect(response.statusCode).toBe(201);
    expect(gate.seen.filter((op) => op === operation).length).toBeGreaterThanOrEqual(3);
    expect(await signIn(cognito, response.json().id)).toEqual(expect.any(String));
  });

  it("throttled for longer than the retries last: 503, and nothing is left", async () => {
    const target = await api();
    const email = uniqueEmail("throttled");
    gate.fail("AdminCreateUser", "throttle");
    const response = await post(target, email);
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    expect(await rowByEmail(store, email)).toBeNull();
    expect(await usersWithEmail(email)).toEqual([]);
  });
});

describe("a call done but its answer lost, then retried by the SDK", () => {
  it.each([
    ["set-password", "AdminCreateUser"],
    ["set-password", "AdminSetUserPassword"],
    ["challenge", "AdminCreateUser"],
    ["challenge", "AdminRespondToAuthChallenge"],
  ])("PASSWORD_SETUP=%s, %s: 201 with one user, who signs in", async (setup, operation) => {
    const target = await api({ PASSWORD_SETUP: setup });
    const email = uniqueEmail("lost");
    gate.fail(operation, "lose-answer", 1);
    const response = await post(target, email);
    expect(response.statusCode).toBe(201);
    expect(gate.seen.filter((op) => op === operation).length).toBeGreaterThanOrEqual(2);
    expect((await usersWithEmail(email)).map((u) => u.UserStatus)).toEqual(["CONFIRMED"]);
    expect(await signIn(cognito, response.json().id)).toEqual(expect.any(String));
  });
});

describe("more calls than COGNITO_MAX_CONCURRENT_CALLS", () => {
  it("a call waits its turn behind a slow one and succeeds; past the queue bound, 503 as when Cognito is down", async () => {
    // One call at a time; the first request's AdminCreateUser hangs until its attempt is cut off
    // (1.5 s), then the SDK's retry goes through: the slot is held for well over a second.
    const patient = await api({ COGNITO_MAX_CONCURRENT_CALLS: "1" });
    gate.fail("AdminCreateUser", "hang", 1);
    const [first, second] = await Promise.all([
      post(patient, uniqueEmail("first")),
      post(patient, uniqueEmail("waits")),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);

    const hasty = await api({ COGNITO_MAX_CONCURRENT_CALLS: "1", COGNITO_QUEUE_TIMEOUT_MS: "300" });
    gate.fail("AdminCreateUser", "hang", 1);
    const email = uniqueEmail("gives-up");
    const holding = post(hasty, uniqueEmail("holds"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const refused = await post(hasty, email);
    const took = Date.now() - started;
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe("identity_unavailable");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // The queue bound, not a call's deadline (2.5 s), decided it: AdminCreateUser and the undo's
    // AdminDeleteUser each waited 300 ms and were never sent.
    expect(took).toBeLessThan(1_400);
    // The readiness probe goes beside the queue: a busy instance is still ready.
    expect((await hasty.app.inject({ url: "/readyz" })).statusCode).toBe(200);
    expect((await holding).statusCode).toBe(201);
    expect(await usersWithEmail(email)).toEqual([]);
    // The undo could not be sent either: the row stays pending, and reconcile removes it.
    expect((await rowByEmail(store, email))?.status).toBe("pending");
    await retryCompletes(email, Number(refused.headers["retry-after"]));
  }, 20_000);
});
