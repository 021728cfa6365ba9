// The benchmark of issue 2 §4, in one run: start-up to first answer, account-cycle throughput and
// cycle time in a filled pool, for cognito-local 5.3.0 (the peer) and cognito-emulator (ours),
// each in its own child process on 127.0.0.1 with fresh data under one temporary directory.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { emulatorContext } from "./context.ts";
import { measureCycleTime } from "./cycle-time.ts";
import { compareFilledPools, evaluateGoals, throughputNotes } from "./goals.ts";
import type { BenchOptions, BenchResults } from "./options.ts";
import { measureStartup } from "./startup.ts";
import { measureThroughput } from "./throughput.ts";

export * from "./goals.ts";
export * from "./options.ts";

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
  const context = emulatorContext(options, root, profileDir);
  try {
    const startup = await measureStartup(context);
    const { throughput, perOperation, srp } = await measureThroughput(context);
    const cycleTime = await measureCycleTime(context);
    const { log: _log, resultsDir: _resultsDir, ...settings } = options;
    const results: BenchResults = {
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - t0,
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
      },
      settings,
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
}
