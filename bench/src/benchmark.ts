// The benchmark of issue 2 §4, in one run: start-up to first answer, account-cycle throughput and
// cycle time in a filled pool, for cognito-local 5.3.0 (the peer) and cognito-emulator (ours),
// each in its own child process on 127.0.0.1 with fresh data under one temporary directory.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import {
  accountCycle,
  type CognitoCaller,
  type CycleResult,
  cognitoClient,
  createPool,
  PERMANENT_PASSWORD,
  type Pool,
  type SignIn,
} from "./account-cycle.ts";
import {
  benchPoolSettings,
  FILLED_POOL,
  type Storage,
  startEmulatorCli,
  writeFilledSeed,
} from "./cognito-emulator.ts";
import {
  fillCognitoLocalPool,
  prepareCognitoLocalDir,
  startCognitoLocal,
} from "./cognito-local.ts";
import { type Ephemeral, newEphemeral } from "./fast-srp.ts";
import { httpCaller } from "./http-caller.ts";
import { identityJsSignIn } from "./identity-js-sign-in.ts";
import { measurePerOperation, type OperationCost } from "./per-operation.ts";
import { runCycles } from "./run-cycles.ts";
import type { RunningServer } from "./server-process.ts";
import { type CycleTimeSummary, quantile, summarizeCycleTimes } from "./stats.ts";

export const PEER = "cognito-local 5.3.0";
export const OURS = "cognito-emulator";

/** `peer` is cognito-local, `ours` is cognito-emulator. */
export type Target = "peer" | "ours";

/**
 * What sends the requests: `sdk` is the AWS SDK v3 client, `http` the same requests from a plain
 * HTTP client (http-caller.ts), which leaves the servers the CPU the SDK would take.
 */
export type Driver = "sdk" | "http";
export const DRIVER_LABEL: Record<Driver, string> = { sdk: "AWS SDK v3", http: "plain HTTP" };

function newCaller(driver: Driver, url: string): CognitoCaller {
  return driver === "sdk" ? cognitoClient(url) : httpCaller(url);
}

export interface BenchOptions {
  /** Which servers to measure (the test suite runs ours only). */
  targets: Target[];
  /** Write a CPU profile of every emulator process to `<resultsDir>/profiles`. */
  profile: boolean;
  /** Cycles per throughput measurement, each on a new, empty pool. */
  throughputCycles: number;
  /** Cycles in flight, one throughput measurement each. */
  concurrencies: number[];
  /** Clients the throughput is measured with, one measurement each. */
  drivers: Driver[];
  /** Calls per operation for the server-CPU-per-operation table. */
  perOperationCalls: number;
  /** Cycles per cycle-time measurement, one in flight. */
  timeCycles: number;
  /** Unmeasured cycles first, so the JIT is warm before the clock runs. */
  warmupCycles: number;
  /** Users already in the pool for the cycle-time measurements. */
  poolSizes: number[];
  /** Largest pool the peer gets a full measurement on; above it, one attempt bounded in time. */
  peerMaxPoolSize: number;
  /** Time budget for the peer's bounded attempt (its start-up and its cycles, each). */
  peerBudgetMs: number;
  /** Measured spawns per start-up figure (after one unmeasured spawn that warms caches). */
  startupRuns: number;
  resultsDir: string;
  log: (line: string) => void;
}

export function defaultOptions(quick: boolean, resultsDir: string): BenchOptions {
  return quick
    ? {
        targets: ["peer", "ours"],
        profile: false,
        throughputCycles: 20,
        concurrencies: [1, 4],
        drivers: ["sdk", "http"],
        perOperationCalls: 10,
        timeCycles: 20,
        warmupCycles: 3,
        poolSizes: [100],
        peerMaxPoolSize: 100,
        peerBudgetMs: 10_000,
        startupRuns: 1,
        resultsDir,
        log: console.log,
      }
    : {
        targets: ["peer", "ours"],
        profile: false,
        throughputCycles: 300,
        concurrencies: [1, 8],
        drivers: ["sdk", "http"],
        perOperationCalls: 300,
        timeCycles: 300,
        warmupCycles: 30,
        poolSizes: [1_000, 100_000],
        peerMaxPoolSize: 1_000,
        peerBudgetMs: 60_000,
        startupRuns: 3,
        resultsDir,
        log: console.log,
      };
}

export interface StartupResult {
  target: string;
  mode: string;
  /** The first, unmeasured spawn (cold caches). */
  coldMs: number;
  runsMs: number[];
  medianMs: number;
}

export interface ThroughputResult {
  target: string;
  signIn: SignIn;
  driver: Driver;
  concurrency: number;
  cycles: number;
  wallMs: number;
  accountsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  /** CPU the server process used per cycle (all its threads); null where /proc is missing. */
  serverCpuMsPerCycle: number | null;
  /** CPU this process (the driving client, SRP client) used per cycle. */
  clientCpuMsPerCycle: number;
}

export interface CycleTimeResult {
  target: string;
  signIn: SignIn;
  poolSize: number;
  /** How the pool was filled, and how long it took. */
  fill: { method: string; ms: number };
  /** Start-up to first answer, restarting on the filled data. */
  startupMs: number | null;
  summary: CycleTimeSummary | null;
  serverCpuMsPerCycle: number | null;
  /**
   * Server CPU per cycle in the first and last tenth of the run: unlike wall time, a neighbour
   * taking the cores barely moves it (Linux counts CPU in 10 ms ticks, so ±1 tick per tenth).
   */
  serverCpuDeciles: { first: number; last: number } | null;
  /** True when the time budget ended the run before all cycles. */
  budgetHit: boolean;
  note?: string;
}

export interface Check {
  goal: string;
  /** `null` when the run could not decide it (e.g. the peer was not run). */
  pass: boolean | null;
  detail: string;
}

export interface BenchResults {
  startedAt: string;
  durationMs: number;
  machine: { node: string; platform: string; cpus: number; cpuModel: string };
  settings: Omit<BenchOptions, "log" | "resultsDir">;
  startup: StartupResult[];
  throughput: ThroughputResult[];
  /** Each step of the cycle on its own, plain HTTP client, on a new pool. */
  perOperation: { target: string; costs: OperationCost[] }[];
  cycleTime: CycleTimeResult[];
  srp: { fastClientSignedIn: boolean; identityJsSignedIn: boolean | null };
  checks: Check[];
  /** Comparisons worth reading beside the goals. */
  notes: string[];
}

const SIGN_IN_FLOW: Record<SignIn, string> = {
  password: "USER_PASSWORD_AUTH",
  srp: "USER_SRP_AUTH",
};
export const signInLabel = (signIn: SignIn) => SIGN_IN_FLOW[signIn];

interface Contender {
  name: string;
  signIns: SignIn[];
  /** cognito-local has no aliases; ours signs people in by email, as Gatehouse does. */
  signInWithEmail: boolean;
}

const PEER_CONTENDER: Contender = { name: PEER, signIns: ["password"], signInWithEmail: false };
const OURS_CONTENDER: Contender = {
  name: OURS,
  signIns: ["password", "srp"],
  signInWithEmail: true,
};

export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const startedAt = new Date();
  const t0 = performance.now();
  const root = await mkdtemp(join(tmpdir(), "gatehouse-bench-"));
  const profileDir = join(options.resultsDir, "profiles");
  if (options.profile) {
    // Profiles from an earlier run would be mistaken for this one's.
    await rm(profileDir, { recursive: true, force: true });
    await mkdir(profileDir, { recursive: true });
  }
  const oursNodeArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  let dirCount = 0;
  const freshDir = async (label: string) => {
    const dir = join(root, `${String(++dirCount).padStart(2, "0")}-${label}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const includePeer = options.targets.includes("peer");
  const includeOurs = options.targets.includes("ours");
  const contenders = [
    ...(includePeer ? [PEER_CONTENDER] : []),
    ...(includeOurs ? [OURS_CONTENDER] : []),
  ];
  const { log } = options;

  const startPeer = async (dir: string, timeoutMs?: number) =>
    startCognitoLocal(dir, { timeoutMs });
  const startOurs = async (dir: string, storage: Storage, seedPath?: string, timeoutMs?: number) =>
    startEmulatorCli({ workDir: dir, storage, seedPath, nodeArgs: oursNodeArgs, timeoutMs });
  const startFresh = async (contender: Contender): Promise<RunningServer> => {
    const dir = await freshDir(contender === PEER_CONTENDER ? "peer" : "ours");
    if (contender === PEER_CONTENDER) {
      await prepareCognitoLocalDir(dir);
      return startPeer(dir);
    }
    return startOurs(dir, { dataDir: join(dir, "data") });
  };
  const newPool = (client: CognitoCaller, contender: Contender, name: string) =>
    createPool(client, name, contender === OURS_CONTENDER ? benchPoolSettings : {});

  try {
    // --- start-up to first answer ---
    const startup: StartupResult[] = [];
    const startupModes: { target: string; mode: string; start: () => Promise<RunningServer> }[] =
      [];
    if (includePeer) {
      startupModes.push({
        target: PEER,
        mode: "empty data dir",
        start: async () => {
          const dir = await freshDir("peer-startup");
          await prepareCognitoLocalDir(dir);
          return startPeer(dir);
        },
      });
    }
    if (includeOurs) {
      startupModes.push(
        {
          target: OURS,
          mode: "--in-memory",
          start: async () => startOurs(await freshDir("ours-startup"), { inMemory: true }),
        },
        {
          target: OURS,
          mode: "empty --data-dir",
          start: async () => {
            const dir = await freshDir("ours-startup");
            return startOurs(dir, { dataDir: join(dir, "data") });
          },
        },
      );
    }
    for (const mode of startupModes) {
      const times: number[] = [];
      for (let run = 0; run <= options.startupRuns; run++) {
        const server = await mode.start();
        times.push(server.startupMs);
        await server.stop();
      }
      const [coldMs = Number.NaN, ...runsMs] = times;
      const medianMs = quantile(runsMs, 0.5);
      startup.push({ target: mode.target, mode: mode.mode, coldMs, runsMs, medianMs });
      log(`start-up  ${mode.target} (${mode.mode}): ${medianMs.toFixed(0)} ms`);
    }

    // --- throughput: every server up at once, measured in turn, so a change in the load of a
    // shared machine touches all of them alike ---
    const throughput: ThroughputResult[] = [];
    const perOperation: BenchResults["perOperation"] = [];
    const srp: BenchResults["srp"] = { fastClientSignedIn: false, identityJsSignedIn: null };
    const running: {
      contender: Contender;
      server: RunningServer;
      clients: Record<Driver, CognitoCaller>;
    }[] = [];
    try {
      for (const contender of contenders) {
        const server = await startFresh(contender);
        running.push({
          contender,
          server,
          clients: { sdk: newCaller("sdk", server.url), http: newCaller("http", server.url) },
        });
      }
      for (const { contender, server, clients } of running) {
        for (const signIn of contender.signIns) {
          for (const driver of options.drivers) {
            const client = clients[driver];
            const warm = await newPool(client, contender, `warmup-${signIn}-${driver}`);
            await cycles({
              client,
              server,
              pool: warm,
              contender,
              signIn,
              count: options.warmupCycles,
              concurrency: 1,
            });
            if (signIn === "srp" && driver === options.drivers[0]) {
              srp.fastClientSignedIn = true;
              srp.identityJsSignedIn = await checkIdentityJs(client, server.url, warm, contender);
              log(`srp       identity-js signs in: ${srp.identityJsSignedIn ? "yes" : "NO"}`);
            }
          }
        }
      }
      for (const concurrency of options.concurrencies) {
        for (const driver of options.drivers) {
          for (const { contender, server, clients } of running) {
            for (const signIn of contender.signIns) {
              const client = clients[driver];
              const pool = await newPool(
                client,
                contender,
                `throughput-${signIn}-${driver}-${concurrency}`,
              );
              const run = await cycles({
                client,
                server,
                pool,
                contender,
                signIn,
                count: options.throughputCycles,
                concurrency,
              });
              const result: ThroughputResult = {
                target: contender.name,
                signIn,
                driver,
                concurrency,
                cycles: run.completed,
                wallMs: run.wallMs,
                accountsPerSecond: (run.completed * 1000) / run.wallMs,
                p50Ms: quantile(run.timesMs, 0.5),
                p90Ms: quantile(run.timesMs, 0.9),
                serverCpuMsPerCycle: run.serverCpuMsPerCycle,
                clientCpuMsPerCycle: run.clientCpuMsPerCycle,
              };
              throughput.push(result);
              log(
                `cycles/s  ${contender.name} ${signInLabel(signIn)} ${DRIVER_LABEL[driver]} ×${concurrency}: ${result.accountsPerSecond.toFixed(1)}`,
              );
            }
          }
        }
      }
      for (const { contender, server, clients } of running) {
        const client = clients.http;
        const costs = await measurePerOperation({
          client,
          server,
          pool: await newPool(client, contender, "per-operation"),
          count: options.perOperationCalls,
          signInWithEmail: contender.signInWithEmail,
          srp: contender.signIns.includes("srp"),
        });
        perOperation.push({ target: contender.name, costs });
        log(`per-op    ${contender.name}: ${costs.length} operations`);
      }
    } finally {
      for (const { server, clients } of running) {
        clients.sdk.destroy();
        clients.http.destroy();
        await server.stop();
      }
    }
    throughput.sort(
      (a, b) =>
        contenders.findIndex((c) => c.name === a.target) -
          contenders.findIndex((c) => c.name === b.target) ||
        b.driver.localeCompare(a.driver) ||
        a.signIn.localeCompare(b.signIn) ||
        a.concurrency - b.concurrency,
    );

    // --- cycle time in a filled pool ---
    const cycleTime: CycleTimeResult[] = [];
    for (const poolSize of options.poolSizes) {
      for (const contender of contenders) {
        const results =
          contender === PEER_CONTENDER
            ? [await peerCycleTime(poolSize)]
            : await oursCycleTime(poolSize);
        for (const result of results) {
          cycleTime.push(result);
          const s = result.summary;
          log(
            `cycle     ${result.target} ${signInLabel(result.signIn)} @${poolSize}: ${
              s === null
                ? (result.note ?? "no result")
                : `p50 ${s.p50.toFixed(1)} ms, last/first decile ${s.drift.toFixed(2)}`
            }`,
          );
        }
      }
    }

    const results: BenchResults = {
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - t0,
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
      },
      settings: {
        targets: options.targets,
        profile: options.profile,
        throughputCycles: options.throughputCycles,
        concurrencies: options.concurrencies,
        drivers: options.drivers,
        perOperationCalls: options.perOperationCalls,
        timeCycles: options.timeCycles,
        warmupCycles: options.warmupCycles,
        poolSizes: options.poolSizes,
        peerMaxPoolSize: options.peerMaxPoolSize,
        peerBudgetMs: options.peerBudgetMs,
        startupRuns: options.startupRuns,
      },
      startup,
      throughput,
      perOperation,
      cycleTime,
      srp,
      checks: [],
      notes: [],
    };
    results.checks = evaluateGoals(results);
    results.notes = [...throughputNotes(results), ...compareFilledPools(results)];
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  async function peerCycleTime(poolSize: number): Promise<CycleTimeResult> {
    const bounded = poolSize > options.peerMaxPoolSize;
    const dir = await freshDir(`peer-${poolSize}`);
    await prepareCognitoLocalDir(dir);
    const first = await startPeer(dir);
    const client = cognitoClient(first.url);
    const pool = await newPool(client, PEER_CONTENDER, `filled-${poolSize}`);
    client.destroy();
    await first.stop();
    const fillMs = await fillCognitoLocalPool(dir, pool.poolId, poolSize);
    const base = {
      target: PEER,
      signIn: "password" as const,
      poolSize,
      fill: { method: "users written into its JSON data file", ms: fillMs },
    };
    let server: RunningServer;
    try {
      server = await startPeer(dir, bounded ? options.peerBudgetMs : undefined);
    } catch (error) {
      return {
        ...base,
        startupMs: null,
        summary: null,
        serverCpuMsPerCycle: null,
        serverCpuDeciles: null,
        budgetHit: true,
        note: `did not start within ${options.peerBudgetMs / 1000} s: ${String(error).split("\n")[0]}`,
      };
    }
    try {
      const filledClient = cognitoClient(server.url);
      const warmup = bounded ? Math.min(options.warmupCycles, 2) : options.warmupCycles;
      const common = {
        client: filledClient,
        server,
        pool,
        contender: PEER_CONTENDER,
        signIn: "password" as const,
        concurrency: 1,
      };
      await cycles({ ...common, count: warmup });
      const run = await cycles({
        ...common,
        count: options.timeCycles,
        budgetMs: bounded ? options.peerBudgetMs : undefined,
      });
      filledClient.destroy();
      return {
        ...base,
        startupMs: server.startupMs,
        summary: run.completed > 0 ? summarizeCycleTimes(run.timesMs) : null,
        serverCpuMsPerCycle: run.serverCpuMsPerCycle,
        serverCpuDeciles: run.serverCpuDeciles,
        budgetHit: run.budgetHit,
        note: run.budgetHit
          ? `only ${run.completed} of ${options.timeCycles} cycles within ${options.peerBudgetMs / 1000} s`
          : undefined,
      };
    } finally {
      await server.stop();
    }
  }

  async function oursCycleTime(poolSize: number): Promise<CycleTimeResult[]> {
    const dir = await freshDir(`ours-${poolSize}`);
    const storage = { dataDir: join(dir, "data") };
    // Fill: a seed file with every user, applied by one start; then a restart on that data, which
    // is what a developer with a big pool sees every day.
    const fillStarted = performance.now();
    const seedPath = join(dir, "seed.json");
    await writeFilledSeed(seedPath, poolSize);
    const seeded = await startOurs(dir, storage, seedPath, 30 * 60_000);
    await seeded.stop();
    const fillMs = performance.now() - fillStarted;
    log(`fill      ${OURS} @${poolSize}: ${(fillMs / 1000).toFixed(1)} s`);

    const server = await startOurs(dir, storage, undefined, 5 * 60_000);
    const results: CycleTimeResult[] = [];
    try {
      const client = cognitoClient(server.url);
      for (const signIn of OURS_CONTENDER.signIns) {
        const common = {
          client,
          server,
          pool: FILLED_POOL,
          contender: OURS_CONTENDER,
          signIn,
          concurrency: 1,
        };
        await cycles({ ...common, count: options.warmupCycles });
        const run = await cycles({ ...common, count: options.timeCycles });
        results.push({
          target: OURS,
          signIn,
          poolSize,
          fill: {
            method: "seed file (Users with Password) applied by a start with --seed",
            ms: fillMs,
          },
          startupMs: server.startupMs,
          summary: summarizeCycleTimes(run.timesMs),
          serverCpuMsPerCycle: run.serverCpuMsPerCycle,
          serverCpuDeciles: run.serverCpuDeciles,
          budgetHit: false,
        });
      }
      client.destroy();
    } finally {
      await server.stop();
    }
    return results;
  }
}

interface CyclesRequest {
  client: CognitoCaller;
  server: RunningServer;
  pool: Pool;
  contender: Contender;
  signIn: SignIn;
  count: number;
  concurrency: number;
  budgetMs?: number;
}

/**
 * Runs `count` cycles and says what they cost: wall time, and CPU on each side. SRP secrets are
 * drawn before the clock starts.
 */
async function cycles(request: CyclesRequest) {
  const { client, server, pool, contender, signIn, count, concurrency, budgetMs } = request;
  const ephemerals: Ephemeral[] =
    signIn === "srp" ? Array.from({ length: count }, newEphemeral) : [];
  const serverCpuBefore = server.cpuTimeMs();
  const clientCpuBefore = process.cpuUsage();
  // One in flight, the server's CPU after each cycle is that cycle's alone: deciles of CPU tell a
  // server that slows down from a neighbour on the machine taking the cores.
  const serverCpuAfter: (number | null)[] = [];
  const afterCycle =
    concurrency === 1
      ? (index: number) => {
          serverCpuAfter[index] = server.cpuTimeMs();
        }
      : undefined;
  const run = await runCycles({ count, concurrency, budgetMs, afterCycle }, async (index) => {
    await accountCycle({
      client,
      pool,
      signIn,
      signInWithEmail: contender.signInWithEmail,
      ephemeral: ephemerals[index],
    });
  });
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuEnd = server.cpuTimeMs();
  const perCycle = (ms: number) => (run.completed > 0 ? ms / run.completed : Number.NaN);
  return {
    ...run,
    serverCpuMsPerCycle:
      serverCpuBefore === null || serverCpuEnd === null
        ? null
        : perCycle(serverCpuEnd - serverCpuBefore),
    serverCpuDeciles: cpuDeciles(serverCpuBefore, serverCpuAfter, run.completed),
    clientCpuMsPerCycle: perCycle((clientCpu.user + clientCpu.system) / 1000),
  };
}

/** Server CPU per cycle over the first and the last tenth of a run, from per-cycle readings. */
function cpuDeciles(
  before: number | null,
  after: readonly (number | null)[],
  completed: number,
): { first: number; last: number } | null {
  const tenth = Math.floor(completed / 10);
  if (before === null || tenth === 0 || after.length < completed) return null;
  const firstEnd = after[tenth - 1];
  const lastStart = after[completed - tenth - 1];
  const lastEnd = after[completed - 1];
  if (firstEnd == null || lastStart == null || lastEnd == null) return null;
  return { first: (firstEnd - before) / tenth, last: (lastEnd - lastStart) / tenth };
}

async function checkIdentityJs(
  client: CognitoCaller,
  url: string,
  pool: Pool,
  contender: Contender,
): Promise<boolean> {
  const account: CycleResult = await accountCycle({
    client,
    pool,
    signIn: "password",
    signInWithEmail: contender.signInWithEmail,
  });
  const name = contender.signInWithEmail ? account.email : account.username;
  const username = await identityJsSignIn(url, pool, name, PERMANENT_PASSWORD);
  return username === account.username;
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

export function evaluateGoals(results: BenchResults): Check[] {
  const checks: Check[] = [];

  // ≥ 5× cognito-local's cycle throughput. Throughput is what a server sustains when it is kept
  // busy, so the goal is judged at the most cycles in flight, on the cycle cognito-local supports
  // (USER_PASSWORD_AUTH in place of SRP) for both, with each client on its own. One in flight and
  // our SRP cycle against its password cycle are in throughputNotes.
  const drivers = [...new Set(results.throughput.map((t) => t.driver))];
  const busiest = Math.max(0, ...results.throughput.map((t) => t.concurrency));
  for (const driver of drivers.length > 0 ? drivers : (["sdk"] as Driver[])) {
    const goal = `cycle throughput ≥ 5× cognito-local's (both USER_PASSWORD_AUTH, ${busiest} in flight, driven by ${DRIVER_LABEL[driver]})`;
    const find = (target: string) =>
      results.throughput.find(
        (t) =>
          t.target === target &&
          t.signIn === "password" &&
          t.concurrency === busiest &&
          t.driver === driver,
      );
    const ours = find(OURS);
    const peer = find(PEER);
    checks.push(
      ours && peer
        ? {
            goal,
            pass: ours.accountsPerSecond >= 5 * peer.accountsPerSecond,
            detail: `${ours.accountsPerSecond.toFixed(1)} vs ${peer.accountsPerSecond.toFixed(1)} accounts/s (${ratio(ours.accountsPerSecond, peer.accountsPerSecond)})`,
          }
        : { goal, pass: null, detail: "cognito-local or cognito-emulator was not run" },
    );
  }

  // Last-decile cycle time within 1.2× of the first decile, in the largest pool.
  const largest = Math.max(0, ...results.cycleTime.map((r) => r.poolSize));
  const flat = results.cycleTime.filter((r) => r.target === OURS && r.poolSize === largest);
  checks.push({
    goal: `last-decile cycle time ≤ 1.2× first decile with ${largest.toLocaleString("en-US")} users`,
    pass:
      flat.length === 0 ? null : flat.every((r) => r.summary !== null && r.summary.drift <= 1.2),
    detail:
      flat.length === 0
        ? "cognito-emulator was not run"
        : flat
            .map(
              (r) =>
                `${signInLabel(r.signIn)}: ${r.summary?.firstDecile.toFixed(1)} → ${r.summary?.lastDecile.toFixed(1)} ms (${r.summary?.drift.toFixed(2)}×${
                  r.serverCpuDeciles
                    ? `; server CPU ${r.serverCpuDeciles.first.toFixed(1)} → ${r.serverCpuDeciles.last.toFixed(1)} ms`
                    : ""
                })`,
            )
            .join("; "),
  });

  // Start-up to first answer under 0.5 s.
  const oursStartup = results.startup.filter((s) => s.target === OURS);
  checks.push({
    goal: "start-up to first answer < 0.5 s",
    pass: oursStartup.length === 0 ? null : oursStartup.every((s) => s.medianMs < 500),
    detail:
      oursStartup.length === 0
        ? "cognito-emulator was not run"
        : oursStartup.map((s) => `${s.mode}: ${s.medianMs.toFixed(0)} ms`).join("; "),
  });
  return checks;
}

/** Every throughput ratio the goal does not judge: one in flight, and our SRP cycle against its password cycle. */
export function throughputNotes(results: BenchResults): string[] {
  const notes: string[] = [];
  for (const t of results.throughput) {
    if (t.target !== OURS) continue;
    const peer = results.throughput.find(
      (p) => p.target === PEER && p.concurrency === t.concurrency && p.driver === t.driver,
    );
    if (!peer) continue;
    notes.push(
      `${OURS} ${signInLabel(t.signIn)} vs ${PEER} USER_PASSWORD_AUTH, ${t.concurrency} in flight, ${DRIVER_LABEL[t.driver]}: ${t.accountsPerSecond.toFixed(1)} vs ${peer.accountsPerSecond.toFixed(1)} accounts/s (${ratio(t.accountsPerSecond, peer.accountsPerSecond)})`,
    );
  }
  return notes;
}

/** What the cycle-time runs say beside the goals: the peer against ours in the same filled pool. */
export function compareFilledPools(results: BenchResults): string[] {
  const notes: string[] = [];
  const find = (target: string, signIn: SignIn, poolSize: number) =>
    results.cycleTime.find(
      (c) => c.target === target && c.signIn === signIn && c.poolSize === poolSize && c.summary,
    )?.summary;
  const sizes = [...new Set(results.cycleTime.map((c) => c.poolSize))].sort((a, b) => a - b);
  for (const size of sizes) {
    const peer = find(PEER, "password", size);
    const srp = find(OURS, "srp", size);
    const password = find(OURS, "password", size);
    if (!peer || !srp || !password) continue;
    const rate = (mean: number) => 1000 / mean;
    notes.push(
      `with ${size.toLocaleString("en-US")} users, one in flight: ${OURS} ${rate(srp.mean).toFixed(1)} accounts/s with SRP (${ratio(rate(srp.mean), rate(peer.mean))}) and ${rate(password.mean).toFixed(1)} with USER_PASSWORD_AUTH (${ratio(rate(password.mean), rate(peer.mean))}) vs ${PEER} ${rate(peer.mean).toFixed(2)}`,
    );
  }
  const smallest = sizes[0];
  const largest = sizes[sizes.length - 1];
  if (smallest !== undefined && largest !== undefined && smallest !== largest) {
    for (const signIn of ["password", "srp"] as const) {
      const small = find(OURS, signIn, smallest);
      const large = find(OURS, signIn, largest);
      if (!small || !large) continue;
      notes.push(
        `${OURS} ${signInLabel(signIn)} p50 with ${largest.toLocaleString("en-US")} users vs ${smallest.toLocaleString("en-US")}: ${large.p50.toFixed(1)} vs ${small.p50.toFixed(1)} ms (${(large.p50 / small.p50).toFixed(2)}×)`,
      );
    }
  }
  return notes;
}
