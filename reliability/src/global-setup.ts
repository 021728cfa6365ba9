// vitest's global setup for the reliability suites: the run's temporary directory (run-dirs.ts),
// removed at the end whatever became of the workers, and those of earlier runs killed outright.
import { rmSync } from "node:fs";
import { keepRunDirs, makeRunParent, RUN_DIR_VARIABLE, sweepAbandonedRuns } from "./run-dirs.ts";

export default function setup(): () => void {
  sweepAbandonedRuns();
  const parent = makeRunParent();
  process.env[RUN_DIR_VARIABLE] = parent;
  const remove = () => {
    if (!keepRunDirs()) rmSync(parent, { recursive: true, force: true });
  };
  // Interrupted (Ctrl-C), vitest exits without its teardown: the exit itself still removes it.
  process.once("exit", remove);
  return remove;
}
