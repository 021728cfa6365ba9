// Keeps the benchmark from rotting: a tiny run against our emulator only (never the peer here).
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import {
  type BenchResults,
  defaultOptions,
  evaluateGoals,
  OURS,
  PEER,
  runBenchmark,
  type ThroughputResult,
  throughputNotes,
} from "./index.ts";
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
    // Without the peer no ratio can be judged, for either client.
    expect(throughputChecks.map((c) => c.pass)).toEqual([null, null]);
    expect(formatReport(results)).toContain("Goals");
  }, 30_000);
});

describe("the throughput goal", () => {
  const row = (
    target: string,
    signIn: "password" | "srp",
    driver: "sdk" | "http",
    concurrency: number,
    accountsPerSecond: number,
  ): ThroughputResult => ({
    target,
    signIn,
    driver,
    concurrency,
    accountsPerSecond,
    cycles: 300,
    wallMs: (300 * 1000) / accountsPerSecond,
    p50Ms: 1,
    p90Ms: 1,
    serverCpuMsPerCycle: 1,
    clientCpuMsPerCycle: 1,
  });
  const results = (throughput: ThroughputResult[]) =>
    ({ throughput, cycleTime: [], startup: [], perOperation: [] }) as unknown as BenchResults;

  it("is judged like for like at the most cycles in flight, for each client on its own", () => {
    const run = results([
      row(PEER, "password", "sdk", 1, 20),
      row(PEER, "password", "sdk", 8, 50),
      row(PEER, "password", "http", 8, 50),
      row(OURS, "password", "sdk", 1, 60),
      row(OURS, "password", "sdk", 8, 251),
      row(OURS, "srp", "sdk", 8, 150),
      row(OURS, "password", "http", 8, 249),
    ]);
    const checks = evaluateGoals(run).filter((c) => c.goal.startsWith("cycle throughput"));
    expect(checks.map((c) => [c.goal.includes("AWS SDK v3"), c.pass])).toEqual([
      [true, true],
      [false, false],
    ]);
    expect(checks[0]?.detail).toBe("251.0 vs 50.0 accounts/s (5.0×)");
    // What the goal leaves out is still reported: one in flight, and SRP against the peer.
    const notes = throughputNotes(run);
    expect(notes).toContain(
      `${OURS} USER_SRP_AUTH vs ${PEER} USER_PASSWORD_AUTH, 8 in flight, AWS SDK v3: 150.0 vs 50.0 accounts/s (3.0×)`,
    );
    expect(notes.some((n) => n.includes("1 in flight, AWS SDK v3: 60.0 vs 20.0"))).toBe(true);
  });
});
