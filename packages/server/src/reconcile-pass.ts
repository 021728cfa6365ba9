// Reconcile as the running system does it: one pass with repairs applied, under a lock so that of
// many API instances (or scheduled runs) only one works at a time; and a timer in the API.
import type { Logger } from "pino";
import { configuredLimiter } from "./cognito/call-limiter.ts";
import { createCognitoClient } from "./cognito/client.ts";
import { cognitoIdentity, type Identity, type IdentityUser } from "./cognito/identity.ts";
import type { Config } from "./config.ts";
import { type AccountStore, openAccountStore } from "./db/index.ts";
import { createLogger } from "./logger.ts";
import { poolUsers, type ReconcileAction, reconcile } from "./reconcile.ts";

/** The PostgreSQL advisory lock a pass holds. */
export const RECONCILE_LOCK = 7_310_417_210;

export interface ReconcileParts {
  store: AccountStore;
  identity: Identity;
  users: () => AsyncIterable<IdentityUser>;
  logger: Pick<Logger, "info" | "warn">;
  /** Leave anything younger alone (a creation in flight). Default 5 minutes. */
  olderThanMs?: number;
}

/** One pass with the repairs applied; null when another instance holds the lock. */
export async function reconcilePass(parts: ReconcileParts): Promise<ReconcileAction[] | null> {
  const actions = await parts.store.exclusively(RECONCILE_LOCK, () =>
    reconcile({
      store: parts.store,
      identity: parts.identity,
      users: parts.users,
      apply: true,
      ...(parts.olderThanMs !== undefined ? { olderThanMs: parts.olderThanMs } : {}),
    }),
  );
  for (const action of actions ?? []) {
    parts.logger.info(
      { kind: action.kind, accountId: action.accountId },
      `reconcile: ${action.detail}`,
    );
  }
  return actions;
}

/**
 * Runs a pass every `intervalMs` (the first one a minute after start at the latest), logging what
 * it repaired and any failure; `stop` waits for a pass in flight.
 */
export function startReconcileTimer(parts: ReconcileParts & { intervalMs: number }): {
  stop(): Promise<void>;
} {
  let running: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const run = () => {
    if (stopped || running) return;
    running = reconcilePass(parts)
      .catch((error: unknown) => parts.logger.warn({ err: error }, "reconcile pass failed"))
      .finally(() => {
        running = null;
        schedule(parts.intervalMs);
      });
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(run, ms);
    timer.unref();
  };
  schedule(Math.min(parts.intervalMs, 60_000));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Opens what a pass needs from the configuration, runs one pass with the repairs applied, and
 * closes it all: for a scheduled job (a Lambda on a timer) or a script.
 */
export async function runReconcile(
  config: Config,
  options: { logger?: Logger } = {},
): Promise<ReconcileAction[] | null> {
  const logger = options.logger ?? createLogger(undefined, config.logLevel);
  const client = createCognitoClient(config);
  const store = await openAccountStore({
    databaseUrl: config.databaseUrl,
    dataDir: `${config.dataDir}/db`,
    logger,
  });
  try {
    return await reconcilePass({
      store,
      identity: cognitoIdentity({
        client,
        userPoolId: config.userPoolId,
        clientId: config.clientId,
        passwordSetup: config.passwordSetup,
        limiter: configuredLimiter(config),
      }),
      users: () => poolUsers(client, config.userPoolId),
      logger,
      olderThanMs: config.reconcileMinAgeSeconds * 1000,
    });
  } finally {
    await store.close();
    client.destroy();
  }
}
