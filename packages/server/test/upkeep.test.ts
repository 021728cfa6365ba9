// What keeps itself in order: reconcile on a timer in the API, one pass at a time across instances
// (a PostgreSQL advisory lock); the embedded database private to its owner; the routes that send
// or check codes and passwords rate limited per client.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Identity, IdentityUser } from "../src/cognito/identity.ts";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { reconcilePass, startReconcileTimer } from "../src/reconcile-pass.ts";
import { createApi } from "../src/start-api.ts";
import {
  postgresAvailable,
  startLocalCognito,
  TEST_DATABASE_URL,
  testConfig,
  uniqueEmail,
  withSchema,
} from "./helpers.ts";

const postgres = await postgresAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const silent = pino({ level: "silent" });

/** Every entry under `dir`, with its permission bits. */
function modes(dir: string): { file: string; mode: number; directory: boolean }[] {
  const found: { file: string; mode: number; directory: boolean }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    found.push({ file, mode: statSync(file).mode & 0o777, directory: entry.isDirectory() });
  }
  return found;
}

describe("the embedded database's files", () => {
  it("are the owner's alone: directories 0700, files 0600, from the first start on", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "gatehouse-modes-"));
    try {
      const dataDir = path.join(root, ".gatehouse", "db");
      const store = await openAccountStore({ dataDir });
      await store.insertPending({ id: crypto.randomUUID(), email: uniqueEmail(), name: "M" });
      expect(statSync(path.join(root, ".gatehouse")).mode & 0o777).toBe(0o700);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      await store.close();
      const all = modes(dataDir);
      expect(all.length).toBeGreaterThan(100);
      expect(all.filter((e) => e.directory && e.mode !== 0o700)).toEqual([]);
      expect(all.filter((e) => !e.directory && e.mode !== 0o600)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Reconcile's view of a pool with no users, slow to list when `slowMs` is set. */
function emptyPool(slowMs = 0): { users: () => AsyncIterable<IdentityUser>; listed: number[] } {
  const listed: number[] = [];
  return {
    listed,
    async *users() {
      listed.push(Date.now());
      if (slowMs) await sleep(slowMs);
      yield* [];
    },
  };
}
const noIdentity = {} as Identity;

describe("reconcile on a timer", () => {
  it("runs passes by itself, repairing what it finds, and stops cleanly", async () => {
    const store = await openAccountStore({ inMemory: true });
    try {
      const stale = await store.insertPending({
        id: crypto.randomUUID(),
        email: uniqueEmail("stale"),
        name: "Stale",
      });
      const pool = emptyPool();
      const lines: string[] = [];
      const timer = startReconcileTimer({
        store,
        identity: noIdentity,
        users: pool.users,
        logger: { info: (_o: object, line: string) => lines.push(line), warn: () => {} } as never,
        intervalMs: 40,
        olderThanMs: 0,
      });
      // Two passes at least (the machine may be slow: wait for them, not for a time).
      const until = Date.now() + 20_000;
      while (pool.listed.length < 2 && Date.now() < until) await sleep(20);
      await timer.stop();
      const passes = pool.listed.length;
      expect(passes).toBeGreaterThanOrEqual(2);
      expect(await store.findById(stale.id)).toBeNull();
      expect(lines.some((line) => line.includes("delete the row"))).toBe(true);
      await sleep(150);
      expect(pool.listed.length).toBe(passes);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe.skipIf(!postgres)("reconcile across instances on PostgreSQL", () => {
  let schema: Awaited<ReturnType<typeof withSchema>>;
  let one: AccountStore;
  let two: AccountStore;
  beforeAll(async () => {
    schema = await withSchema();
    const open = () =>
      openAccountStore({ databaseUrl: TEST_DATABASE_URL, schema: schema.schema, poolSize: 3 });
    [one, two] = await Promise.all([open(), open()]);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await schema?.drop();
  });

  it("one pass at a time: an instance that finds the lock held skips its turn", async () => {
    const slow = emptyPool(300);
    const first = reconcilePass({
      store: one,
      identity: noIdentity,
      users: slow.users,
      logger: silent,
    });
    await sleep(100);
    const other = emptyPool();
    expect(
      await reconcilePass({ store: two, identity: noIdentity, users: other.users, logger: silent }),
    ).toBeNull();
    expect(other.listed).toEqual([]);
    expect(await first).toEqual([]);
    // Released: the next turn runs.
    expect(
      await reconcilePass({ store: two, identity: noIdentity, users: other.users, logger: silent }),
    ).toEqual([]);
    expect(other.listed).toHaveLength(1);
  });
});

describe("rate limits on the code and password routes", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startLocalCognito();
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
  });

  it("refuse the client past CREDENTIALS_RATE_LIMIT_PER_MINUTE with 429 and Retry-After", async () => {
    const api = await createApi(testConfig(emulator, { CREDENTIALS_RATE_LIMIT_PER_MINUTE: "2" }), {
      inMemoryDatabase: true,
      logger: silent,
    });
    try {
      const ask = () =>
        api.app.inject({
          method: "POST",
          url: "/password-reset",
          payload: { email: uniqueEmail("limited") },
        });
      expect((await ask()).statusCode).toBe(202);
      expect((await ask()).statusCode).toBe(202);
      const refused = await ask();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe("rate_limited");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      // Each route counts on its own.
      const confirm = await api.app.inject({
        method: "POST",
        url: "/password-reset/confirm",
        payload: { email: uniqueEmail("limited"), code: "123456", password: "Another-Passw0rd" },
      });
      expect(confirm.statusCode).toBe(400);
    } finally {
      await api.close();
    }
  }, 60_000);
});
