// Runs in every suite file: once its own afterAll hooks have stopped its processes (vitest runs
// `after` hooks last-registered first, so this one comes last), its run directories go.
import { afterAll } from "vitest";
import { killAll } from "./processes.ts";
import { removeRunDirs } from "./run-dirs.ts";

afterAll(async () => {
  // A suite that failed in its beforeAll may not have stopped its processes: nothing may be
  // writing into a directory while it is removed.
  await killAll();
  removeRunDirs();
});
