// The real processes under test: the local Cognito's CLI and the API's `main.ts`, each a child
// process on a free port, with everything it prints kept (in memory and in a file, for the
// secrets suite) and a SIGKILL that leaves its data as a crash would.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { localPool, localSeed } from "@gatehouse/server";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const EMULATOR_BIN = path.join(ROOT, "packages/cognito-emulator/bin/cognito-emulator.js");

export { runDir } from "./run-dirs.ts";

/** A port that was free a moment ago. */
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

export interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Where that output is also written. */
  readonly logFile: string;
  /** Resolves when the process has exited (at once if it already has). */
  exited(): Promise<void>;
  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

function track(child: ChildProcess, logFile: string): Child {
  let text = "";
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      resolve();
    });
  });
  const keep = (chunk: Buffer) => {
    const part = chunk.toString();
    text += part;
    appendFileSync(logFile, part);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const signal = async (name: NodeJS.Signals) => {
    if (!done) child.kill(name);
    await exit;
  };
  return {
    child,
    pid: child.pid ?? -1,
    logFile,
    output: () => text,
    exited: () => exit,
    kill: () => signal("SIGKILL"),
    async stop() {
      if (done) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await signal("SIGTERM");
      clearTimeout(timer);
    },
  };
}

/** Every process started here, so a failing suite leaves none behind. */
const started = new Set<Child>();
process.once("exit", () => {
  for (const c of started) c.child.kill("SIGKILL");
});
export async function killAll(): Promise<void> {
  await Promise.all([...started].map((c) => c.kill()));
  started.clear();
}

function spawnTracked(args: string[], env: Record<string, string>, logFile: string): Child {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tracked = track(child, logFile);
  started.add(tracked);
  tracked.exited().then(() => started.delete(tracked));
  return tracked;
}

export interface EmulatorProcess extends Child {
  url: string;
  dataDir: string | null;
}

export interface EmulatorProcessOptions {
  /** Keep the journal here; null for in memory. */
  dataDir: string | null;
  logFile: string;
  /** Reuse this port (a restart keeps the address the API was given). Default: a free one. */
  port?: number;
  fsync?: boolean;
}

/** The local Cognito's CLI, seeded with the production pool settings under the local ids. */
export async function startEmulatorProcess(
  options: EmulatorProcessOptions,
): Promise<EmulatorProcess> {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const seedFile = path.join(path.dirname(options.logFile), "seed.json");
  if (!existsSync(seedFile)) appendFileSync(seedFile, JSON.stringify(localSeed()));
  const args = [EMULATOR_BIN, "--port", String(options.port ?? 0), "--seed", seedFile];
  if (options.dataDir) args.push("--data-dir", options.dataDir);
  else args.push("--in-memory");
  if (options.fsync) args.push("--fsync");
  const proc = spawnTracked(args, {}, options.logFile);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(proc.output());
    if (match?.[1]) return { ...proc, url: match[1], dataDir: options.dataDir };
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      await proc.kill();
      throw new Error(`the local Cognito did not start:\n${proc.output()}`);
    }
    await sleep(20);
  }
}

/** The API's entry bundled once per source change, so each (re)start costs no TypeScript load. */
const bundling = new Map<string, Promise<string>>();
function apiBundle(entry: "main" | "reconcile-cli"): Promise<string> {
  // One build per entry at a time: two API processes started together share it.
  let pending = bundling.get(entry);
  if (!pending) {
    pending = buildApiBundle(entry).finally(() => bundling.delete(entry));
    bundling.set(entry, pending);
  }
  return pending;
}

async function buildApiBundle(entry: "main" | "reconcile-cli"): Promise<string> {
  const src = path.join(ROOT, "packages/server/src");
  const hash = createHash("sha256").update(process.version).update(entry);
  for (const file of readdirSync(src, { recursive: true }).map(String).sort()) {
    if (!file.endsWith(".ts")) continue;
    const stat = statSync(path.join(src, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  const dir = path.join(ROOT, "reliability/node_modules/.cache/reliability");
  const file = path.join(dir, `${entry}-${hash.digest("hex").slice(0, 16)}.mjs`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const { build } = await import("esbuild");
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp.mjs`;
  await build({
    entryPoints: [path.join(src, `${entry}.ts`)],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    plugins: [
      {
        // Workspace packages ship TypeScript and are bundled; everything else loads from node_modules.
        name: "external-dependencies",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@gatehouse/") ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const { renameSync } = await import("node:fs");
  renameSync(temporary, file);
  return file;
}

export interface ApiProcess extends Child {
  url: string;
  port: number;
}

/** The environment the API reads, pointed at an emulator; `extra` adds or overrides. */
export function apiEnv(cognitoEndpoint: string, extra: Record<string, string> = {}) {
  return {
    AWS_REGION: localPool.region,
    COGNITO_USER_POOL_ID: localPool.userPoolId,
    COGNITO_CLIENT_ID: localPool.clientId,
    COGNITO_ENDPOINT: cognitoEndpoint,
    // The limits have a suite of their own; elsewhere one client address sends everything.
    ACCOUNTS_RATE_LIMIT_PER_MINUTE: "1000000",
    CREDENTIALS_RATE_LIMIT_PER_MINUTE: "1000000",
    LOG_LEVEL: "warn",
    // The SDK's notice about Node 20's end of support is not what these suites look at.
    AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: "1",
    ...extra,
  };
}

export interface ApiProcessOptions {
  env: Record<string, string>;
  logFile: string;
  /** Reuse this port across restarts. Default: a free one. */
  port?: number;
  node?: string[];
}

/** `packages/server/src/main.ts` as a process; resolves once `/healthz` answers. */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const bundle = await apiBundle("main");
  const proc = spawnTracked(
    [...(options.node ?? []), bundle],
    { ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    options.logFile,
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return { ...proc, url, port };
    } catch {
      // not listening yet
    }
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      await proc.kill();
      throw new Error(`the API did not start:\n${proc.output()}`);
    }
    await sleep(50);
  }
}

/** `npm run reconcile` as a process (the command an operator would run). */
export async function runReconcileCli(
  env: Record<string, string>,
  args: string[],
  logFile: string,
): Promise<{ code: number | null; output: string }> {
  const bundle = await apiBundle("reconcile-cli");
  const proc = spawnTracked([bundle, ...args], env, logFile);
  await proc.exited();
  return { code: proc.child.exitCode, output: proc.output() };
}
