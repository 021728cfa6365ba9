// Composes the API from a Config: opens the store, reads the pool's policy and keys, connects Redis.

import path from "node:path";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { buildApp } from "./app.ts";
import { configuredLimiter } from "./cognito/call-limiter.ts";
import { createCognitoClient } from "./cognito/client.ts";
import { cognitoIdentity, type Identity } from "./cognito/identity.ts";
import type { Config } from "./config.ts";
import { type AccountStore, openAccountStore } from "./db/index.ts";
import { createLogger } from "./logger.ts";
import type { PasswordPolicy } from "./password-policy.ts";
import type { AuthenticateOptions } from "./plugins/authenticate.ts";
import { poolUsers } from "./reconcile.ts";
import { startReconcileTimer } from "./reconcile-pass.ts";

export interface ApiParts {
  logger?: Logger;
  /** An already open store (tests); otherwise opened from the config. */
  store?: AccountStore;
  /** Wraps the Cognito calls (tests inject faults here). */
  wrapIdentity?: (identity: Identity) => Identity;
  /** PGlite in memory instead of under DATA_DIR (tests). */
  inMemoryDatabase?: boolean;
  now?: () => number;
  /** Accounts cached in process (0: none, read on every request). Default 10,000. */
  accountCacheSize?: number;
  /** Run reconcile on a timer (RECONCILE_INTERVAL_SECONDS). Default true; off for Lambda. */
  reconcileTimer?: boolean;
}

export interface Api {
  app: FastifyInstance;
  store: AccountStore;
  /** The pool's password policy, read from Cognito at start-up. */
  policy: PasswordPolicy;
  /** Stops serving, then closes the store, Redis and the Cognito client. */
  close(): Promise<void>;
}

/** The emulator serves the JWKS over http, which the verifier refuses to fetch: hand it over. */
async function loadLocalJwks(config: Config): Promise<AuthenticateOptions["jwks"]> {
  if (!config.cognitoEndpoint) return null;
  const url = `${config.cognitoEndpoint}/${config.userPoolId}/.well-known/jwks.json`;
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`Cannot load the pool's keys from ${url}: HTTP ${response.status}`);
  return (await response.json()) as AuthenticateOptions["jwks"];
}

export async function createApi(config: Config, parts: ApiParts = {}): Promise<Api> {
  const logger = parts.logger ?? createLogger(undefined, config.logLevel);
  const cognito = createCognitoClient(config);
  const pool = {
    client: cognito,
    userPoolId: config.userPoolId,
    clientId: config.clientId,
    passwordSetup: config.passwordSetup,
  };
  const base = cognitoIdentity({ ...pool, limiter: configuredLimiter(config) });
  // The readiness probe asks Cognito beside the queue: a burst waiting its turn is load this
  // instance is taking, not a Cognito it cannot reach; failing the probe then would take the
  // instance out of service and send the burst to the others.
  const probe = cognitoIdentity({ ...pool, limiter: null });
  const identity = parts.wrapIdentity ? parts.wrapIdentity(base) : base;
  const [policy, jwks] = await Promise.all([base.passwordPolicy(), loadLocalJwks(config)]);
  const store =
    parts.store ??
    (await openAccountStore({
      databaseUrl: config.databaseUrl,
      dataDir: path.join(config.dataDir, "db"),
      inMemory: parts.inMemoryDatabase ?? false,
      logger,
    }));
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        lazyConnect: true,
      })
    : null;
  redis?.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
  // Connected before serving, so the first requests are counted too.
  await redis?.connect();
  const app = await buildApp({
    store,
    identity,
    policy,
    userPoolId: config.userPoolId,
    clientId: config.clientId,
    jwks,
    corsOrigins: config.corsOrigins,
    accountsRateLimitPerMinute: config.accountsRateLimitPerMinute,
    credentialsRateLimitPerMinute: config.credentialsRateLimitPerMinute,
    redis,
    logger,
    trustProxyHops: config.trustProxyHops,
    // Bounded by a deadline like every other call (cognito/identity.ts).
    identityReady: async () => {
      await probe.passwordPolicy();
    },
    ...(parts.now ? { now: parts.now } : {}),
    ...(parts.accountCacheSize !== undefined ? { accountCacheSize: parts.accountCacheSize } : {}),
  });
  const reconciler =
    (parts.reconcileTimer ?? true) && config.reconcileIntervalSeconds > 0
      ? startReconcileTimer({
          store,
          identity,
          users: () => poolUsers(cognito, config.userPoolId),
          logger,
          intervalMs: config.reconcileIntervalSeconds * 1000,
          olderThanMs: config.reconcileMinAgeSeconds * 1000,
        })
      : null;
  return {
    app,
    store,
    policy,
    async close() {
      await reconciler?.stop();
      await app.close();
      if (!parts.store) await store.close();
      redis?.disconnect();
      cognito.destroy();
    },
  };
}
