// Keeps the benchmark from rotting: a tiny run against our emulator only (never the peer here).
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { defaultOptions, OURS, runBenchmark } from "./benchmark.ts";
import { formatReport } from "./report.ts";

describe("benchmark (quick, cognito-emulator only)", () => {
  it("creates accounts and signs them in through every cycle it measures", async () => {
    const options = {
      ...defaultOptions(true, tmpdir()),
      targets: ["ours" as const],
      throughputCycles: 4,
      concurrencies: [1, 2],
      timeCycles: 4,
      warmupCycles: 1,
      poolSizes: [20],
      startupRuns: 1,
      log: () => {},
    };
    const results = await runBenchmark(options);

    expect(results.startup.map((s) => s.mode)).toEqual(["--in-memory", "empty --data-dir"]);
    for (const s of results.startup) expect(s.medianMs).toBeGreaterThan(0);

    // A cycle only counts when every step answered as Cognito does, sign-in tokens included.
    expect(results.throughput.map((t) => [t.signIn, t.concurrency, t.cycles])).toEqual([
      ["password", 1, 4],
      ["password", 2, 4],
      ["srp", 1, 4],
      ["srp", 2, 4],
    ]);
    for (const t of results.throughput) expect(t.accountsPerSecond).toBeGreaterThan(0);
    expect(results.srp).toEqual({ fastClientSignedIn: true, identityJsSignedIn: true });

    expect(
      results.cycleTime.map((c) => [c.target, c.signIn, c.poolSize, c.summary?.count]),
    ).toEqual([
      [OURS, "password", 20, 4],
      [OURS, "srp", 20, 4],
    ]);
    expect(results.checks.find((c) => c.goal.startsWith("cycle throughput"))?.pass).toBeNull();
    expect(formatReport(results)).toContain("Goals");
  }, 30_000);
});
