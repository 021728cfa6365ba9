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
    // Both clients drive every measurement: the AWS SDK v3 and the plain HTTP load generator.
    expect(results.throughput.map((t) => [t.driver, t.signIn, t.concurrency, t.cycles])).toEqual([
      ["sdk", "password", 1, 4],
      ["sdk", "password", 2, 4],
      ["sdk", "srp", 1, 4],
      ["sdk", "srp", 2, 4],
      ["http", "password", 1, 4],
      ["http", "password", 2, 4],
      ["http", "srp", 1, 4],
      ["http", "srp", 2, 4],
    ]);
    for (const t of results.throughput) expect(t.accountsPerSecond).toBeGreaterThan(0);
    // Every step of the cycle on its own, SRP's two included; each call succeeded or the run threw.
    expect(results.perOperation.map((p) => p.target)).toEqual([OURS]);
    expect(results.perOperation[0]?.costs.map((c) => [c.operation, c.count])).toEqual([
      ["AdminCreateUser", 10],
      ["AdminSetUserPassword", 10],
      ["AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH)", 10],
      ["InitiateAuth (USER_PASSWORD_AUTH)", 10],
      ["InitiateAuth (USER_SRP_AUTH)", 10],
      ["RespondToAuthChallenge (PASSWORD_VERIFIER)", 10],
    ]);
    expect(formatReport(results)).toContain("Server CPU per operation");
    expect(results.srp).toEqual({ fastClientSignedIn: true, identityJsSignedIn: true });

    expect(
      results.cycleTime.map((c) => [c.target, c.signIn, c.poolSize, c.summary?.count]),
    ).toEqual([
      [OURS, "password", 20, 4],
      [OURS, "srp", 20, 4],
    ]);
    const throughputChecks = results.checks.filter((c) => c.goal.startsWith("cycle throughput"));
    // Without the peer no ratio can be judged: SRP and like for like, each driver.
    expect(throughputChecks.map((c) => c.pass)).toEqual([null, null, null, null]);
    expect(formatReport(results)).toContain("Goals");
  }, 30_000);
});
