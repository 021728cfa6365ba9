import type { AddressInfo } from "node:net";
import path from "node:path";
import { type Clock, systemClock } from "./clock.ts";
import { ExpiringMap } from "./expiring-map.ts";
import { createSigningKey, readSigningKey } from "./keys.ts";
import { Outbox, type OutboxMessage } from "./outbox.ts";
import { applySeed, readSeed, type Seed } from "./seed.ts";
import { createEmulatorServer } from "./server.ts";
import type { Services } from "./services.ts";
import { Store } from "./store.ts";
import { buildOperations } from "./targets/index.ts";
import { TokenSigner } from "./tokens.ts";

export type { Clock } from "./clock.ts";
export { ManualClock } from "./clock.ts";
export type { OutboxMessage } from "./outbox.ts";
export type { Seed, SeedClient, SeedPool, SeedUser } from "./seed.ts";
export { BROWSER_OPERATIONS, DEFAULT_ALLOWED_ORIGINS } from "./server.ts";

export interface EmulatorOptions {
  /** Interface to listen on. Default 127.0.0.1: the emulator is not meant to be reachable from elsewhere. */
  host?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Where the journal and signing key live. Default `.gatehouse/cognito`; ignored when `inMemory`. */
  dataDir?: string;
  /** Keep nothing on disk (tests). */
  inMemory?: boolean;
  /** fsync every write (survives power loss, not only a killed process). */
  fsync?: boolean;
  /** Pools, clients, groups and users to create at start (an object or a JSON file path). */
  seed?: Seed | string | null;
  /** Every code sent (ForgotPassword, SignUp, ...) is this value; null for random codes. */
  fixedCode?: string | null;
  /**
   * `cognito` (default): tokens carry `https://cognito-idp.<region>.amazonaws.com/<poolId>`, so code
   * that verifies them runs its production path. `local`: `<emulator url>/<poolId>`.
   */
  issuer?: "cognito" | "local";
  /** Region for pools made by CreateUserPool. Default us-east-1. */
  region?: string;
  clock?: Clock;
  /**
   * Web page origins allowed to call the operations that need AWS credentials at real Cognito
   * (Admin*, ListUsers, pools, clients, groups) and `/_emulator/*`; a page from any other origin
   * is refused (403). Browser operations answer every origin. Requests with no Origin (the AWS
   * SDK from Node, the CLI) are not web pages and are served. Default: the site's origins as
   * `npm start` serves it (http://localhost:8080, http://127.0.0.1:8080).
   */
  allowedOrigins?: readonly string[];
  /** Operator log lines; null to silence. Default: stdout. */
  log?: ((line: string) => void) | null;
}

export interface RunningEmulator {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  /** Codes sent (ForgotPassword, SignUp, ...), oldest first. */
  outbox(): readonly OutboxMessage[];
  /** The pools it holds, with their app clients' ids. */
  pools(): { id: string; name: string; clientIds: string[] }[];
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const dataDir = options.inMemory ? null : path.resolve(options.dataDir ?? ".gatehouse/cognito");
  const clock = options.clock ?? systemClock;
  const log =
    options.log === null
      ? () => {}
      : (options.log ?? ((line: string) => process.stdout.write(`[cognito-emulator] ${line}\n`)));
  const store = new Store({ dataDir, fsync: options.fsync ?? false, now: () => clock.now() });
  store.open();
  let baseUrl = "";
  // A data directory's key is read now; a new one is generated while the server already answers.
  let signer: TokenSigner;
  try {
    signer = new TokenSigner((await readSigningKey(dataDir)) ?? createSigningKey(dataDir));
  } catch (error) {
    store.close();
    throw error;
  }
  const services: Services = {
    store,
    clock,
    signer,
    // An SRP challenge holds about 2 KB: the bound keeps a flood of sign-ins to some 40 MB.
    sessions: new ExpiringMap(clock, 20_000),
    outbox: new Outbox(),
    config: {
      region: options.region ?? "us-east-1",
      fixedCode: options.fixedCode ?? null,
      issuer: (poolId) =>
        options.issuer === "local"
          ? `${baseUrl}/${poolId}`
          : `https://cognito-idp.${poolId.split("_")[0]}.amazonaws.com/${poolId}`,
      log,
    },
  };
  try {
    if (options.seed) applySeed(services, await readSeed(options.seed));
  } catch (error) {
    store.close();
    throw error;
  }
  const server = createEmulatorServer({
    services,
    operations: buildOperations(services),
    baseUrl: () => baseUrl,
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      store.close();
      reject(error);
    });
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: baseUrl,
    port,
    outbox: () => services.outbox.messages,
    pools: () =>
      store.allPools().map((pool) => ({
        id: pool.record.id,
        name: pool.record.name,
        clientIds: [...pool.clients.keys()],
      })),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          store.close();
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
