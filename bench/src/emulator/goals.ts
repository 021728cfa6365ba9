// The goals of the local Cognito's benchmark, judged from one run's figures, and the ratios worth
// reading beside them.
import type { SignIn } from "../account-cycle.ts";
import {
  type BenchResults,
  type Check,
  DRIVER_LABEL,
  type Driver,
  OURS,
  PEER,
  signInLabel,
} from "./options.ts";

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
