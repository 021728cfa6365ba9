// Runs verify-worker.ts in its own process pinned to one core and reads its figures.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { VerifyInput, VerifyOutput } from "./verify-worker.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const worker = fileURLToPath(new URL("./verify-worker.ts", import.meta.url));

export async function measureVerification(
  input: VerifyInput,
  workDir: string,
  cpus: string,
): Promise<VerifyOutput> {
  const file = join(workDir, "verify-input.json");
  await writeFile(file, JSON.stringify(input));
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  const { stdout } = await run(
    "taskset",
    ["-c", cpus, process.execPath, "--import", tsx, worker, file],
    { maxBuffer: 16 * 1024 * 1024, cwd: workDir },
  );
  const last = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as VerifyOutput;
}
