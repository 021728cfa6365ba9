// `npm run test:reliability`: every suite at full size, then RELIABILITY.md rewritten from the run
// (also when a check failed: the page then says which). Exits with vitest's status.
import { execFileSync, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { ROOT } from "./processes.ts";
import { renderReport } from "./report.ts";
import { RESULTS_DIR } from "./results.ts";

const started = Date.now();
const loadBefore = loadavg()[0]?.toFixed(1) ?? "?";
// Given suite files, only those run again and the other suites' last results stay on the page.
// `--report-only` writes the page again from the results already there, running nothing.
const reportOnly = process.argv.includes("--report-only");
const only = process.argv.slice(2).filter((arg) => arg !== "--report-only");
if (only.length === 0 && !reportOnly) rmSync(RESULTS_DIR, { recursive: true, force: true });

const code: number = reportOnly
  ? 0
  : await new Promise((resolve) => {
      const vitest = spawn(
        process.execPath,
        [
          path.join(ROOT, "node_modules/vitest/vitest.mjs"),
          "run",
          "--project",
          "reliability",
          "--reporter=default",
          "--reporter=json",
          `--outputFile.json=${path.join(RESULTS_DIR, `vitest-${started}.json`)}`,
          ...only,
        ],
        { cwd: ROOT, stdio: "inherit", env: { ...process.env, RELIABILITY_FULL: "1" } },
      );
      vitest.on("exit", (c) => resolve(c ?? 1));
    });

const commit = (() => {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", ".", ":!RELIABILITY.md"], {
      cwd: ROOT,
    }).toString();
    return `${sha.trim()}${dirty.trim() ? " with uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
})();
const cpu = cpus();
const markdown = renderReport(RESULTS_DIR, {
  date: new Date(),
  commit,
  node: process.version,
  cpus: `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}`,
  loadBefore,
  loadAfter: loadavg()[0]?.toFixed(1) ?? "?",
  seconds: (Date.now() - started) / 1000,
  command: "npm run test:reliability",
});
writeFileSync(path.join(ROOT, "RELIABILITY.md"), markdown);
process.stdout.write(
  `\nRELIABILITY.md written (${code === 0 ? "all held" : "some checks failed"}).\n`,
);
process.exit(code);
