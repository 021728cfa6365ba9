// RELIABILITY.md from one run: vitest's record of which checks passed, and the figures each suite
// wrote while it ran (results.ts). Nothing on the page is typed by hand.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SuiteResult } from "./results.ts";

/** The order of the issue's list; a suite not named here comes after these. */
const ORDER = [
  "token-attacks",
  "fuzz",
  "creation-faults",
  "concurrency",
  "emulator-durability",
  "soak",
  "secrets",
  "rate-limits",
  "dependencies",
];

interface VitestJson {
  startTime: number;
  testResults: {
    name: string;
    status: string;
    startTime: number;
    endTime: number;
    message?: string;
    assertionResults: {
      title: string;
      ancestorTitles: string[];
      status: string;
      duration?: number;
    }[];
  }[];
}

export interface RunFacts {
  date: Date;
  commit: string;
  node: string;
  cpus: string;
  loadBefore: string;
  loadAfter: string;
  seconds: number;
  command: string;
}

const cell = (value: string | number) =>
  String(typeof value === "number" ? Math.round(value * 100) / 100 : value).replaceAll("|", "\\|");

export function renderReport(resultsDir: string, facts: RunFacts): string {
  // One record per run; a suite run again later replaces its earlier result.
  const runs = readdirSync(resultsDir)
    .filter((file) => /^vitest-\d+\.json$/.test(file))
    .map((file) => JSON.parse(readFileSync(path.join(resultsDir, file), "utf8")) as VitestJson)
    .sort((a, b) => a.startTime - b.startTime);
  const latest = new Map<string, VitestJson["testResults"][number]>();
  for (const run of runs) for (const result of run.testResults) latest.set(result.name, result);
  const vitest = { testResults: [...latest.values()] };
  const suites = new Map<string, SuiteResult>();
  for (const file of readdirSync(resultsDir)) {
    if (!file.endsWith(".json") || file.startsWith("vitest-")) continue;
    const result = JSON.parse(readFileSync(path.join(resultsDir, file), "utf8")) as SuiteResult;
    suites.set(result.id, result);
  }
  const files = new Map(
    vitest.testResults.map((t) => [path.basename(t.name).replace(/\.test\.ts$/, ""), t]),
  );
  const ids = [...new Set([...files.keys(), ...suites.keys()])].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );

  const seconds = vitest.testResults.reduce((sum, t) => sum + (t.endTime - t.startTime) / 1000, 0);
  let held = 0;
  let total = 0;
  for (const file of files.values()) {
    for (const check of file.assertionResults) {
      total++;
      if (check.status === "passed") held++;
    }
  }

  const lines: string[] = [
    "# Reliability",
    "",
    "What Gatehouse refuses and what it never loses, tried against real processes: the API",
    "(`packages/server/src/main.ts`), the local Cognito's CLI, PGlite, PostgreSQL and Redis.",
    "",
    `This page is written by \`${facts.command}\`; every figure on it comes from that run. Do not`,
    "edit it by hand. `npm test` runs the same suites at a smaller size (and not the soak) without",
    "touching this page.",
    "",
    `- Written: ${facts.date.toISOString().replace(/\.\d+Z$/, "Z")}, commit \`${facts.commit}\`, Node ${facts.node}, ${facts.cpus}`,
    "- Timings are from a machine shared with other work: read them against each other, not as" +
      " benchmarks (those are in BENCHMARKS.md)",
    `- Checks held: **${held} of ${total}**${total > held ? ` (the rest: ${total - held} failed or not run, named below)` : ""}; the suites ran for ${Math.round(seconds / 60)} min in all`,
    "",
    "| suite | checks held | scale |",
    "| --- | --- | --- |",
  ];
  for (const id of ids) {
    const file = files.get(id);
    const suite = suites.get(id);
    const checks = file?.assertionResults ?? [];
    const passed = checks.filter((c) => c.status === "passed").length;
    const failed = checks.filter((c) => c.status === "failed").length;
    const mark =
      checks.length > 0 && passed === checks.length
        ? "✅"
        : failed > 0 || passed === 0
          ? "❌"
          : "⚠️";
    lines.push(
      `| [${cell(suite?.title ?? id)}](#${anchor(suite?.title ?? id)}) | ${mark} ${passed} of ${checks.length} | ${suite?.scale ?? "—"} |`,
    );
  }
  for (const id of ids) {
    const file = files.get(id);
    const suite = suites.get(id);
    lines.push("", `## ${suite?.title ?? id}`, "");
    if (suite?.about) lines.push(suite.about, "");
    const ran = file?.startTime
      ? `, run ${new Date(file.startTime).toISOString().slice(0, 16)}Z`
      : "";
    lines.push(`Suite: \`reliability/suites/${id}.test.ts\`${ran}`, "");
    for (const check of file?.assertionResults ?? []) {
      const mark =
        check.status === "passed"
          ? "✅ held"
          : check.status === "skipped"
            ? "⚠️ not run"
            : `❌ ${check.status}`;
      const seconds =
        check.duration === undefined ? "" : ` (${(check.duration / 1000).toFixed(1)} s)`;
      lines.push(
        `- ${mark}: ${[...check.ancestorTitles.slice(1), check.title].join(" › ")}${seconds}`,
      );
    }
    if (file && file.status !== "passed" && file.assertionResults.length === 0) {
      lines.push(`- ❌ the suite did not run: ${(file.message ?? "").split("\n")[0]}`);
    }
    if (suite && suite.figures.length > 0) {
      lines.push("", "| figure | value |", "| --- | --- |");
      for (const figure of suite.figures)
        lines.push(`| ${cell(figure.name)} | ${cell(figure.value)} |`);
    }
    for (const table of suite?.tables ?? []) {
      lines.push("", `**${table.title}**`, "");
      lines.push(`| ${table.columns.map(cell).join(" | ")} |`);
      lines.push(`| ${table.columns.map(() => "---").join(" | ")} |`);
      for (const row of table.rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
    }
    for (const note of suite?.notes ?? []) lines.push("", note);
  }
  const decisions = path.join(path.dirname(resultsDir), "audit-decisions.md");
  if (existsSync(decisions)) {
    lines.push(
      "",
      "The written decision for each audit finding: [reliability/audit-decisions.md](reliability/audit-decisions.md).",
    );
  }
  return `${lines.join("\n")}\n`;
}

function rank(id: string): number {
  const index = ORDER.indexOf(id);
  return index < 0 ? ORDER.length : index;
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replaceAll(" ", "-");
}
