// `npx tsx bench/src/profile-summary.ts FILE.cpuprofile [N]`: the functions that took the most
// time in a V8 CPU profile (as `npm run bench -- --profile` writes them), without DevTools.
// V8 samples wall time: a syscall that wakes the client and is preempted (`writev` on a busy
// 2-core machine) shows more time than the CPU it used. /proc figures in the report are CPU.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  self: [string, number][];
  inclusive: [string, number][];
}

const label = (node: ProfileNode) => {
  const file = node.callFrame.url.split("/").slice(-2).join("/");
  return `${node.callFrame.functionName || "(anonymous)"} ${file}:${node.callFrame.lineNumber + 1}`;
};

/**
 * Monotonic microseconds, the clock V8 stamps profile samples with on Linux (CLOCK_MONOTONIC, as
 * `process.hrtime`): another process can name a window of a profile by it.
 */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** `window`: only the samples taken between these monotonic microseconds (e.g. one load run). */
export function summarizeProfile(
  profile: Profile,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const sampled = new Map<number, number>();
  let at = profile.startTime;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    first = Math.min(first, at - delta);
    last = Math.max(last, at);
    sampled.set(id, (sampled.get(id) ?? 0) + delta / 1000);
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of sampled) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      const key = label(node);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const idleMs = [...self].filter(([k]) => k.startsWith("(idle)")).reduce((a, [, t]) => a + t, 0);
  return {
    totalMs: window
      ? Math.max(0, last - first) / 1000
      : (profile.endTime - profile.startTime) / 1000,
    idleMs,
    self: sorted(self),
    inclusive: sorted(inclusive),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top = "25"] = process.argv.slice(2);
  if (file === undefined) {
    console.error("usage: profile-summary FILE.cpuprofile [N]");
    process.exit(2);
  }
  const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as Profile);
  const n = Number.parseInt(top, 10);
  const row = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(8)} ms  ${name}`;
  console.log(
    `${summary.totalMs.toFixed(0)} ms sampled, ${(summary.totalMs - summary.idleMs).toFixed(0)} ms busy`,
  );
  console.log("self time:");
  for (const entry of summary.self.slice(0, n)) console.log(row(entry));
  console.log("including callees:");
  for (const entry of summary.inclusive.slice(0, n)) console.log(row(entry));
}
