import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type PoolRecord, Store, type UserRecord } from "./store.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cognito-store-"));
  dirs.push(dir);
  return dir;
}

const now = 1_800_000_000_000;
function open(dir: string | null): Store {
  const store = new Store({ dataDir: dir, now: () => now });
  store.open();
  return store;
}

const POOL: PoolRecord = {
  id: "us-east-1_store0001",
  name: "store",
  settings: { AliasAttributes: ["email"], UsernameConfiguration: { CaseSensitive: false } },
  createdAt: now,
  updatedAt: now,
};

function user(username: string, email: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    poolId: POOL.id,
    username,
    sub: `sub-${username}`,
    attributes: { email, email_verified: "true" },
    enabled: true,
    status: "CONFIRMED",
    salt: "aa",
    verifier: "bb",
    passwordSetAt: now,
    groups: [],
    tokensValidAfter: 0,
    resetCode: null,
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

const journal = (dir: string) => path.join(dir, "journal.jsonl");

describe("the journal", () => {
  it("replays every acknowledged change, indexes included", () => {
    const dir = dataDir();
    const first = open(dir);
    first.putPool(POOL);
    first.putGroup({
      poolId: POOL.id,
      name: "admins",
      description: null,
      precedence: null,
      roleArn: null,
      createdAt: now,
      updatedAt: now,
    });
    first.putUser(user("Ada", "ada@example.com", { groups: ["admins"] }));
    first.putUser(user("grace", "grace@example.com"));
    first.putUser({ ...user("grace", "hopper@example.com") });
    first.deleteUser(POOL.id, "ada");
    first.putRefreshToken({
      hash: "h1",
      poolId: POOL.id,
      clientId: "c",
      userKey: "grace",
      originJti: "o1",
      authTime: 1,
      expiresAt: now + 1000,
    });
    first.close();

    const second = open(dir);
    const pool = second.pool(POOL.id);
    expect([...(pool?.users.keys() ?? [])]).toEqual(["grace"]);
    expect(pool?.byEmail.get("hopper@example.com")).toBe("grace");
    expect(pool?.byEmail.has("grace@example.com")).toBe(false);
    expect(pool?.bySub.get("sub-grace")).toBe("grace");
    expect(pool?.members.get("admins")?.size).toBe(0);
    expect(second.refreshTokensOf(POOL.id, "grace").map((t) => t.hash)).toEqual(["h1"]);
    second.close();
  });

  it("drops a deleted group from its members, on replay too", () => {
    const dir = dataDir();
    const first = open(dir);
    first.putPool(POOL);
    first.putGroup({
      poolId: POOL.id,
      name: "staff",
      description: null,
      precedence: null,
      roleArn: null,
      createdAt: now,
      updatedAt: now,
    });
    first.putUser(user("lin", "lin@example.com", { groups: ["staff"] }));
    first.deleteGroup(POOL.id, "staff");
    expect(first.pool(POOL.id)?.users.get("lin")?.groups).toEqual([]);
    first.close();
    const second = open(dir);
    expect(second.pool(POOL.id)?.users.get("lin")?.groups).toEqual([]);
    expect(second.pool(POOL.id)?.groups.has("staff")).toBe(false);
    second.close();
  });

  it("starts after a torn last line, and refuses a corrupt line before the end", () => {
    const dir = dataDir();
    const first = open(dir);
    first.putPool(POOL);
    first.putUser(user("kim", "kim@example.com"));
    first.close();
    appendFileSync(journal(dir), '{"put":"user","v":{"poolId":');
    const second = open(dir);
    expect(second.pool(POOL.id)?.users.has("kim")).toBe(true);
    second.close();

    const lines = readFileSync(journal(dir), "utf8").split("\n");
    writeFileSync(journal(dir), ["{broken", ...lines].join("\n"));
    expect(() => open(dir)).toThrow(/Corrupt journal .* line 1/);
  });

  it("compacts a journal much larger than the state, leaving out expired tokens", () => {
    const dir = dataDir();
    const first = open(dir);
    first.putPool(POOL);
    // 3,000 rewrites of one user, and refresh tokens of which half have expired.
    for (let i = 0; i < 3000; i++) first.putUser(user("sam", `sam${i}@example.com`));
    for (let i = 0; i < 10; i++) {
      first.putRefreshToken({
        hash: `t${i}`,
        poolId: POOL.id,
        clientId: "c",
        userKey: "sam",
        originJti: `o${i}`,
        authTime: 1,
        expiresAt: now + (i % 2 === 0 ? -1 : 60_000),
      });
    }
    first.revokeOrigin("gone", now - 1);
    first.revokeOrigin("kept", now + 60_000);
    first.close();
    const before = statSync(journal(dir)).size;

    const second = open(dir);
    expect(statSync(journal(dir)).size).toBeLessThan(before / 100);
    expect(second.pool(POOL.id)?.users.get("sam")?.attributes.email).toBe("sam2999@example.com");
    expect(
      second
        .refreshTokensOf(POOL.id, "sam")
        .map((t) => t.hash)
        .sort(),
    ).toEqual(["t1", "t3", "t5", "t7", "t9"]);
    expect(second.isRevoked("kept")).toBe(true);
    expect(second.isRevoked("gone")).toBe(false);
    // New writes land in the compacted journal.
    second.putUser(user("max", "max@example.com"));
    second.close();
    expect(open(dir).pool(POOL.id)?.users.has("max")).toBe(true);
  });

  it("writes its files readable by the owner only, and nothing at all in memory", () => {
    const dir = dataDir();
    const store = open(dir);
    store.putPool(POOL);
    store.close();
    expect(statSync(journal(dir)).mode & 0o777).toBe(0o600);
    const memory = open(null);
    memory.putPool(POOL);
    expect(memory.pool(POOL.id)?.record.name).toBe("store");
  });

  it("makes a data directory someone else left open private again: 0700, its files 0600", () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(journal(dir), "", { mode: 0o644 });
    chmodSync(journal(dir), 0o666);
    writeFileSync(path.join(dir, "signing-key.pem"), "x", { mode: 0o644 });
    open(dir).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(journal(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, "signing-key.pem")).mode & 0o777).toBe(0o600);
  });
});
