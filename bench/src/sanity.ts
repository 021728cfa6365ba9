// What a smoke run (`--quick`, in CI) must show: every measurement ran and gave figures that make
// sense. No timing thresholds: a shared machine may be slow; it may not be wrong.
import type { ApiBenchResults } from "./api/index.ts";
import type { BenchResults } from "./emulator/index.ts";

const positive = (value: number | null | undefined) =>
  typeof value === "number" && Number.isFinite(value) && value > 0;

export function saneEmulator(r: BenchResults): string[] {
  const problems: string[] = [];
  if (r.startup.length === 0 || !r.startup.every((s) => positive(s.medianMs))) {
    problems.push("emulator start-up: no positive figure");
  }
  if (r.throughput.length === 0 || !r.throughput.every((t) => positive(t.accountsPerSecond))) {
    problems.push("emulator throughput: a measurement with no accounts");
  }
  if (r.srp.identityJsSignedIn === false) problems.push("identity-js could not sign in with SRP");
  return problems;
}

export function saneApi(r: ApiBenchResults): string[] {
  const problems: string[] = [];
  const servers = new Set(r.requests.map((q) => q.server));
  for (const expected of ["ceiling", "aws-jwt-verify-lru", "aws-jwt-verify", "express", "pglite"]) {
    if (!servers.has(expected as never)) problems.push(`GET /me: ${expected} was not measured`);
  }
  for (const q of r.requests) {
    if (!positive(q.perSecond) || !(q.p99Ms >= q.p50Ms)) {
      problems.push(
        `GET /me ${q.server} (${q.logging}, ${q.tokens}): ${q.perSecond} req/s, p50 ${q.p50Ms}, p99 ${q.p99Ms}`,
      );
    }
  }
  if (!r.verification.rows.every((v) => positive(v.perSecond))) {
    problems.push("token verification: a verifier with no figure");
  }
  for (const h of r.hostile) {
    if (h.notRefused > 0)
      problems.push(`hostile ${h.server} ${h.attack}: ${h.notRefused} not refused`);
    if (!positive(h.perSecond)) problems.push(`hostile ${h.server} ${h.attack}: no requests`);
  }
  for (const a of r.accounts) {
    if (!positive(a.perSecond) || Object.keys(a.failures).length > 0) {
      problems.push(
        `accounts ${a.passwordSetup ?? "direct"}: ${a.created} created, failures ${JSON.stringify(a.failures)}`,
      );
    }
    if (a.cognitoCallsPerAccount < 2) {
      problems.push(
        `accounts ${a.passwordSetup ?? "direct"}: ${a.cognitoCallsPerAccount} Cognito calls each`,
      );
    }
  }
  if (!positive(r.startup.firstMs) || !r.startup.laterMs.every(positive)) {
    problems.push("start-up: npm start gave no time to ready");
  }
  return problems;
}
