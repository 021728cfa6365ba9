// Runs a server under test as a child process on 127.0.0.1 and times its start-up: from the
// moment it is spawned until `GET /health` first answers 200.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export class ServerStartError extends Error {
  readonly code = "SERVER_START_FAILED";
}

/** A port that was free a moment ago (the OS picks it; we release it for the child to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port assigned");
  return address.port;
}

/** Status of one `GET`, or `null` when nothing answers (yet). One socket, no keep-alive. */
export function getStatus(url: string, timeoutMs = 1_000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request(url, { method: "GET", agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on("error", () => resolve(null));
    req.on("timeout", () => {
      req.destroy();
      resolve(null);
    });
    req.end();
  });
}

export interface ServerSpec {
  /** Shown in errors and used for the log file name. */
  name: string;
  /** Node flags (e.g. `--cpu-prof`) and the script with its arguments. */
  nodeArgs: string[];
  cwd: string;
  env?: Record<string, string>;
  port: number;
  /** Where the child's stdout and stderr go. */
  logPath: string;
  /** Give up waiting for the health path after this long. */
  timeoutMs?: number;
  /** Answers 200 once the server is up. Default `/health`. */
  healthPath?: string;
  /** Pin the process to these CPUs (`taskset -c`), e.g. "0". */
  cpus?: string;
}

export interface RunningServer {
  url: string;
  /** Milliseconds from spawn to the first 200 from the health path. */
  startupMs: number;
  child: ChildProcess;
  logPath: string;
  /** CPU time (user + system, all threads) the process has used so far; null off Linux. */
  cpuTimeMs(): number | null;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/** Linux's /proc/<pid>/stat counts CPU time in clock ticks, 100 a second on every common kernel. */
const TICKS_PER_SECOND = 100;

export function processCpuTimeMs(pid: number | undefined): number | null {
  if (pid === undefined || process.platform !== "linux") return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

async function logTail(path: string): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    return text.split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const url = `http://127.0.0.1:${spec.port}`;
  const log = createWriteStream(spec.logPath, { flags: "a" });
  await once(log, "open");
  const started = performance.now();
  // taskset execs node in its own process, so the pid (and its /proc CPU figures) is node's.
  const [command, args] =
    spec.cpus === undefined
      ? [process.execPath, spec.nodeArgs]
      : ["taskset", ["-c", spec.cpus, process.execPath, ...spec.nodeArgs]];
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", log, log],
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });

  const deadline = started + (spec.timeoutMs ?? 30_000);
  for (;;) {
    const status = await getStatus(`${url}${spec.healthPath ?? "/health"}`, 500);
    if (status === 200) break;
    if (exited !== null || performance.now() > deadline) {
      child.kill("SIGKILL");
      const why = exited === null ? "no healthy answer in time" : "it exited";
      throw new ServerStartError(
        `${spec.name} did not start (${why}); log tail:\n${await logTail(spec.logPath)}`,
      );
    }
    await sleep(5);
  }
  const startupMs = performance.now() - started;

  return {
    url,
    startupMs,
    child,
    logPath: spec.logPath,
    cpuTimeMs: () => processCpuTimeMs(child.pid),
    async stop() {
      if (exited === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exit;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
