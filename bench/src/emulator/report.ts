import { type BenchResults, DRIVER_LABEL, PEER, signInLabel } from "./options.ts";

/** Columns before `leftColumns` are text (left-aligned); the rest are figures. */
function table(header: string[], rows: string[][], leftColumns = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const ms = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? "-" : n.toFixed(1);
const users = (n: number) => n.toLocaleString("en-US");

/** The human report: one table per measurement, then the goals as PASS / FAIL lines. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  const { machine, settings } = results;
  // One restart per target and pool size (both sign-in flows share it).
  const restarts = results.cycleTime.filter(
    (c, i, all) => all.findIndex((d) => d.target === c.target && d.poolSize === c.poolSize) === i,
  );

  out.push(
    `Gatehouse benchmark, ${results.startedAt} (${(results.durationMs / 1000).toFixed(0)} s)`,
    `node ${machine.node}, ${machine.platform}, ${machine.cpus} × ${machine.cpuModel}`,
    "",
    `Start-up to first answer (spawn → first 200 from GET /health; median of ${settings.startupRuns} after one unmeasured spawn)`,
    table(
      ["target", "mode", "median ms", "runs ms", "first spawn ms"],
      [
        ...results.startup.map((s) => [
          s.target,
          s.mode,
          ms(s.medianMs),
          s.runsMs.map((r) => r.toFixed(0)).join(" "),
          ms(s.coldMs),
        ]),
        ...restarts.map((c) => [
          c.target,
          `restart with ${users(c.poolSize)} users`,
          ms(c.startupMs),
          c.startupMs === null ? "-" : c.startupMs.toFixed(0),
          "-",
        ]),
      ],
    ),
    "",
    `Cycle throughput: AdminCreateUser → AdminSetUserPassword → AdminInitiateAuth → sign-in, ${settings.throughputCycles} cycles on a new pool`,
    table(
      [
        "target",
        "sign-in",
        "client",
        "in flight",
        "accounts/s",
        "× peer",
        "p50 ms",
        "p90 ms",
        "server CPU ms/cycle",
        "client CPU ms/cycle",
      ],
      results.throughput.map((t) => {
        const peer = results.throughput.find(
          (p) => p.target === PEER && p.concurrency === t.concurrency && p.driver === t.driver,
        );
        return [
          t.target,
          signInLabel(t.signIn),
          DRIVER_LABEL[t.driver],
          String(t.concurrency),
          t.accountsPerSecond.toFixed(1),
          peer ? `${(t.accountsPerSecond / peer.accountsPerSecond).toFixed(1)}×` : "-",
          ms(t.p50Ms),
          ms(t.p90Ms),
          ms(t.serverCpuMsPerCycle),
          ms(t.clientCpuMsPerCycle),
        ];
      }),
    ),
    "  cognito-emulator signs in by the email alias, as Gatehouse does; cognito-local, which has no",
    "  aliases, by username. Client CPU is this process: the driving client and the SRP client.",
    "  plain HTTP: the same requests without the SDK (bench/src/http-caller.ts), so its CPU is not",
    "  taken from the servers on a shared machine.",
    "",
    ...perOperationTable(results),
    "",
    `Cycle time in a filled pool: one in flight, ${settings.timeCycles} cycles after ${settings.warmupCycles} unmeasured`,
    table(
      [
        "target",
        "sign-in",
        "users",
        "cycles",
        "p50 ms",
        "p90 ms",
        "first 10%",
        "last 10%",
        "last/first",
        "server CPU ms/cycle",
        "first → last 10%",
      ],
      results.cycleTime.map((c) => [
        c.target,
        signInLabel(c.signIn),
        users(c.poolSize),
        String(c.summary?.count ?? 0),
        ms(c.summary?.p50),
        ms(c.summary?.p90),
        ms(c.summary?.firstDecile),
        ms(c.summary?.lastDecile),
        c.summary ? c.summary.drift.toFixed(2) : "-",
        ms(c.serverCpuMsPerCycle),
        c.serverCpuDeciles
          ? `${c.serverCpuDeciles.first.toFixed(1)} → ${c.serverCpuDeciles.last.toFixed(1)}`
          : "-",
      ]),
    ),
    "  first/last 10%: median cycle time of the first/last tenth of the cycles, in the order they ran.",
    ...results.cycleTime
      .filter((c) => c.note !== undefined)
      .map((c) => `  ${c.target} with ${users(c.poolSize)} users: ${c.note}`),
    ...restarts.map(
      (c) =>
        `  filling ${c.target} with ${users(c.poolSize)} users: ${c.fill.method}, ${(c.fill.ms / 1000).toFixed(1)} s`,
    ),
    "",
    `SRP: the fast client signed in: ${results.srp.fastClientSignedIn ? "yes" : "no"}; amazon-cognito-identity-js signed in: ${
      results.srp.identityJsSignedIn === null
        ? "not run"
        : results.srp.identityJsSignedIn
          ? "yes"
          : "NO"
    }`,
    ...(results.notes.length > 0 ? ["", "Notes", ...results.notes.map((n) => `  ${n}`)] : []),
    "",
    "Goals",
    ...results.checks.map(
      (c) => `${c.pass === null ? "SKIP" : c.pass ? "PASS" : "FAIL"}  ${c.goal}: ${c.detail}`,
    ),
  );
  return out.join("\n");
}

/** Server CPU per operation, ours beside the peer's where both answer it. */
function perOperationTable(results: BenchResults): string[] {
  const ours = results.perOperation.find((p) => p.target !== PEER);
  const peer = results.perOperation.find((p) => p.target === PEER);
  const base = ours ?? peer;
  if (base === undefined) return [];
  const calls = base.costs[0]?.count ?? 0;
  const header = [
    "operation",
    ...(peer ? [`${PEER} CPU ms`] : []),
    ...(ours ? [`${ours.target} CPU ms`] : []),
    ...(peer && ours ? ["peer / ours"] : []),
    ...(ours ? ["round trip ms"] : []),
  ];
  const operations = [
    ...new Set([...(peer?.costs ?? []), ...(ours?.costs ?? [])].map((c) => c.operation)),
  ];
  const rows = operations.map((operation) => {
    const mine = ours?.costs.find((c) => c.operation === operation);
    const theirs = peer?.costs.find((c) => c.operation === operation);
    const ratio =
      mine?.serverCpuMs && theirs?.serverCpuMs
        ? `${(theirs.serverCpuMs / mine.serverCpuMs).toFixed(1)}×`
        : "-";
    return [
      operation,
      ...(peer ? [theirs ? ms(theirs.serverCpuMs) : "(no SRP)"] : []),
      ...(ours ? [ms(mine?.serverCpuMs)] : []),
      ...(peer && ours ? [ratio] : []),
      ...(ours ? [ms(mine?.wallMs)] : []),
    ];
  });
  return [
    `Server CPU per operation: ${calls} calls each, one in flight, plain HTTP client, a new pool`,
    table(header, rows, 1),
    "  CPU of the whole server process (every thread) from /proc, divided by the calls.",
  ];
}
