import http from "node:http";
import {
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { type RunningEmulator, startEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { type Config, loadConfig } from "../src/config.ts";
import type { AccountStore } from "../src/db/index.ts";
import { localSeed } from "../src/local-seed.ts";

export const PASSWORD = "Correct-horse-9";

export async function startLocalCognito(): Promise<RunningEmulator> {
  const emulator = await startEmulator({ inMemory: true, log: null, seed: localSeed() });
  // The signing key is generated after the emulator listens, and every operation waits for it: on
  // a loaded machine that can outlast the API's 2.5 s deadline for its first call at start-up.
  await keysReady(emulator);
  return emulator;
}

/**
 * Waits until the emulator has its signing key. On a connection of its own: a kept-alive one left
 * in fetch's pool can be closed by the emulator just as the API's start-up reuses it.
 */
export function keysReady(emulator: RunningEmulator): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(`${emulator.url}/${localPool.userPoolId}/.well-known/jwks.json`, { agent: false }, (r) =>
        r.resume().on("end", resolve),
      )
      .on("error", reject);
  });
}

export function testConfig(emulator: RunningEmulator, env: Record<string, string> = {}): Config {
  return loadConfig({
    AWS_REGION: localPool.region,
    COGNITO_USER_POOL_ID: localPool.userPoolId,
    COGNITO_CLIENT_ID: localPool.clientId,
    COGNITO_ENDPOINT: emulator.url,
    ACCOUNTS_RATE_LIMIT_PER_MINUTE: "1000",
    CREDENTIALS_RATE_LIMIT_PER_MINUTE: "1000",
    // Tests share a pool between stores: reconcile runs only where a test runs it.
    RECONCILE_INTERVAL_SECONDS: "0",
    ...env,
  });
}

export function adminClient(emulator: RunningEmulator): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: localPool.region,
    endpoint: emulator.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/** Signs in as the browser would end up: an access token from the pool. */
export async function signIn(
  cognito: CognitoIdentityProviderClient,
  login: string,
  password = PASSWORD,
): Promise<string> {
  const result = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: localPool.userPoolId,
      ClientId: localPool.clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: login, PASSWORD: password },
    }),
  );
  const token = result.AuthenticationResult?.AccessToken;
  if (!token) throw new Error(`no token for ${login}: ${result.ChallengeName ?? "?"}`);
  return token;
}

let counter = 0;
export const uniqueEmail = (tag = "user") =>
  `${tag}-${process.pid}-${Date.now()}-${counter++}@example.com`;

export async function createAccount(
  app: FastifyInstance,
  email = uniqueEmail(),
  name = "Ada Lovelace",
) {
  const response = await app.inject({
    method: "POST",
    url: "/accounts",
    payload: { name, email, password: PASSWORD },
  });
  return response;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The latest code the local Cognito sent to this user (its outbox). */
export function latestCode(
  emulator: RunningEmulator,
  username: string,
  reason = "VerifyUserAttribute",
): string {
  const message = emulator
    .outbox()
    .filter((m) => m.username === username && m.reason === reason)
    .at(-1);
  if (!message) throw new Error(`no ${reason} code was sent to ${username}`);
  return message.code;
}

/**
 * Creates an account and proves its email as its owner would: sign in with the account id, enter
 * the code from the outbox. Returns the account (now active) and the access token used.
 */
export async function createActiveAccount(
  app: FastifyInstance,
  emulator: RunningEmulator,
  cognito: CognitoIdentityProviderClient,
  email = uniqueEmail(),
  password = PASSWORD,
  name = "Ada Lovelace",
) {
  const created = await app.inject({
    method: "POST",
    url: "/accounts",
    payload: { name, email, password },
  });
  if (created.statusCode !== 201) {
    throw new Error(`POST /accounts answered ${created.statusCode}: ${created.body}`);
  }
  const id = created.json().id as string;
  const token = await signIn(cognito, id, password);
  const verified = await app.inject({
    method: "POST",
    url: "/me/email-verification",
    headers: bearer(token),
    payload: { code: latestCode(emulator, id) },
  });
  if (verified.statusCode !== 200) {
    throw new Error(`verification answered ${verified.statusCode}: ${verified.body}`);
  }
  return { account: verified.json() as { id: string; email: string; status: string }, token };
}

/** The active row for the email, else the newest registration of it. */
export async function rowByEmail(store: AccountStore, email: string) {
  return (await store.findActiveByEmail(email)) ?? (await store.listByEmail(email)).at(-1) ?? null;
}

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether an outside service answers; under CI its absence fails the suite instead of skipping it. */
export async function serviceAvailable(
  name: string,
  probe: () => Promise<unknown>,
  install: string,
) {
  try {
    await probe();
    return true;
  } catch (error) {
    if (process.env.CI === "true") {
      throw new Error(
        `${name} is required under CI and is not reachable: ${(error as Error).message}`,
      );
    }
    console.warn(
      `\n!!! SKIPPING ${name} tests: not reachable (${(error as Error).message}). Install and start it: ${install}\n`,
    );
    return false;
  }
}

export const postgresAvailable = () =>
  serviceAvailable(
    "PostgreSQL",
    async () => {
      const client = new pg.Client({
        connectionString: TEST_DATABASE_URL,
        connectionTimeoutMillis: 2000,
      });
      await client.connect();
      await client.end();
    },
    "apt-get install -y postgresql, then set TEST_DATABASE_URL",
  );

/** A fresh schema for one test file, dropped afterwards. */
export async function withSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `t_${process.pid}_${Date.now()}_${counter++}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
