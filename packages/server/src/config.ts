// The environment, read and checked in one place. A missing or malformed value stops start-up
// with a message naming the variable.
import { DEFAULT_MAX_CONCURRENT_CALLS, DEFAULT_QUEUE_TIMEOUT_MS } from "./cognito/call-limiter.ts";

export type PasswordSetup = "set-password" | "challenge";
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  region: string;
  userPoolId: string;
  clientId: string;
  /** The emulator's URL; null against real Cognito. */
  cognitoEndpoint: string | null;
  /** PostgreSQL; null for embedded PGlite under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Redis for shared rate limits; null keeps counts in memory. */
  redisUrl: string | null;
  port: number;
  host: string;
  corsOrigins: string[];
  passwordSetup: PasswordSetup;
  /** Cognito calls one process has in flight at once; the others wait their turn (call-limiter.ts). */
  cognitoMaxConcurrentCalls: number;
  /** The longest a Cognito call waits for its turn; past it the request answers 503. */
  cognitoQueueTimeoutMs: number;
  accountsRateLimitPerMinute: number;
  /** Password reset, its confirmation, email verification and password change, per client IP. */
  credentialsRateLimitPerMinute: number;
  /** Seconds between reconcile passes run by the API itself; 0: none (run it elsewhere). */
  reconcileIntervalSeconds: number;
  /** Reconcile leaves anything younger than this alone: it may be a creation in flight. */
  reconcileMinAgeSeconds: number;
  /** Trust X-Forwarded-For from this many proxies in front (0: none). */
  trustProxyHops: number;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, "is required");
  return value;
}

function optional(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = optional(env, name);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, "is not a valid URL");
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(" or ")}, got ${parsed.protocol}`);
  }
  return raw.replace(/\/+$/, "");
}

export function loadConfig(env: Env): Config {
  const region = required(env, "AWS_REGION");
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new ConfigError("AWS_REGION", `is not an AWS region, got "${region}"`);
  }
  const userPoolId = required(env, "COGNITO_USER_POOL_ID");
  if (!/^[a-z]{2}(-[a-z]+)+-\d_[0-9a-zA-Z]+$/.test(userPoolId)) {
    throw new ConfigError(
      "COGNITO_USER_POOL_ID",
      `must look like <region>_<id>, got "${userPoolId}"`,
    );
  }
  if (!userPoolId.startsWith(`${region}_`)) {
    throw new ConfigError("COGNITO_USER_POOL_ID", `is not in AWS_REGION ${region}`);
  }
  const clientId = required(env, "COGNITO_CLIENT_ID");
  if (!/^[0-9a-z]{1,128}$/.test(clientId)) {
    throw new ConfigError("COGNITO_CLIENT_ID", "must be lowercase letters and digits");
  }
  const passwordSetup = optional(env, "PASSWORD_SETUP") ?? "set-password";
  if (passwordSetup !== "set-password" && passwordSetup !== "challenge") {
    throw new ConfigError(
      "PASSWORD_SETUP",
      `must be "set-password" or "challenge", got "${passwordSetup}"`,
    );
  }
  const corsOrigins = (optional(env, "CORS_ORIGINS") ?? "http://localhost:8080")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        "CORS_ORIGINS",
        `"${origin}" is not an origin like https://example.com`,
      );
    }
  }
  const logLevel = optional(env, "LOG_LEVEL") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      "LOG_LEVEL",
      `must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`,
    );
  }
  return {
    region,
    userPoolId,
    clientId,
    cognitoEndpoint: url(env, "COGNITO_ENDPOINT", ["http:", "https:"]),
    databaseUrl: url(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    dataDir: optional(env, "DATA_DIR") ?? ".gatehouse",
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: optional(env, "HOST") ?? "127.0.0.1",
    corsOrigins,
    passwordSetup,
    cognitoMaxConcurrentCalls: integer(
      env,
      "COGNITO_MAX_CONCURRENT_CALLS",
      DEFAULT_MAX_CONCURRENT_CALLS,
      1,
      1000,
    ),
    cognitoQueueTimeoutMs: integer(
      env,
      "COGNITO_QUEUE_TIMEOUT_MS",
      DEFAULT_QUEUE_TIMEOUT_MS,
      0,
      120_000,
    ),
    accountsRateLimitPerMinute: integer(env, "ACCOUNTS_RATE_LIMIT_PER_MINUTE", 10, 1, 1_000_000),
    credentialsRateLimitPerMinute: integer(
      env,
      "CREDENTIALS_RATE_LIMIT_PER_MINUTE",
      10,
      1,
      1_000_000,
    ),
    reconcileIntervalSeconds: integer(env, "RECONCILE_INTERVAL_SECONDS", 3600, 0, 86_400),
    // Below 30 s a creation still retrying Cognito could be taken for a crashed one.
    reconcileMinAgeSeconds: integer(env, "RECONCILE_MIN_AGE_SECONDS", 300, 30, 86_400),
    trustProxyHops: integer(env, "TRUST_PROXY_HOPS", 0, 0, 10),
    logLevel: logLevel as LogLevel,
  };
}
