// Cycle time, one in flight, in a pool already filled with users: the peer's JSON file written
// directly, ours through a seed file; then a restart on that data.
import { join } from "node:path";
import { cognitoClient } from "../account-cycle.ts";
import { FILLED_POOL, writeFilledSeed } from "../cognito-emulator.ts";
import { fillCognitoLocalPool, prepareCognitoLocalDir } from "../cognito-local.ts";
import type { RunningServer } from "../server-process.ts";
import { summarizeCycleTimes } from "../stats.ts";
import type { EmulatorContext } from "./context.ts";
import {
  type CycleTimeResult,
  OURS,
  OURS_CONTENDER,
  PEER,
  PEER_CONTENDER,
  signInLabel,
} from "./options.ts";
import { cycles } from "./throughput.ts";

export async function measureCycleTime(context: EmulatorContext): Promise<CycleTimeResult[]> {
  const { options, contenders } = context;
  const { log } = options;
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

  return cycleTime;

  async function peerCycleTime(poolSize: number): Promise<CycleTimeResult> {
    const bounded = poolSize > options.peerMaxPoolSize;
    const dir = await context.freshDir(`peer-${poolSize}`);
    await prepareCognitoLocalDir(dir);
    const first = await context.startPeer(dir);
    const client = cognitoClient(first.url);
    const pool = await context.newPool(client, PEER_CONTENDER, `filled-${poolSize}`);
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
      server = await context.startPeer(dir, bounded ? options.peerBudgetMs : undefined);
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
    const dir = await context.freshDir(`ours-${poolSize}`);
    const storage = { dataDir: join(dir, "data") };
    // Fill: a seed file with every user, applied by one start; then a restart on that data, which
    // is what a developer with a big pool sees every day.
    const fillStarted = performance.now();
    const seedPath = join(dir, "seed.json");
    await writeFilledSeed(seedPath, poolSize);
    const seeded = await context.startOurs(dir, storage, seedPath, 30 * 60_000);
    await seeded.stop();
    const fillMs = performance.now() - fillStarted;
    log(`fill      ${OURS} @${poolSize}: ${(fillMs / 1000).toFixed(1)} s`);

    const server = await context.startOurs(dir, storage, undefined, 5 * 60_000);
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
