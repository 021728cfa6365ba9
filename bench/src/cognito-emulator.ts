// Ours: the cognito-emulator CLI, run as its own process exactly as a developer starts it.
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { userPoolSettings } from "@gatehouse/pool-settings";
import { BENCH_AUTH_FLOWS, PERMANENT_PASSWORD, type Pool } from "./account-cycle.ts";
import { freePort, type RunningServer, startServer } from "./server-process.ts";

const require = createRequire(import.meta.url);

/** The package's `cognito-emulator` bin. */
export function emulatorBin(): string {
  return join(
    dirname(dirname(require.resolve("@gatehouse/cognito-emulator"))),
    "bin/cognito-emulator.js",
  );
}

/** The production pool settings, minus what would stop a benchmark deleting its own pools. */
export const benchPoolSettings: Record<string, unknown> = {
  ...userPoolSettings,
  DeletionProtection: "INACTIVE",
};

export type Storage = { inMemory: true } | { dataDir: string };

export interface EmulatorStart {
  /** Where the log goes (and, for --cpu-prof, the profile). */
  workDir: string;
  storage: Storage;
  seedPath?: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  timeoutMs?: number;
  /** Pin to these CPUs (`taskset -c`). */
  cpus?: string;
}

export async function startEmulatorCli(options: EmulatorStart): Promise<RunningServer> {
  const port = await freePort();
  const args = ["--host", "127.0.0.1", "--port", String(port)];
  if ("inMemory" in options.storage) args.push("--in-memory");
  else args.push("--data-dir", options.storage.dataDir);
  if (options.seedPath !== undefined) args.push("--seed", options.seedPath);
  return startServer({
    name: "cognito-emulator",
    nodeArgs: [...(options.nodeArgs ?? []), emulatorBin(), ...args],
    cwd: options.workDir,
    port,
    logPath: join(options.workDir, "cognito-emulator.log"),
    timeoutMs: options.timeoutMs,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
}

/** Fixed ids for a seeded pool, of Cognito's own forms. */
export const FILLED_POOL: Pool = {
  poolId: "us-east-1_benchfill",
  clientId: "benchfillclient00000000001",
};

/** Writes a seed file with the bench pool and `count` confirmed users; returns how long it took. */
export async function writeFilledSeed(path: string, count: number): Promise<number> {
  const started = performance.now();
  const users = Array.from({ length: count }, (_, i) => {
    const username = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    return {
      Username: username,
      Attributes: { email: `${username}@fill.example`, email_verified: "true" },
      Password: PERMANENT_PASSWORD,
    };
  });
  const seed = {
    userPools: [
      {
        ...benchPoolSettings,
        Id: FILLED_POOL.poolId,
        PoolName: "bench-filled",
        Clients: [
          {
            ClientId: FILLED_POOL.clientId,
            ClientName: "bench-filled-client",
            GenerateSecret: false,
            ExplicitAuthFlows: BENCH_AUTH_FLOWS,
          },
        ],
        Users: users,
      },
    ],
  };
  await writeFile(path, JSON.stringify(seed));
  return performance.now() - started;
}
