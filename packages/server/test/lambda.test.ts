// The Lambda entry over the same app: API Gateway HTTP API (payload 2.0) events in, responses out,
// with the client IP from the event and no account cached between invocations.
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { lambdaApiParts, lambdaHandler } from "../src/lambda.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  PASSWORD,
  signIn,
  startLocalCognito,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

let emulator: RunningEmulator;
let cognito: CognitoIdentityProviderClient;
let store: AccountStore;
let api: Api | null = null;
let builds = 0;
let handler: (event: unknown, context: unknown) => Promise<unknown>;

beforeAll(async () => {
  [emulator, store] = await Promise.all([
    startLocalCognito(),
    openAccountStore({ inMemory: true }),
  ]);
  cognito = adminClient(emulator);
  handler = lambdaHandler(async () => {
    builds++;
    api = await createApi(testConfig(emulator, { ACCOUNTS_RATE_LIMIT_PER_MINUTE: "2" }), {
      // As a frozen function: no change notification ever arrives.
      store: { ...store, onChange: () => () => {} },
      logger: pino({ level: "silent" }),
      ...lambdaApiParts,
    });
    return api;
  });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await store?.close();
  cognito?.destroy();
  await emulator?.stop();
});

function event(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; ip?: string } = {},
) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    requestContext: {
      http: { method, path, protocol: "HTTP/1.1", sourceIp: options.ip ?? "198.51.100.7" },
      requestId: "req-1",
      stage: "$default",
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
}

const invoke = async (e: unknown) => (await handler(e, {})) as LambdaResult;

describe("the Lambda handler", () => {
  it("serves the accounts flow from API Gateway events, building the app once", async () => {
    const email = uniqueEmail("lambda");
    const created = await invoke(
      event("POST", "/accounts", { body: { name: "Lambda", email, password: PASSWORD } }),
    );
    expect(created.statusCode).toBe(201);
    // Unverified: signed in with the account id, and GET /me is allowed.
    const token = await signIn(cognito, JSON.parse(created.body).id);
    const me = await invoke(event("GET", "/me", { token }));
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ email, name: "Lambda" });

    // A change made by another instance shows on the next invocation, with no notification.
    await store.rename(JSON.parse(created.body).id, "Renamed elsewhere");
    expect(JSON.parse((await invoke(event("GET", "/me", { token }))).body).name).toBe(
      "Renamed elsewhere",
    );
    const problem = await invoke(event("GET", "/me"));
    expect(problem.statusCode).toBe(401);
    expect(problem.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(builds).toBe(1);
  });

  it("rate-limits by the event's source IP", async () => {
    const attempt = (ip: string) =>
      invoke(
        event("POST", "/accounts", {
          ip,
          body: { name: "R", email: uniqueEmail("r"), password: "weak" },
        }),
      );
    expect((await attempt("203.0.113.9")).statusCode).toBe(400);
    expect((await attempt("203.0.113.9")).statusCode).toBe(400);
    expect((await attempt("203.0.113.9")).statusCode).toBe(429);
    expect((await attempt("203.0.113.10")).statusCode).toBe(400);
  });
});
