// `npm start` (the whole local stack: local Cognito, the API, the site) from spawn to the first
// 200 from the API's /readyz: the first start on an empty data directory, then later starts on
// it. Beside it, the floor: the ceiling peer (Fastify under tsx) from spawn to its first 200.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort, getStatus } from "../server-process.ts";
import { quantile } from "../stats.ts";
import type { Cognito } from "./fixture.ts";
import { startPeer } from "./servers.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface StartupResult {
  /** `npm start`'s DATA_DIR: its PGlite database is under `db/`. */
  dataDir: string;
  firstMs: number;
  laterMs: number[];
  laterMedianMs: number;
  /** The ceiling peer, spawn to first 200, median. */
  peerMs: number;
}

/** Whether any process of the group led by `pid` still runs. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function npmStartToReady(dataDir: string, logPath: string): Promise<number> {
  const [port, sitePort, emulatorPort] = [await freePort(), await freePort(), await freePort()];
  const log = createWriteStream(logPath, { flags: "a" });
  await once(log, "open");
  const started = performance.now();
  // Its own process group, so that npm, tsx and node all stop together.
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      PORT: String(port),
      SITE_PORT: String(sitePort),
      COGNITO_EMULATOR_PORT: String(emulatorPort),
      DATA_DIR: dataDir,
    },
  });
  const exited = once(child, "exit");
  let ready: number | null = null;
  try {
    const deadline = started + 300_000;
    while (performance.now() < deadline && child.exitCode === null) {
      if ((await getStatus(`http://127.0.0.1:${port}/readyz`, 500)) === 200) {
        ready = performance.now() - started;
        break;
      }
      await sleep(10);
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, 15_000);
    await exited;
    // npm exits before its children: the API and the local Cognito may still be closing their
    // databases, on the cores the next measurement uses. Wait until the whole group is gone.
    while (child.pid !== undefined && groupAlive(child.pid)) await sleep(20);
    clearTimeout(timer);
    log.end();
  }
  if (ready === null) {
    const tail = (await readFile(logPath, "utf8").catch(() => "")).split("\n").slice(-20);
    throw new Error(`npm start did not answer /readyz with 200; its log ends:\n${tail.join("\n")}`);
  }
  return ready;
}

export async function measureStartup(options: {
  cognito: Cognito;
  workDir: string;
  laterStarts: number;
  serverCpus: string;
}): Promise<StartupResult> {
  const dataDir = join(options.workDir, "npm-start-data");
  await mkdir(dataDir, { recursive: true });
  const logPath = join(options.workDir, "npm-start.log");
  const firstMs = await npmStartToReady(dataDir, logPath);
  const laterMs: number[] = [];
  for (let i = 0; i < options.laterStarts; i++)
    laterMs.push(await npmStartToReady(dataDir, logPath));
  const peers: number[] = [];
  for (let i = 0; i < Math.max(1, options.laterStarts); i++) {
    const peer = await startPeer(
      "ceiling",
      options.cognito,
      options.workDir,
      "off",
      options.serverCpus,
      "tsx",
    );
    peers.push(peer.startupMs);
    await peer.stop();
  }
  return {
    dataDir,
    firstMs,
    laterMs,
    laterMedianMs: quantile(laterMs, 0.5),
    peerMs: quantile(peers, 0.5),
  };
}
