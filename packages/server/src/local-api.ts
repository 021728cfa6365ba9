// The API against a local Cognito on a free port, with an in-memory database: for browser tests
// and tools that need the whole stack in one process.
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { loadConfig } from "./config.ts";
import { createApi } from "./start-api.ts";

export interface LocalApiOptions {
  cognitoEndpoint: string;
  userPoolId: string;
  clientId: string;
  region?: string;
  corsOrigins?: string[];
  port?: number;
  /** Default true: PGlite in memory. */
  inMemoryDb?: boolean;
  logger?: Logger;
  rateLimitPerMinute?: number;
}

export async function startLocalApi(
  options: LocalApiOptions,
): Promise<{ url: string; stop(): Promise<void> }> {
  const config = loadConfig({
    AWS_REGION: options.region ?? options.userPoolId.split("_")[0],
    COGNITO_USER_POOL_ID: options.userPoolId,
    COGNITO_CLIENT_ID: options.clientId,
    COGNITO_ENDPOINT: options.cognitoEndpoint,
    CORS_ORIGINS: (options.corsOrigins ?? ["http://localhost:8080"]).join(","),
    ACCOUNTS_RATE_LIMIT_PER_MINUTE: String(options.rateLimitPerMinute ?? 1000),
    CREDENTIALS_RATE_LIMIT_PER_MINUTE: String(options.rateLimitPerMinute ?? 1000),
    // Browser tests may share one pool between several APIs, each with its own database.
    RECONCILE_INTERVAL_SECONDS: "0",
    PORT: String(options.port ?? 0),
  });
  const api = await createApi(config, {
    inMemoryDatabase: options.inMemoryDb ?? true,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await api.app.listen({ port: config.port, host: "127.0.0.1" });
  const { port } = api.app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => api.close() };
}
