// Where the suites keep their data and logs: one directory per run of vitest under the system's
// temporary directory (`gatehouse-reliability-<pid>-…`, made by global-setup.ts), with one
// directory per suite inside it. Each suite's directory goes when its file's hooks are done
// (setup.ts); the run's directory goes when vitest ends, and one whose vitest process is gone
// (killed before its teardown) is removed by the next run. RELIABILITY_KEEP=1 keeps them all, to
// look into a failure.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Set by global-setup.ts for the workers: the run's directory. */
export const RUN_DIR_VARIABLE = "GATEHOUSE_RELIABILITY_TMP";
const PREFIX = "gatehouse-reliability-";

export const keepRunDirs = () => process.env.RELIABILITY_KEEP === "1";

/** The run's directory, made for the run (vitest's main process, pid in the name). */
export function makeRunParent(): string {
  return mkdtempSync(path.join(tmpdir(), `${PREFIX}${process.pid}-`));
}

/** Removes run directories left by a vitest process that no longer exists. */
export function sweepAbandonedRuns(): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || alive(pid)) continue;
    rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const made: string[] = [];

/** A directory for one suite's data and logs, inside the run's directory. */
export function runDir(name: string): string {
  const parent = process.env[RUN_DIR_VARIABLE] ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `gatehouse-${name}-`));
  made.push(dir);
  return dir;
}

/** Removes the directories this process made with runDir (after its processes are stopped). */
export function removeRunDirs(): void {
  if (keepRunDirs()) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
