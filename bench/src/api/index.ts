// The API benchmarks of issue 12, in one run: authenticated requests against peers, token
// verification alone, hostile tokens, account creation, and `npm start` to ready.
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type AccountsRow, measureCreation, measureDirectCalls } from "./accounts.ts";
import {
  createCognitoUser,
  insertAccount,
  mintMany,
  POOL,
  startBehindOwnProxy,
  startCognito,
  tokenMinter,
} from "./fixture.ts";
import { HOSTILE_SERVERS, type HostileRow, measureHostile } from "./hostile.ts";
import { GENERATOR, pinThisProcess } from "./load.ts";
import { type ProfileResult, profileGetMe } from "./profile.ts";
import {
  measureRequests,
  type RequestsRow,
  type RequestsSettings,
  type ServerKey,
} from "./requests.ts";
import { type Database, removeBundles, startGatehouse } from "./servers.ts";
import { measureStartup, type StartupResult } from "./startup.ts";
import { measureVerification } from "./verification.ts";
import type { VerifyInput, VerifyOutput } from "./verify-worker.ts";

export interface ApiBenchOptions {
  requests: Omit<RequestsSettings, "databases"> & { postgres: boolean };
  /** Distinct tokens each verifier checks per round, and rounds. */
  verification: { tokens: number; rounds: number; hostileSeconds: number };
  hostileSeconds: number;
  /** The servers that take the hostile loads. */
  hostileServers: readonly ServerKey[];
  /** Accounts created per measurement. */
  accounts: number;
  /** `npm start` runs after the first. */
  laterStarts: number;
  /** PostgreSQL for Gatehouse's second database; a schema of its own is made and dropped. */
  postgresUrl: string;
  /** Write CPU profiles of Gatehouse's API here; null: none. */
  profileDir: string | null;
  serverCpus: string;
  loadCpus: string;
  log: (line: string) => void;
}

export interface ApiBenchResults {
  startedAt: string;
  durationMs: number;
  machine: { node: string; platform: string; cpus: number; cpuModel: string };
  /** 1-minute load average before and after: how busy the shared machine was. */
  loadAverage: { before: number; after: number };
  settings: Omit<ApiBenchOptions, "log" | "postgresUrl">;
  requests: RequestsRow[];
  profiles: ProfileResult[];
  verification: VerifyOutput;
  hostile: HostileRow[];
  accounts: AccountsRow[];
  startup: StartupResult;
  /** What sent the GET /me loads (see load.ts). */
  generator: "wrk" | "autocannon";
  notes: string[];
}

export function defaultApiOptions(quick: boolean): Omit<ApiBenchOptions, "log" | "profileDir"> {
  return {
    requests: quick
      ? {
          seconds: 1,
          rounds: 1,
          warmupSeconds: 0,
          connections: 50,
          tokenCounts: [1, 1_000],
          logging: ["on"],
          serverCpus: "0",
          postgres: false,
          // Many tokens: Gatehouse and the peer its goal compares it with (verifying every request).
          manyTokenServers: ["pglite", "aws-jwt-verify"],
        }
      : {
          seconds: 5,
          rounds: 3,
          warmupSeconds: 3,
          connections: 50,
          tokenCounts: [1, 10_000],
          logging: ["off", "on"],
          serverCpus: "0",
          postgres: true,
        },
    verification: quick
      ? { tokens: 200, rounds: 1, hostileSeconds: 0.5 }
      : { tokens: 2_000, rounds: 5, hostileSeconds: 10 },
    hostileSeconds: quick ? 1 : 5,
    // --quick proves the refusals on Gatehouse alone; the peers' figures are for comparison.
    hostileServers: quick ? ["pglite"] : HOSTILE_SERVERS,
    accounts: quick ? 16 : 300,
    // --quick: the first start only (a later start runs the same steps on a database that exists).
    laterStarts: quick ? 0 : 3,
    postgresUrl:
      process.env.BENCH_DATABASE_URL ??
      process.env.TEST_DATABASE_URL ??
      "postgres://postgres@127.0.0.1:5432/test",
    serverCpus: "0",
    loadCpus: "1",
  };
}

/** A schema of this run's own in PostgreSQL, or null (and why) when none answers. */
async function postgresSchema(
  url: string,
): Promise<{ url: string; drop(): Promise<void> } | string> {
  const schema = `bench_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await client.end().catch(() => {});
    return `PostgreSQL at ${url} did not answer (${(error as Error).message})`;
  }
  await client.end();
  const withSchema = new URL(url);
  withSchema.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: withSchema.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export async function runApiBenchmark(options: ApiBenchOptions): Promise<ApiBenchResults> {
  const startedAt = new Date();
  const t0 = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const { log } = options;
  const notes: string[] = [];
  const root = await mkdtemp(join(tmpdir(), "gatehouse-api-bench-"));
  pinThisProcess(options.loadCpus);
  const cognito = await startCognito(root, options.loadCpus);
  let dropSchema: (() => Promise<void>) | null = null;
  try {
    const account = await createCognitoUser(cognito);
    // npm start runs unpinned, as a developer runs it.
    pinThisProcess("0-1");
    const startup = await measureStartup({
      cognito,
      workDir: root,
      laterStarts: options.laterStarts,
      serverCpus: options.serverCpus,
    });
    log(
      `start-up  npm start → /readyz: first ${startup.firstMs.toFixed(0)} ms${startup.laterMs.length > 0 ? `, later ${startup.laterMedianMs.toFixed(0)} ms` : ""}`,
    );
    pinThisProcess(options.loadCpus);
    // The servers below use the database `npm start` made (its own local Cognito's accounts are
    // never asked for): the bench account is added to it, sparing a second initdb.
    const pgliteDir = startup.dataDir;
    await insertAccount(account, { pgliteDir: join(pgliteDir, "db") });
    const databases: Database[] = [{ kind: "pglite", dir: pgliteDir }];
    if (options.requests.postgres) {
      const schema = await postgresSchema(options.postgresUrl);
      if (typeof schema === "string") {
        notes.push(`PostgreSQL not measured: ${schema}`);
        log(`NOTE: ${schema}; PostgreSQL rows are left out`);
      } else {
        dropSchema = schema.drop;
        await insertAccount(account, { databaseUrl: schema.url });
        databases.push({ kind: "postgres", url: schema.url });
      }
    }
    const minter = await tokenMinter(cognito, account.token);
    const many = Math.max(...options.requests.tokenCounts);
    const t = performance.now();
    const minted = await mintMany(minter, many - 1);
    log(`tokens    ${many} minted in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const tokenSets = new Map<number, readonly string[]>();
    for (const count of options.requests.tokenCounts) {
      tokenSets.set(count, [account.token, ...minted.slice(0, count - 1)]);
    }
    log("verify    token verification alone, one core");
    const verification = await measureVerification(
      {
        userPoolId: POOL.userPoolId,
        clientId: POOL.clientId,
        jwksUrl: cognito.jwksUrl,
        jwks: (await (await fetch(cognito.jwksUrl)).json()) as VerifyInput["jwks"],
        account: { id: account.id, sub: account.sub, email: account.email },
        tokens: [account.token, ...minted.slice(0, options.verification.tokens - 1)],
        rounds: options.verification.rounds,
        hostileSeconds: options.verification.hostileSeconds,
      },
      root,
      options.serverCpus,
    );
    for (const row of verification.rows) {
      log(`verify    ${row.verifier}: ${row.perSecond.toFixed(0)}/s (${row.us.toFixed(1)} µs)`);
    }
    // Account creation: the direct calls, and PASSWORD_SETUP=challenge on an API of its own
    // (before the GET /me runs: one process at a time opens a PGlite directory); the default,
    // set-password, on the PGlite API of the GET /me runs with logging on, below.
    const direct = await measureDirectCalls({
      cognito,
      accounts: options.accounts,
      connections: 8,
    });
    const challengeApi = await startBehindOwnProxy(cognito, (own) =>
      startGatehouse({
        cognito: own,
        workDir: root,
        database: { kind: "pglite", dir: pgliteDir },
        logging: "on",
        cpus: options.serverCpus,
        name: "gatehouse-accounts-challenge",
        env: { PASSWORD_SETUP: "challenge" },
      }),
    );
    let challenge: AccountsRow;
    try {
      challenge = await measureCreation({
        ...challengeApi,
        passwordSetup: "challenge",
        accounts: options.accounts,
        connections: 8,
      });
    } finally {
      await challengeApi.server.stop();
      await challengeApi.cognito.stop();
    }
    let setPassword: AccountsRow | null = null;
    // Hostile traffic goes to the servers of the runs with logging on, once their loads are done.
    let hostile: HostileRow[] = [];
    const requests = await measureRequests(
      {
        ...options.requests,
        // Not profiled: the profiler's own cost would be measured against peers that run without
        // it. Profiles come from a run of their own (profileGetMe, below).
        databases,
      },
      cognito,
      root,
      tokenSets,
      log,
      async (logging, servers) => {
        if (logging !== "on") return;
        hostile = await measureHostile({
          servers,
          only: options.hostileServers,
          tokens: minted.slice(0, 1_000),
          seconds: options.hostileSeconds,
          connections: options.requests.connections,
        });
        for (const row of hostile) {
          log(
            `hostile   ${row.server} ${row.attack}: ${row.perSecond.toFixed(0)} req/s, ${row.jwksFetches} JWKS fetches`,
          );
        }
        const api = servers.find((s) => s.key === "pglite");
        if (!api) throw new Error("the GET /me runs had no Gatehouse on PGlite");
        setPassword = await measureCreation({
          server: api.server,
          cognito: api.cognito,
          passwordSetup: "set-password",
          accounts: options.accounts,
          connections: 8,
        });
      },
    );
    const accounts = [direct, ...(setPassword ? [setPassword] : []), challenge];
    for (const row of accounts) {
      log(
        `accounts  ${row.passwordSetup ?? "direct Cognito calls"}: ${row.perSecond.toFixed(1)}/s, ${row.cognitoCallsPerAccount.toFixed(2)} calls each`,
      );
    }
    const profiles: ProfileResult[] = [];
    if (options.profileDir) {
      for (const logging of options.requests.logging) {
        const profile = await profileGetMe({
          cognito,
          workDir: root,
          database: { kind: "pglite", dir: pgliteDir },
          logging,
          token: account.token,
          seconds: options.requests.seconds * 2,
          connections: options.requests.connections,
          serverCpus: options.serverCpus,
          profileDir: options.profileDir,
          top: 25,
        });
        profiles.push(profile);
        log(`profile   GET /me, logging ${logging}: ${profile.file}`);
      }
    }
    return {
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - t0,
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
      },
      loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
      settings: (({ log: _log, postgresUrl: _url, ...rest }) => rest)(options),
      requests,
      profiles,
      verification,
      hostile,
      accounts,
      startup,
      generator: GENERATOR,
      notes,
    };
  } finally {
    await cognito.stop();
    await dropSchema?.();
    await removeBundles();
    await rm(root, { recursive: true, force: true });
  }
}
