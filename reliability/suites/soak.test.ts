// A minute of authenticated load on the API process (GET /me and PATCH /me over 100 kept-alive
// connections, tokens of several accounts): not one error, and the process's memory after a full
// garbage collection within a stated bound of where it started. Only `npm run test:reliability`
// runs this suite.
import { existsSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActiveAccount, uniqueEmail } from "../src/api.ts";
import { type Database, postgresAvailable, postgresDatabase } from "../src/databases.ts";
import {
  type ApiProcess,
  apiEnv,
  type EmulatorProcess,
  killAll,
  ROOT,
  runDir,
  startApiProcess,
  startEmulatorProcess,
} from "../src/processes.ts";
import { percentile, SuiteReport } from "../src/results.ts";

const SECONDS = 60;
const CONNECTIONS = 100;
const ACCOUNTS = 20;
/** After a full collection, the heap may end at most this much above where it started. */
const HEAP_BOUND_MB = 16;
/** And the resident set at most this much (it includes what V8 keeps reserved). */
const RSS_BOUND_MB = 64;

const report = new SuiteReport(
  "soak",
  "Soak: a minute of authenticated load",
  `${SECONDS} s of GET /me (and a rename every 20th request) over ${CONNECTIONS} kept-alive ` +
    `connections with the tokens of ${ACCOUNTS} accounts, against the API process on PostgreSQL; ` +
    "memory read inside the process after a full garbage collection, before and after.",
);

const postgresUp = await postgresAvailable();
let dir: string;
let emulator: EmulatorProcess;
let database: Database;
let api: ApiProcess;
const probeFile = () => path.join(dir, "memory.jsonl");

interface Memory {
  rss: number;
  heapUsed: number;
}

const probeLines = () =>
  existsSync(probeFile())
    ? readFileSync(probeFile(), "utf8").trim().split("\n").filter(Boolean)
    : [];

/** The API process's memory after a full collection (see memory-probe.mjs). */
async function probe(): Promise<Memory> {
  const before = probeLines().length;
  api.child.kill("SIGUSR2");
  for (let i = 0; i < 200; i++) {
    await sleep(50);
    const lines = probeLines();
    if (lines.length > before) return JSON.parse(lines.at(-1) as string) as Memory;
  }
  throw new Error("the memory probe did not answer");
}

const mb = (bytes: number) => bytes / 1024 / 1024;

describe.runIf(postgresUp)("soak", () => {
  beforeAll(async () => {
    dir = runDir("soak");
    emulator = await startEmulatorProcess({
      dataDir: null,
      logFile: path.join(dir, "cognito.log"),
    });
    database = await postgresDatabase();
    api = await startApiProcess({
      env: {
        ...apiEnv(emulator.url, database.env),
        MEMORY_PROBE_FILE: path.join(dir, "memory.jsonl"),
      },
      logFile: path.join(dir, "api.log"),
      node: ["--expose-gc", "--import", path.join(ROOT, "reliability/src/memory-probe.mjs")],
    });
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await database?.drop();
  });

  it(`${SECONDS} s at ${CONNECTIONS} connections: zero errors, heap within ${HEAP_BOUND_MB} MB and RSS within ${RSS_BOUND_MB} MB of the start`, async () => {
    const tokens: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const made = await createActiveAccount(api.url, emulator.url, {
        email: uniqueEmail("soak"),
        password: "Soaking-Passw0rd-1",
      });
      tokens.push(made.accessToken);
    }
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const url = new URL(api.url);
    const errors = new Map<string, number>();
    const latencies: number[] = [];
    let sent = 0;
    const once = (n: number) =>
      new Promise<void>((resolve) => {
        const rename = n % 20 === 0;
        const body = rename ? JSON.stringify({ name: `Soak ${n}` }) : null;
        const started = performance.now();
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: "/me",
            method: rename ? "PATCH" : "GET",
            agent,
            headers: {
              authorization: `Bearer ${tokens[n % tokens.length]}`,
              ...(body ? { "content-type": "application/json" } : {}),
            },
            timeout: 30_000,
          },
          (response) => {
            response.resume();
            response.on("end", () => {
              latencies.push(performance.now() - started);
              if (response.statusCode !== 200) {
                const key = `HTTP ${response.statusCode}`;
                errors.set(key, (errors.get(key) ?? 0) + 1);
              }
              resolve();
            });
          },
        );
        req.on("error", (error) => {
          errors.set(error.message, (errors.get(error.message) ?? 0) + 1);
          resolve();
        });
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.end(body ?? undefined);
      });
    const load = async (seconds: number) => {
      const until = Date.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (Date.now() < until) await once(sent++);
        }),
      );
    };

    await load(5); // warm-up: caches filled, code optimised
    const warm = sent;
    latencies.length = 0;
    errors.clear();
    const start = await probe();
    const samples: Memory[] = [];
    const sampler = setInterval(() => {
      probe()
        .then((m) => samples.push(m))
        .catch(() => {});
    }, 10_000);
    const began = performance.now();
    await load(SECONDS);
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    await sleep(500);
    const end = await probe();
    agent.destroy();

    const requests = sent - warm;
    const heapGrowth = mb(end.heapUsed - start.heapUsed);
    const rssGrowth = mb(end.rss - start.rss);
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    report.figure("seconds of load", seconds);
    report.figure("connections", CONNECTIONS);
    report.figure("requests", requests);
    report.figure("requests per second", requests / seconds);
    report.figure(
      "latency p50 / p99 ms",
      `${percentile(latencies, 0.5).toFixed(1)} / ${percentile(latencies, 0.99).toFixed(1)}`,
    );
    report.figure(
      "errors",
      errorCount === 0 ? "0" : [...errors].map(([k, n]) => `${n}× ${k}`).join(", "),
    );
    report.figure(
      "heap used after GC: start → end, MB",
      `${mb(start.heapUsed).toFixed(1)} → ${mb(end.heapUsed).toFixed(1)}`,
    );
    report.figure("heap growth, MB (bound)", `${heapGrowth.toFixed(1)} (≤ ${HEAP_BOUND_MB})`);
    report.figure(
      "RSS: start → end, MB",
      `${mb(start.rss).toFixed(1)} → ${mb(end.rss).toFixed(1)}`,
    );
    report.figure("RSS growth, MB (bound)", `${rssGrowth.toFixed(1)} (≤ ${RSS_BOUND_MB})`);
    report.figure(
      "largest RSS sampled during the load, MB",
      Math.max(...samples.map((s) => mb(s.rss)), mb(end.rss)),
    );
    expect(errors).toEqual(new Map());
    expect(heapGrowth).toBeLessThanOrEqual(HEAP_BOUND_MB);
    expect(rssGrowth).toBeLessThanOrEqual(RSS_BOUND_MB);
  });
});
