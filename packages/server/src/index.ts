export { appClientSettings, localPool, userPoolSettings } from "@gatehouse/pool-settings";
export { type AppOptions, buildApp } from "./app.ts";
export {
  type CallLimiter,
  CognitoQueueTimeout,
  callLimiter,
  DEFAULT_MAX_CONCURRENT_CALLS,
  DEFAULT_QUEUE_TIMEOUT_MS,
} from "./cognito/call-limiter.ts";
export { createCognitoClient } from "./cognito/client.ts";
export { cognitoIdentity, type Identity } from "./cognito/identity.ts";
export { type Config, ConfigError, loadConfig } from "./config.ts";
export {
  type Account,
  type AccountStore,
  EmailTakenError,
  openAccountStore,
} from "./db/index.ts";
export { localSeed } from "./local-seed.ts";
export { createLogger } from "./logger.ts";
export { fromCognito as passwordPolicyOf, type PasswordPolicy } from "./password-policy.ts";
export { accounts } from "./plugins/accounts.ts";
export { authenticate } from "./plugins/authenticate.ts";
export { type ReconcileAction, reconcile } from "./reconcile.ts";
export {
  RECONCILE_LOCK,
  type ReconcileParts,
  reconcilePass,
  runReconcile,
  startReconcileTimer,
} from "./reconcile-pass.ts";
export { type Api, type ApiParts, createApi } from "./start-api.ts";
