// The limit on POST /accounts, per client address, against API processes and a real Redis: one
// address flooding gets 429 after the limit while another is served; forwarded-for headers do not
// buy a flooder a fresh count; two instances sharing Redis enforce one limit between them; and
// when Redis goes away, sign-ups carry on and the API says so in its log.
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, call, isProblem, uniqueEmail } from "../src/api.ts";
import {
  type Database,
  postgresAvailable,
  postgresDatabase,
  serviceAvailable,
  TEST_REDIS_URL,
} from "../src/databases.ts";
import {
  type ApiProcess,
  apiEnv,
  type EmulatorProcess,
  killAll,
  runDir,
  startApiProcess,
  startEmulatorProcess,
} from "../src/processes.ts";
import { SuiteReport, scale } from "../src/results.ts";
import { startTcpProxy, type TcpProxy } from "../src/tcp-proxy.ts";

const report = new SuiteReport(
  "rate-limits",
  "Rate limits on POST /accounts",
  "API processes on PostgreSQL with a real Redis (through a proxy the suite can cut); clients " +
    "connect from different loopback addresses, so each is a different client address to the API.",
);

const redisUp = await serviceAvailable(
  "Redis",
  async () => {
    const redis = new Redis(TEST_REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 3000,
    });
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  },
  "Install and start it (apt-get install -y redis-server), then set TEST_REDIS_URL.",
);
const postgresUp = await postgresAvailable();

const LIMIT = 5;
const FLOOD = scale(30, 200);
const PASSWORD = "Limited-Passw0rd-1";
let dir: string;
let emulator: EmulatorProcess;
let database: Database;
let redisProxy: TcpProxy;
let a: ApiProcess;
let b: ApiProcess;

/** A loopback address no earlier run used: Redis keeps a count for a minute. */
const freshAddress = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${
    2 + Math.floor(Math.random() * 250)
  }`;

/** Counted by the limit, touches nothing: the password policy refuses it. */
const attempt = (api: ApiProcess, from: string, headers: Record<string, string> = {}) =>
  call(api.url, "/accounts", {
    method: "POST",
    localAddress: from,
    headers,
    body: { name: "Flood", email: uniqueEmail("flood"), password: "weak" },
  });

function expectLimited(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(isProblem(answer)).toBe(true);
  expect(answer.body.code).toBe("rate_limited");
  expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
}

describe.runIf(redisUp && postgresUp)("rate limits", () => {
  beforeAll(async () => {
    dir = runDir("rate");
    emulator = await startEmulatorProcess({
      dataDir: null,
      logFile: path.join(dir, "cognito.log"),
    });
    database = await postgresDatabase();
    const redis = new URL(TEST_REDIS_URL);
    redisProxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    const env = apiEnv(emulator.url, {
      ...database.env,
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
      ACCOUNTS_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    });
    [a, b] = await Promise.all([
      startApiProcess({ env, logFile: path.join(dir, "api-a.log") }),
      startApiProcess({ env, logFile: path.join(dir, "api-b.log") }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await redisProxy?.close();
    await database?.drop();
  });

  it(`one address flooding gets 429 after ${LIMIT} while another is served`, async () => {
    const flooder = freshAddress();
    const statuses = new Map<number, number>();
    const answers: Answer[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const answer = await attempt(a, flooder);
      answers.push(answer);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    expect(answers.slice(0, LIMIT).map((r) => r.status)).toEqual(Array(LIMIT).fill(400));
    for (const answer of answers.slice(LIMIT)) expectLimited(answer);

    // Headers a client may send claiming another address: with no proxy trusted, the same count.
    const spoofs: Record<string, string>[] = [
      { "x-forwarded-for": freshAddress() },
      { "x-real-ip": freshAddress() },
      { forwarded: `for=${freshAddress()}` },
      { "x-forwarded-for": `${freshAddress()}, ${freshAddress()}` },
      { "x-forwarded-for": "2001:db8::1" },
      { "true-client-ip": freshAddress(), "cf-connecting-ip": freshAddress() },
    ];
    for (const headers of spoofs) expectLimited(await attempt(a, flooder, headers));

    const other = await call(a.url, "/accounts", {
      method: "POST",
      localAddress: freshAddress(),
      body: { name: "Served", email: uniqueEmail("served"), password: PASSWORD },
    });
    expect(other.status).toBe(201);
    report.figure("limit (per address per minute)", LIMIT);
    report.figure(
      "flooding address: answers",
      [...statuses].map(([s, n]) => `${n}× ${s}`).join(", "),
    );
    report.figure("spoofed forwarding headers that bought a fresh count", `0 of ${spoofs.length}`);
    report.figure("another address meanwhile", `${other.status} (account created)`);
  });

  it("two instances sharing Redis enforce one limit between them", async () => {
    const from = freshAddress();
    const answers: Answer[] = [];
    for (let i = 0; i < LIMIT * 4; i++) answers.push(await attempt(i % 2 === 0 ? a : b, from));
    const allowed = answers.filter((r) => r.status !== 429).length;
    for (const answer of answers.slice(LIMIT)) expectLimited(answer);
    report.figure(
      "two instances, one address alternating: requests let through",
      `${allowed} of ${answers.length} (limit ${LIMIT})`,
    );
    expect(allowed).toBe(LIMIT);
  });

  it("with Redis gone, sign-ups are served and the API logs it; back, the limit holds again", async () => {
    await redisProxy.down();
    const from = freshAddress();
    const during: Answer[] = [];
    for (let i = 0; i < LIMIT * 2; i++) during.push(await attempt(a, from));
    const served = await call(a.url, "/accounts", {
      method: "POST",
      localAddress: from,
      body: { name: "Redis down", email: uniqueEmail("redisdown"), password: PASSWORD },
    });
    // The API logs asynchronously: give the line a moment to arrive.
    for (let i = 0; i < 50 && !/redis/i.test(a.output()); i++) await sleep(100);
    const log = a.output();
    await redisProxy.up();
    // ioredis reconnects on its own, with backoff.
    const back = freshAddress();
    let limitedAgain = false;
    const deadline = Date.now() + 30_000;
    while (!limitedAgain && Date.now() < deadline) {
      const answer = await attempt(a, back);
      limitedAgain = answer.status === 429;
      if (!limitedAgain) await new Promise((r) => setTimeout(r, 200));
    }
    report.figure(
      "Redis down: answers to one address over the limit",
      [...new Set(during.map((r) => r.status))].join(", "),
    );
    report.figure("Redis down: a valid sign-up", String(served.status));
    report.figure(
      "Redis down: logged",
      /redis/i.test(log) ? "yes (a line naming Redis in the API's log)" : "no",
    );
    report.figure("Redis back: the limit holds again", limitedAgain ? "yes" : "no");
    expect(during.every((r) => r.status === 400)).toBe(true);
    expect(served.status).toBe(201);
    expect(log).toMatch(/redis/i);
    expect(limitedAgain).toBe(true);
  });
});
