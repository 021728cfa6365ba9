// The API benchmarks as a section of BENCHMARKS.md: tables, each figure beside its named peer from
// the same run, and the goals of issue 12 judged from them.

import { ATTACK_LABEL } from "./hostile.ts";
import type { ApiBenchResults } from "./index.ts";
import { SERVER_LABEL, type ServerKey } from "./requests.ts";

export interface ApiCheck {
  goal: string;
  pass: boolean | null;
  detail: string;
}

const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const n0 = (v: number) => Math.round(v).toLocaleString("en-US");
const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const header = (cells: string[]) => [row(cells), row(cells.map(() => "---"))];

export function evaluateApiGoals(r: ApiBenchResults): ApiCheck[] {
  const checks: ApiCheck[] = [];
  const find = (server: ServerKey, logging: string, tokens: number) =>
    r.requests.find((q) => q.server === server && q.logging === logging && q.tokens === tokens);
  const ours = [...new Set(r.requests.map((q) => q.server))].filter(
    (s) => s === "pglite" || s === "postgres",
  );
  const one = Math.min(...r.requests.map((q) => q.tokens));
  const many = Math.max(...r.requests.map((q) => q.tokens));
  for (const logging of [...new Set(r.requests.map((q) => q.logging))]) {
    for (const server of ours) {
      const me = find(server, logging, one);
      const judge = (peer: ServerKey, factor: number, tokens: number, mine = me) => {
        const them = find(peer, logging, tokens);
        const goal = `${SERVER_LABEL[server]}, logging ${logging}, ${tokens.toLocaleString("en-US")} token${tokens > 1 ? "s" : ""}: ≥ ${factor}× ${SERVER_LABEL[peer]}`;
        if (!mine || !them) return checks.push({ goal, pass: null, detail: "not run" });
        const cpu =
          mine.serverCpuUs && them.serverCpuUs
            ? `; by server CPU per request ${mine.serverCpuUs.toFixed(0)} vs ${them.serverCpuUs.toFixed(0)} µs (${x(them.serverCpuUs, mine.serverCpuUs)})`
            : "";
        checks.push({
          goal,
          pass: mine.perSecond >= factor * them.perSecond,
          detail: `${n0(mine.perSecond)} vs ${n0(them.perSecond)} req/s (${x(mine.perSecond, them.perSecond)})${cpu}`,
        });
      };
      judge("aws-jwt-verify-lru", 1.0, one);
      judge("ceiling", 0.7, one);
      judge("express", 8, one);
      if (many > one) judge("aws-jwt-verify", 0.9, many, find(server, logging, many));
    }
  }
  const v = (name: string) => r.verification.rows.find((row) => row.verifier === name);
  const first = v("Gatehouse, first sight");
  const repeat = v("Gatehouse, repeat");
  const aws = v("aws-jwt-verify");
  const raw = v("node:crypto RS256 (the limit)");
  if (first && aws) {
    checks.push({
      goal: "token verification, first sight: ≥ 0.95× aws-jwt-verify",
      pass: first.perSecond >= 0.95 * aws.perSecond,
      detail: `${n0(first.perSecond)} vs ${n0(aws.perSecond)} /s (${x(first.perSecond, aws.perSecond)})`,
    });
  }
  if (repeat && raw) {
    checks.push({
      goal: "token verification, repeat: ≥ 10× raw node:crypto RS256",
      pass: repeat.perSecond >= 10 * raw.perSecond,
      detail: `${n0(repeat.perSecond)} vs ${n0(raw.perSecond)} /s (${x(repeat.perSecond, raw.perSecond)})`,
    });
  }
  const handed = r.hostile.filter((h) => h.server === "pglite" || h.server === "postgres");
  checks.push({
    goal: "hostile tokens, keys handed over (local Cognito): no JWKS fetch",
    pass: handed.length === 0 ? null : handed.every((h) => h.jwksFetches === 0),
    detail: handed.map((h) => `${h.attack}: ${h.jwksFetches}`).join(", "),
  });
  const f = r.verification.fetchingVerifier;
  checks.push({
    goal: "hostile tokens, keys fetched (AWS): at most one JWKS fetch per 10 s",
    pass: f.fetches <= Math.max(1, Math.ceil(f.seconds / 10)),
    detail: `${f.fetches} fetch(es) for ${n0(f.tokens)} random-kid tokens in ${f.seconds} s`,
  });
  for (const [setup, expected] of [
    ["set-password", 2],
    ["challenge", 3],
  ] as const) {
    const a = r.accounts.find((row) => row.passwordSetup === setup);
    checks.push({
      goal: `Cognito calls per account, PASSWORD_SETUP=${setup}: ${expected}`,
      pass: a ? Math.abs(a.cognitoCallsPerAccount - expected) < 0.01 : null,
      detail: a
        ? `${a.cognitoCallsPerAccount.toFixed(2)} (${Object.entries(a.calls)
            .map(([op, count]) => `${op} ${count}`)
            .join(", ")} for ${a.created} accounts)`
        : "not run",
    });
  }
  return checks;
}

export function formatApiReport(r: ApiBenchResults, command: string): string {
  const out: string[] = [];
  const { settings } = r;
  const q = settings.requests;
  const one = Math.min(...r.requests.map((row) => row.tokens));
  out.push(
    `Run of ${r.startedAt.slice(0, 16).replace("T", " ")} UTC (${(r.durationMs / 60_000).toFixed(1)} min), command \`${command}\`; node ${r.machine.node}, ${r.machine.cpus} × ${r.machine.cpuModel}. The machine was shared: 1-minute load average ${r.loadAverage.before.toFixed(1)} at the start and ${r.loadAverage.after.toFixed(1)} at the end, on ${r.machine.cpus} cores. Every server runs in its own process pinned to core ${settings.serverCpus}, from one file esbuild bundled from its sources (npm packages loaded from node_modules), as the API's Lambda asset is; the load (${r.generator === "wrk" ? "wrk" : "autocannon, whose one core tops out near 20,000 req/s, so the fastest servers' req/s is partly its figure"}, ${q.connections} connections; hostile traffic and account creation from autocannon) and the local Cognito on core ${settings.loadCpus}. All servers of one logging mode run at once and are measured in turn, ${q.rounds} round(s) of ${q.seconds} s each after ${q.warmupSeconds} s of warm-up; each figure is the median of its rounds. Server CPU per request comes from /proc (all the server's threads), which a neighbour taking the core moves much less than req/s.`,
    "",
    "### `GET /me`: Gatehouse against its peers",
    "",
    ...header([
      "server",
      "logging",
      "tokens",
      "req/s",
      "× LRU peer",
      "× ceiling",
      "p50 ms",
      "p99 ms",
      "server CPU µs/req",
      "rounds req/s",
    ]),
  );
  for (const r0 of r.requests) {
    const peer = (key: ServerKey) =>
      r.requests.find(
        (p) => p.server === key && p.logging === r0.logging && p.tokens === r0.tokens,
      );
    const lru = peer("aws-jwt-verify-lru");
    const ceiling = peer("ceiling");
    out.push(
      row([
        r0.server === "pglite" || r0.server === "postgres"
          ? `**${SERVER_LABEL[r0.server]}**`
          : SERVER_LABEL[r0.server],
        r0.logging,
        r0.tokens.toLocaleString("en-US"),
        n0(r0.perSecond),
        lru ? x(r0.perSecond, lru.perSecond) : "-",
        ceiling ? x(r0.perSecond, ceiling.perSecond) : "-",
        r0.p50Ms.toFixed(0),
        r0.p99Ms.toFixed(0),
        r0.serverCpuUs === null ? "-" : r0.serverCpuUs.toFixed(0),
        r0.rounds.map(n0).join(", "),
      ]),
    );
  }
  out.push(
    "",
    `Logging on: one info line per request (id, status, time) to stdout, which is a file, for every server; off: Gatehouse at LOG_LEVEL=warn, the peers with no logger. With ${Math.max(...r.requests.map((row) => row.tokens)).toLocaleString("en-US")} tokens each request carries the next of that many distinct valid tokens of one account (the verified-token caches of Gatehouse and the LRU peer hold 10,000), so the first round is their first sight of each; with ${one}, the same token every time.`,
  );
  if (r.profiles.length > 0) {
    out.push("", "### Where Gatehouse's core goes under `GET /me` load (CPU profile)", "");
    for (const p of r.profiles) {
      out.push(
        `Logging ${p.logging}: ${n0(p.perSecond)} req/s, ${(p.busyMs / 1000).toFixed(1)} s busy of ${(p.sampledMs / 1000).toFixed(1)} s sampled. Hottest frames by self time, share of busy time:`,
        "",
        ...header(["self", "frame"]),
        ...p.self
          .slice(0, 15)
          .map((s) => row([`${(s.share * 100).toFixed(1)} %`, `\`${s.frame}\``])),
        "",
      );
    }
  }
  out.push(
    "",
    "### Token verification alone (one core, no HTTP)",
    "",
    ...header(["verifier", "verifications/s", "µs each", "× aws-jwt-verify", "× raw RS256"]),
  );
  const awsRow = r.verification.rows.find((v) => v.verifier === "aws-jwt-verify");
  const rawRow = r.verification.rows.find((v) => v.verifier.startsWith("node:crypto"));
  for (const v of r.verification.rows) {
    out.push(
      row([
        v.verifier,
        n0(v.perSecond),
        v.us.toFixed(1),
        awsRow ? x(v.perSecond, awsRow.perSecond) : "-",
        rawRow ? x(v.perSecond, rawRow.perSecond) : "-",
      ]),
    );
  }
  out.push(
    "",
    'Each verifier checks the same distinct valid tokens once per round (first sight for every one of them); Gatehouse\'s is its authenticate hook called directly, a new instance per round, the account cached; "repeat" sends one token every time.',
    "",
    "### Hostile tokens",
    "",
    ...header([
      "server",
      "tokens",
      "req/s",
      "server CPU µs/req",
      "not refused",
      "JWKS fetches caused",
    ]),
    ...r.hostile.map((h) =>
      row([
        SERVER_LABEL[h.server],
        ATTACK_LABEL[h.attack],
        n0(h.perSecond),
        h.serverCpuUs === null ? "-" : h.serverCpuUs.toFixed(0),
        h.notRefused,
        h.jwksFetches,
      ]),
    ),
    "",
    `${n0(r.settings.hostileSeconds)} s of each kind to each server of the \`GET /me\` runs with logging on, after their valid loads; each server reaches Cognito through a pass-through of its own, which counts its key fetches.`,
    "",
    `Against AWS (keys fetched, not handed over), aws-jwt-verify's own key cache with its penalty box, as Gatehouse creates it, with a fetcher that counts: ${n0(r.verification.fetchingVerifier.tokens)} random-kid tokens in ${r.verification.fetchingVerifier.seconds} s caused ${r.verification.fetchingVerifier.fetches} fetch(es).`,
    "",
    "### Account creation against the local Cognito",
    "",
    ...header([
      "",
      "accounts/s",
      "× direct calls",
      "p99 ms",
      "Cognito calls per account",
      "failures",
    ]),
  );
  const direct = r.accounts.find((a) => a.passwordSetup === null);
  for (const a of r.accounts) {
    out.push(
      row([
        a.passwordSetup === null
          ? "the same Cognito calls made directly (the floor)"
          : `Gatehouse \`POST /accounts\`, PASSWORD_SETUP=${a.passwordSetup}`,
        a.perSecond.toFixed(1),
        direct ? x(a.perSecond, direct.perSecond) : "-",
        a.p99Ms === null ? "-" : a.p99Ms.toFixed(0),
        `${a.cognitoCallsPerAccount.toFixed(2)} (${Object.entries(a.calls)
          .map(([op, c]) => `${op} ${c}`)
          .join(", ")})`,
        Object.keys(a.failures).length === 0 ? "none" : JSON.stringify(a.failures),
      ]),
    );
  }
  const s = r.startup;
  out.push(
    "",
    "### Start-up: `npm start` to the first 200 from `/readyz`",
    "",
    ...header(["", "ms", "× the ceiling peer's start"]),
    row(["first start (empty data directory)", n0(s.firstMs), x(s.firstMs, s.peerMs)]),
    s.laterMs.length === 0
      ? row(["later starts", "not measured", "-"])
      : row([
          `later starts (median of ${s.laterMs.length}: ${s.laterMs.map(n0).join(", ")})`,
          n0(s.laterMedianMs),
          x(s.laterMedianMs, s.peerMs),
        ]),
    row(["the ceiling peer (Fastify under tsx), spawn to first 200", n0(s.peerMs), "1.00×"]),
    "",
    "### Goals (issue 12)",
    "",
    ...evaluateApiGoals(r).map(
      (c) =>
        `- ${c.pass === null ? "not judged" : c.pass ? "**met**" : "**missed**"}: ${c.goal} — ${c.detail}`,
    ),
    ...r.notes.map((note) => `- ${note}`),
  );
  return out.join("\n");
}
