// The local stack, started in one place for `npm start` and the browser tests: the local Cognito
// seeded with the deployed pool settings (unless the environment names a real pool), the accounts
// API, and the site on one or more origins of its own, each with a config.json from the site's
// own builder. What fails to start stops what had started, and the error names the service.
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import path from "node:path";
import { type RunningEmulator, startEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import { type Config, createApi, loadConfig, localSeed } from "@gatehouse/server";
import { serveSite, siteConfig } from "@gatehouse/web";
import type { Logger } from "pino";

export interface LocalSite {
  /** The port; 0 for a free one. */
  readonly port: number;
  /** Where the site keeps tokens; the tab's session unless `"local"`. */
  readonly tokenStorage?: "session" | "local";
}

export interface LocalStackOptions {
  /**
   * The API's environment (see packages/server's README). With COGNITO_USER_POOL_ID set and no
   * COGNITO_ENDPOINT, the API runs against that pool and no local Cognito starts.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the local Cognito and the embedded database keep their data; `null`: in memory. */
  readonly dataDir: string | null;
  /** The local Cognito's port; 0 for a free one. */
  readonly emulatorPort: number;
  /** The API's port; 0 for a free one. */
  readonly apiPort: number;
  /** One site per entry, each on its own origin (all of them allowed by the API's CORS). */
  readonly sites: readonly LocalSite[];
  /** The API's logger; its own (LOG_LEVEL) by default. */
  readonly logger?: Logger;
  /** Print the codes the local Cognito sends (default true). */
  readonly printCodes?: boolean;
}

export interface LocalStack {
  /** The local Cognito; `null` against a real pool. */
  readonly emulator: RunningEmulator | null;
  /** The API's configuration, as it read it. */
  readonly config: Config;
  readonly apiUrl: string;
  /** The sites' URLs, in the order given. */
  readonly siteUrls: readonly string[];
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  override readonly name = "LocalStackError";
  constructor(
    /** The service that did not start, e.g. "the accounts API on port 3000". */
    readonly service: string,
    readonly reason: Error,
  ) {
    super(`could not start ${service}: ${reason.message}`);
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => {});
    started.length = 0;
  };
  const launch = async <T extends { stop(): Promise<void> }>(
    service: string,
    start: () => Promise<T>,
  ): Promise<T> => {
    try {
      const running = await start();
      started.push(running);
      return running;
    } catch (error) {
      await stop();
      throw error instanceof LocalStackError ? error : new LocalStackError(service, error as Error);
    }
  };

  const againstAws = Boolean(options.env.COGNITO_USER_POOL_ID) && !options.env.COGNITO_ENDPOINT;
  // The sites' origins are needed for the API's CORS before either starts.
  const sitePorts = await Promise.all(
    options.sites.map((site) => (site.port === 0 ? freePort() : site.port)),
  );
  const apiEnv: Record<string, string | undefined> = { ...options.env };
  apiEnv.CORS_ORIGINS ??= sitePorts
    .flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`])
    .join(",");
  apiEnv.PORT = String(options.apiPort);
  if (options.dataDir !== null) apiEnv.DATA_DIR = options.dataDir;

  let emulator: RunningEmulator | null = null;
  if (!againstAws) {
    emulator = await launch(`the local Cognito on port ${options.emulatorPort}`, () =>
      startEmulator({
        port: options.emulatorPort,
        ...(options.dataDir === null
          ? { inMemory: true }
          : { dataDir: path.join(options.dataDir, "cognito") }),
        ...(options.printCodes === false ? { log: null } : {}),
        seed: localSeed(),
      }),
    );
    Object.assign(apiEnv, {
      AWS_REGION: localPool.region,
      COGNITO_USER_POOL_ID: localPool.userPoolId,
      COGNITO_CLIENT_ID: localPool.clientId,
      COGNITO_ENDPOINT: emulator.url,
    });
  }

  let config: Config;
  try {
    config = loadConfig(apiEnv);
  } catch (error) {
    await stop();
    throw error;
  }
  const api = await launch(`the accounts API on port ${config.port}`, async () => {
    const created = await createApi(config, {
      inMemoryDatabase: options.dataDir === null,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    try {
      await created.app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await created.close();
      throw error;
    }
    return { created, stop: () => created.close() };
  });
  const apiPort = (api.created.app.server.address() as AddressInfo).port;
  const apiUrl = `http://localhost:${apiPort}`;

  const siteUrls: string[] = [];
  for (const [index, site] of options.sites.entries()) {
    const port = sitePorts[index] ?? 0;
    const served = await launch(`the site on port ${port}`, () =>
      serveSite({
        port,
        config: siteConfig({
          region: config.region,
          userPoolId: config.userPoolId,
          clientId: config.clientId,
          cognitoEndpoint: config.cognitoEndpoint,
          apiBaseUrl: apiUrl,
          // The pool's own policy, as the API read it.
          passwordPolicy: api.created.policy,
          ...(site.tokenStorage === undefined ? {} : { tokenStorage: site.tokenStorage }),
        }),
      }),
    );
    siteUrls.push(served.url);
  }
  return { emulator, config: { ...config, port: apiPort }, apiUrl, siteUrls, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
