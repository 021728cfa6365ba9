import { type BenchResults, PEER, signInLabel } from "./benchmark.ts";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || i === 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const ms = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? "-" : n.toFixed(1);

/** The human report: one table per measurement, then the goals as PASS / FAIL lines. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  const { machine, settings } = results;
  out.push(
    `Gatehouse benchmark, ${results.startedAt} (${(results.durationMs / 1000).toFixed(0)} s)`,
    `node ${machine.node}, ${machine.platform}, ${machine.cpus} × ${machine.cpuModel}`,
    "",
    `Start-up to first answer (spawn → GET /health 200; median of ${settings.startupRuns} after one unmeasured spawn)`,
    table(
      ["target", "mode", "median ms", "runs ms", "first spawn ms"],
      results.startup.map((s) => [
        s.target,
        s.mode,
        ms(s.medianMs),
        s.runsMs.map((r) => r.toFixed(0)).join(" "),
        ms(s.coldMs),
      ]),
    ),
    "",
    `Cycle throughput (AdminCreateUser → AdminSetUserPassword → AdminInitiateAuth → sign-in; ${settings.throughputCycles} cycles on a new pool)`,
    table(
      [
        "target",
        "sign-in",
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
          (p) => p.target === PEER && p.concurrency === t.concurrency,
        );
        return [
          t.target,
          signInLabel(t.signIn),
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
    "",
    `Cycle time with the pool already filled (one in flight, ${settings.timeCycles} cycles after ${settings.warmupCycles} unmeasured;`,
    "start-up = restart on the filled data; first/last 10% = median of the first/last tenth of the cycles)",
    table(
      [
        "target",
        "sign-in",
        "users",
        "start-up ms",
        "cycles",
        "p50 ms",
        "p90 ms",
        "first 10%",
        "last 10%",
        "last/first",
        "server CPU ms/cycle",
      ],
      results.cycleTime.map((c) => [
        c.target,
        signInLabel(c.signIn),
        c.poolSize.toLocaleString("en-US"),
        ms(c.startupMs),
        String(c.summary?.count ?? 0),
        ms(c.summary?.p50),
        ms(c.summary?.p90),
        ms(c.summary?.firstDecile),
        ms(c.summary?.lastDecile),
        c.summary ? c.summary.drift.toFixed(2) : "-",
        ms(c.serverCpuMsPerCycle),
      ]),
    ),
  );
  out.push(
    "  (cognito-emulator signs in by the email alias, as Gatehouse does; cognito-local, which has no",
    "  aliases, by username)",
  );
  const notes = results.cycleTime.filter((c) => c.note !== undefined);
  for (const c of notes) {
    out.push(`  note: ${c.target} @${c.poolSize.toLocaleString("en-US")}: ${c.note}`);
  }
  out.push(
    ...results.cycleTime
      .filter(
        (c, i, all) =>
          all.findIndex((d) => d.target === c.target && d.poolSize === c.poolSize) === i,
      )
      .map(
        (c) =>
          `  fill: ${c.target} @${c.poolSize.toLocaleString("en-US")}: ${c.fill.method}, ${(c.fill.ms / 1000).toFixed(1)} s`,
      ),
  );
  out.push(
    "",
    `SRP: fast client signed in: ${results.srp.fastClientSignedIn ? "yes" : "no"}; amazon-cognito-identity-js signed in: ${
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
