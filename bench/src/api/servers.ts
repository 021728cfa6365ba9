// Every server the API benchmarks measure, as its own process on 127.0.0.1, pinned to one core:
// Gatehouse's API exactly as `npm start` composes it (createApi from the environment, main.ts),
// and the peers of peer-server.ts. Each runs from one file esbuild bundles once per run (npm
// packages left to node_modules), as the API's Lambda asset is bundled, so that a start costs
// node loading one module rather than tsx compiling and resolving every source file: the code
// that answers is the same. `npm start`'s own start-up is measured in startup.ts, under tsx.
import { mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { freePort, type RunningServer, startServer } from "../server-process.ts";
import { type Cognito, POOL } from "./fixture.ts";
import type { PeerKind } from "./peer-server.ts";

const require = createRequire(import.meta.url);
const serverMain = join(dirname(require.resolve("@gatehouse/server")), "main.ts");
const peerMain = fileURLToPath(new URL("./peer-server.ts", import.meta.url));
// Inside the repository, so that the bundles' imports of npm packages resolve from node_modules.
const buildDir = fileURLToPath(new URL("../../results/build/", import.meta.url));
// By path: the servers run in a temporary directory, where a bare "tsx" would not resolve.
const tsx = pathToFileURL(require.resolve("tsx")).href;

const bundles = new Map<string, Promise<string>>();

const npmExternal: Plugin = {
  name: "npm-packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@gatehouse/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** Deletes the bundles this process built. */
export async function removeBundles(): Promise<void> {
  const files = await Promise.allSettled(bundles.values());
  bundles.clear();
  for (const file of files) if (file.status === "fulfilled") await rm(file.value, { force: true });
}

/** `entry` and the sources it imports, as one ES module file; built once per process. */
export function bundled(entry: string): Promise<string> {
  let file = bundles.get(entry);
  if (!file) {
    const outfile = join(buildDir, `${process.pid}-${basename(entry, ".ts")}.mjs`);
    file = mkdir(buildDir, { recursive: true })
      .then(() =>
        build({
          entryPoints: [entry],
          outfile,
          bundle: true,
          platform: "node",
          format: "esm",
          target: `node${process.versions.node.split(".")[0]}`,
          // npm packages load from node_modules; the workspace's own (TypeScript) are bundled.
          plugins: [npmExternal],
          logLevel: "warning",
        }),
      )
      .then(() => outfile);
    bundles.set(entry, file);
  }
  return file;
}

export type Logging = "off" | "on";
export type Database = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

export interface GatehouseStart {
  cognito: Cognito;
  workDir: string;
  database: Database;
  logging: Logging;
  cpus: string;
  env?: Record<string, string>;
  /** e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** "tsx": from the sources, so that a CPU profile names each frame's source file. */
  loader?: "bundle" | "tsx";
  name?: string;
}

export async function startGatehouse(start: GatehouseStart): Promise<RunningServer> {
  const port = await freePort();
  return startServer({
    name: start.name ?? "gatehouse",
    nodeArgs: [
      ...(start.nodeArgs ?? []),
      ...(start.loader === "tsx" ? ["--import", tsx, serverMain] : [await bundled(serverMain)]),
    ],
    cwd: start.workDir,
    port,
    logPath: join(start.workDir, `${start.name ?? "gatehouse"}-${port}.log`),
    healthPath: "/readyz",
    cpus: start.cpus,
    env: {
      AWS_REGION: POOL.region,
      COGNITO_USER_POOL_ID: POOL.userPoolId,
      COGNITO_CLIENT_ID: POOL.clientId,
      COGNITO_ENDPOINT: start.cognito.proxy.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      // Off: the default level minus the per-request line (warnings and errors still go out).
      LOG_LEVEL: start.logging === "on" ? "info" : "warn",
      ACCOUNTS_RATE_LIMIT_PER_MINUTE: "1000000",
      ...(start.database.kind === "postgres"
        ? { DATABASE_URL: start.database.url }
        : { DATA_DIR: start.database.dir }),
      ...start.env,
    },
    timeoutMs: 60_000,
  });
}

export async function startPeer(
  kind: PeerKind,
  cognito: Cognito,
  workDir: string,
  logging: Logging,
  cpus: string,
  /** "tsx": run from the sources, as `npm start` runs Gatehouse (see startup.ts). */
  loader: "bundle" | "tsx" = "bundle",
): Promise<RunningServer> {
  const port = await freePort();
  return startServer({
    name: `peer ${kind}`,
    nodeArgs: loader === "tsx" ? ["--import", tsx, peerMain] : [await bundled(peerMain)],
    cwd: workDir,
    port,
    logPath: join(workDir, `peer-${kind}-${port}.log`),
    cpus,
    env: {
      PEER: kind,
      PORT: String(port),
      USER_POOL_ID: POOL.userPoolId,
      CLIENT_ID: POOL.clientId,
      JWKS_URL: cognito.jwksUrl,
      LOG: logging,
    },
  });
}
