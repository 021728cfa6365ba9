// The dependencies that ship: every version pinned, and `npm audit --omit=dev` with a written
// decision (reliability/audit-decisions.md) for each advisory it reports.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../src/processes.ts";
import { SuiteReport } from "../src/results.ts";

const run = promisify(execFile);
const report = new SuiteReport(
  "dependencies",
  "Dependencies",
  "Every workspace's dependencies pinned to exact versions, and `npm audit --omit=dev` (the " +
    "packages that ship) with a written decision for each advisory in " +
    "`reliability/audit-decisions.md`.",
);

function manifests(): string[] {
  const root = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    workspaces: string[];
  };
  return ["package.json", ...root.workspaces.map((w) => path.join(w, "package.json"))];
}

describe("dependencies", () => {
  it("every dependency of every workspace is pinned to one version, with a lock file", () => {
    const loose: string[] = [];
    let count = 0;
    for (const manifest of manifests()) {
      const json = JSON.parse(readFileSync(path.join(ROOT, manifest), "utf8")) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
        for (const [name, version] of Object.entries(json[field] ?? {})) {
          count++;
          if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version))
            loose.push(`${manifest}: ${name}@${version}`);
        }
      }
    }
    expect(readdirSync(ROOT)).toContain("package-lock.json");
    report.figure("declared dependencies (all workspaces)", count);
    report.figure("not pinned to an exact version", loose.length);
    expect(loose).toEqual([]);
  });

  it("npm audit --omit=dev: every advisory has a written decision", async (context) => {
    const decisions = readFileSync(path.join(ROOT, "reliability/audit-decisions.md"), "utf8");
    let output: string;
    try {
      output = (
        await run("npm", ["audit", "--omit=dev", "--json"], {
          cwd: ROOT,
          timeout: 120_000,
          maxBuffer: 64 * 1024 * 1024,
        })
      ).stdout;
    } catch (error) {
      // npm exits non-zero both when it finds advisories and when it cannot ask.
      output = String((error as { stdout?: string }).stdout ?? "");
    }
    const audit = JSON.parse(output || "{}") as {
      message?: string;
      statusCode?: number;
      vulnerabilities?: Record<
        string,
        { severity: string; via: (string | { source: number; url: string; title: string })[] }
      >;
      metadata?: { dependencies?: { prod?: number } };
    };
    if (!audit.vulnerabilities) {
      const why = audit.message ?? "no answer";
      report.figure("npm audit", `NOT RUN: the audit service did not answer (${why})`);
      console.warn(
        `\n!!! npm audit --omit=dev could not ask the registry (${why}); no advisory was judged.\n`,
      );
      context.skip(`the registry's audit service did not answer: ${why}`);
      return;
    }
    const advisories = new Map<string, { name: string; severity: string; title: string }>();
    for (const [name, finding] of Object.entries(audit.vulnerabilities)) {
      for (const via of finding.via) {
        if (typeof via === "string") continue;
        const id = via.url.split("/").pop() ?? String(via.source);
        advisories.set(id, { name, severity: finding.severity, title: via.title });
      }
    }
    const undecided = [...advisories.keys()].filter((id) => !decisions.includes(id));
    report.figure("production packages audited", audit.metadata?.dependencies?.prod ?? "?");
    report.figure("advisories found", advisories.size);
    report.figure("advisories without a written decision", undecided.length);
    if (advisories.size > 0) {
      report.table({
        title: "Advisories",
        columns: ["advisory", "package", "severity", "title", "decision written"],
        rows: [...advisories].map(([id, a]) => [
          id,
          a.name,
          a.severity,
          a.title,
          decisions.includes(id) ? "yes" : "NO",
        ]),
      });
    }
    expect(undecided).toEqual([]);
  });
});
