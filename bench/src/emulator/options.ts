// The emulator benchmark's settings, result shapes and the two contenders: cognito-local 5.3.0 (the
// peer) and cognito-emulator (ours).
import type { SignIn } from "../account-cycle.ts";
import type { OperationCost } from "../per-operation.ts";
import type { CycleTimeSummary } from "../stats.ts";

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

export const SIGN_IN_FLOW: Record<SignIn, string> = {
  password: "USER_PASSWORD_AUTH",
  srp: "USER_SRP_AUTH",
};
export const signInLabel = (signIn: SignIn) => SIGN_IN_FLOW[signIn];

export interface Contender {
  name: string;
  signIns: SignIn[];
  /** cognito-local has no aliases; ours signs people in by email, as Gatehouse does. */
  signInWithEmail: boolean;
}

export const PEER_CONTENDER: Contender = {
  name: PEER,
  signIns: ["password"],
  signInWithEmail: false,
};
export const OURS_CONTENDER: Contender = {
  name: OURS,
  signIns: ["password", "srp"],
  signInWithEmail: true,
};
