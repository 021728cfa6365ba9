// Every server the API benchmarks measure, as its own process on 127.0.0.1, pinned to one core:
// Gatehouse's API exactly as `npm start` composes it (createApi from the environment, main.ts),
// and the peers of peer-server.ts.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freePort, type RunningServer, startServer } from "../server-process.ts";
import { type Cognito, POOL } from "./fixture.ts";
import type { PeerKind } from "./peer-server.ts";

const require = createRequire(import.meta.url);
const serverMain = join(dirname(require.resolve("@gatehouse/server")), "main.ts");
const peerMain = fileURLToPath(new URL("./peer-server.ts", import.meta.url));
// By path: the servers run in a temporary directory, where a bare "tsx" would not resolve.
const tsx = pathToFileURL(require.resolve("tsx")).href;

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
  name?: string;
}

export async function startGatehouse(start: GatehouseStart): Promise<RunningServer> {
  const port = await freePort();
  return startServer({
    name: start.name ?? "gatehouse",
    nodeArgs: [...(start.nodeArgs ?? []), "--import", tsx, serverMain],
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
): Promise<RunningServer> {
  const port = await freePort();
  return startServer({
    name: `peer ${kind}`,
    nodeArgs: ["--import", tsx, peerMain],
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
