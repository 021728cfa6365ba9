// What the API benchmarks stand on: the local Cognito with Gatehouse's pool (its own CLI, as
// `npm start` runs it), a counting pass-through in front of it, one account in Gatehouse's
// database, a real access token for it from the emulator, and as many more as asked, signed with
// the emulator's own key and carrying the same claims as the real one (new jti and session each).
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { localPool, localSeed, openAccountStore } from "@gatehouse/server";
import { cognitoClient, PERMANENT_PASSWORD } from "../account-cycle.ts";
import { startEmulatorCli } from "../cognito-emulator.ts";
import type { RunningServer } from "../server-process.ts";
import { type CountingProxy, startCountingProxy } from "./counting-proxy.ts";

export const POOL = localPool;

export interface Cognito {
  emulator: RunningServer;
  /** In front of the emulator; every server under test talks to Cognito through it. */
  proxy: CountingProxy;
  dataDir: string;
  jwksUrl: string;
  stop(): Promise<void>;
}

/** The emulator on Gatehouse's local pool, pinned to `cpus` (the load generator's core). */
export async function startCognito(workDir: string, cpus: string): Promise<Cognito> {
  const seedPath = join(workDir, "seed.json");
  await writeFile(seedPath, JSON.stringify(localSeed()));
  const dataDir = join(workDir, "cognito");
  const emulator = await startEmulatorCli({ workDir, storage: { dataDir }, seedPath, cpus });
  const proxy = await startCountingProxy(emulator.url);
  return {
    emulator,
    proxy,
    dataDir,
    jwksUrl: `${proxy.url}/${POOL.userPoolId}/.well-known/jwks.json`,
    async stop() {
      await proxy.close();
      await emulator.stop();
    },
  };
}

/**
 * `cognito` behind a pass-through of its own (stopped by `stop`), so that what one server asks of
 * Cognito, a JWKS fetch still running after its load has stopped included, is never counted
 * against another.
 */
async function withOwnProxy(cognito: Cognito): Promise<Cognito> {
  const proxy = await startCountingProxy(cognito.emulator.url);
  return {
    ...cognito,
    proxy,
    jwksUrl: `${proxy.url}/${POOL.userPoolId}/.well-known/jwks.json`,
    stop: () => proxy.close(),
  };
}

/**
 * A server started against `cognito` through a pass-through of its own (see `withOwnProxy`); the
 * pass-through is stopped again when the start fails.
 */
export async function startBehindOwnProxy(
  cognito: Cognito,
  start: (own: Cognito) => Promise<RunningServer>,
): Promise<{ server: RunningServer; cognito: Cognito }> {
  const own = await withOwnProxy(cognito);
  try {
    return { server: await start(own), cognito: own };
  } catch (error) {
    await own.stop();
    throw error;
  }
}

export interface BenchAccount {
  id: string;
  sub: string;
  email: string;
  /** Issued by the emulator's AdminInitiateAuth. */
  token: string;
}

/** A Cognito user with a permanent password, signed in once. */
export async function createCognitoUser(cognito: Cognito): Promise<BenchAccount> {
  const client = cognitoClient(cognito.emulator.url);
  try {
    const id = randomUUID();
    const email = `${id}@bench.example`;
    const created = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL.userPoolId,
        Username: id,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
          { Name: "name", Value: "Bench Person" },
        ],
      }),
    );
    const sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
    if (!sub) throw new Error("AdminCreateUser returned no sub");
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL.userPoolId,
        Username: id,
        Password: PERMANENT_PASSWORD,
        Permanent: true,
      }),
    );
    const auth = await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: POOL.userPoolId,
        ClientId: POOL.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: id, PASSWORD: PERMANENT_PASSWORD },
      }),
    );
    const token = auth.AuthenticationResult?.AccessToken;
    if (!token) throw new Error("AdminInitiateAuth returned no access token");
    return { id, sub, email, token };
  } finally {
    client.destroy();
  }
}

/** The account's row in Gatehouse's database (PGlite under `pgliteDir`, or PostgreSQL). */
export async function insertAccount(
  account: BenchAccount,
  database: { databaseUrl: string } | { pgliteDir: string },
): Promise<void> {
  const store = await openAccountStore(
    "databaseUrl" in database
      ? { databaseUrl: database.databaseUrl }
      : { dataDir: database.pgliteDir },
  );
  try {
    await store.insertPending({ id: account.id, email: account.email, name: "Bench Person" });
    // pending → unverified (created in Cognito) → active (its owner proved the email).
    if (!(await store.markUnverified(account.id, account.sub))) throw new Error("not created");
    if (!(await store.activate(account.id))) throw new Error("account not activated");
  } finally {
    await store.close();
  }
}

const decode = (part: string) =>
  JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;

export interface TokenMinter {
  /** A token like `template`, with a new jti and sign-in session. */
  mint(overrides?: Record<string, unknown>): Promise<string>;
  /** The same, with a header of our choosing (a `kid` the pool never had). */
  mintWithHeader(header: Record<string, unknown>): Promise<string>;
}

/** Signs with the emulator's key (its data directory's signing-key.pem), on libuv's pool. */
export async function tokenMinter(cognito: Cognito, template: string): Promise<TokenMinter> {
  const key = createPrivateKey(await readFile(join(cognito.dataDir, "signing-key.pem"), "utf8"));
  const [headerPart, payloadPart] = template.split(".") as [string, string];
  const header = decode(headerPart);
  const claims = decode(payloadPart);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signWith = (head: Record<string, unknown>, overrides: Record<string, unknown>) => {
    const body = `${encode(head)}.${encode({
      ...claims,
      jti: randomUUID(),
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      ...overrides,
    })}`;
    return new Promise<string>((resolve, reject) => {
      sign("sha256", Buffer.from(body), key, (error, signature) => {
        if (error) reject(error);
        else resolve(`${body}.${signature.toString("base64url")}`);
      });
    });
  };
  return {
    mint: (overrides = {}) => signWith(header, overrides),
    mintWithHeader: (head) => signWith(head, {}),
  };
}

/** `count` tokens, minted a few at a time so libuv's threads share the signing. */
export async function mintMany(minter: TokenMinter, count: number): Promise<string[]> {
  const tokens: string[] = [];
  while (tokens.length < count) {
    const batch = Math.min(64, count - tokens.length);
    tokens.push(...(await Promise.all(Array.from({ length: batch }, () => minter.mint()))));
  }
  return tokens;
}
