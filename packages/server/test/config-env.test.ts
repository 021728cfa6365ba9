// The environment is read in one place: every variable missing or malformed stops start-up with a
// ConfigError naming it (and never echoing a credential), and the processes exit saying so.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const base = {
  AWS_REGION: "eu-west-1",
  COGNITO_USER_POOL_ID: "eu-west-1_AbCdEfGhI",
  COGNITO_CLIENT_ID: "1a2b3c4d5e6f7g8h9i0j1k2l3m",
};

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("loadConfig accepted the environment");
}

describe("loadConfig", () => {
  it("needs only the pool, and defaults everything else", () => {
    expect(loadConfig(base)).toEqual({
      region: "eu-west-1",
      userPoolId: "eu-west-1_AbCdEfGhI",
      clientId: "1a2b3c4d5e6f7g8h9i0j1k2l3m",
      cognitoEndpoint: null,
      databaseUrl: null,
      dataDir: ".gatehouse",
      redisUrl: null,
      port: 3000,
      host: "127.0.0.1",
      corsOrigins: ["http://localhost:8080"],
      passwordSetup: "set-password",
      cognitoMaxConcurrentCalls: 8,
      cognitoQueueTimeoutMs: 10_000,
      accountsRateLimitPerMinute: 10,
      credentialsRateLimitPerMinute: 10,
      reconcileIntervalSeconds: 3600,
      reconcileMinAgeSeconds: 300,
      trustProxyHops: 0,
      logLevel: "info",
    });
  });

  it("reads every variable when set", () => {
    expect(
      loadConfig({
        ...base,
        COGNITO_ENDPOINT: "http://127.0.0.1:9229/",
        DATABASE_URL: "postgresql://app@db.internal:5432/accounts",
        DATA_DIR: "/var/lib/gatehouse",
        REDIS_URL: "rediss://cache.internal:6380",
        PORT: "0",
        HOST: "0.0.0.0",
        CORS_ORIGINS: " https://app.example.com , http://localhost:5173,",
        PASSWORD_SETUP: "challenge",
        COGNITO_MAX_CONCURRENT_CALLS: "32",
        COGNITO_QUEUE_TIMEOUT_MS: "0",
        ACCOUNTS_RATE_LIMIT_PER_MINUTE: "25",
        CREDENTIALS_RATE_LIMIT_PER_MINUTE: "7",
        RECONCILE_INTERVAL_SECONDS: "0",
        RECONCILE_MIN_AGE_SECONDS: "60",
        TRUST_PROXY_HOPS: "2",
        LOG_LEVEL: "warn",
      }),
    ).toEqual({
      region: "eu-west-1",
      userPoolId: "eu-west-1_AbCdEfGhI",
      clientId: "1a2b3c4d5e6f7g8h9i0j1k2l3m",
      cognitoEndpoint: "http://127.0.0.1:9229",
      databaseUrl: "postgresql://app@db.internal:5432/accounts",
      dataDir: "/var/lib/gatehouse",
      redisUrl: "rediss://cache.internal:6380",
      port: 0,
      host: "0.0.0.0",
      corsOrigins: ["https://app.example.com", "http://localhost:5173"],
      passwordSetup: "challenge",
      cognitoMaxConcurrentCalls: 32,
      cognitoQueueTimeoutMs: 0,
      accountsRateLimitPerMinute: 25,
      credentialsRateLimitPerMinute: 7,
      reconcileIntervalSeconds: 0,
      reconcileMinAgeSeconds: 60,
      trustProxyHops: 2,
      logLevel: "warn",
    });
  });

  it("treats a blank value as missing", () => {
    expect(loadConfig({ ...base, DATABASE_URL: "  ", PORT: "" }).databaseUrl).toBeNull();
    expect(configError({ ...base, COGNITO_CLIENT_ID: "   " }).variable).toBe("COGNITO_CLIENT_ID");
  });

  it.each([
    ["AWS_REGION", undefined],
    ["COGNITO_USER_POOL_ID", undefined],
    ["COGNITO_CLIENT_ID", undefined],
  ])("refuses a missing %s", (variable) => {
    const error = configError({ ...base, [variable]: undefined });
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(`${variable}: is required`);
  });

  it.each([
    ["AWS_REGION", "us_east_1"],
    ["COGNITO_USER_POOL_ID", "gatehouse"],
    ["COGNITO_USER_POOL_ID", "us-east-1_AbCdEfGhI"],
    ["COGNITO_CLIENT_ID", "UPPERCASE1"],
    ["COGNITO_ENDPOINT", "127.0.0.1:9229"],
    ["COGNITO_ENDPOINT", "ftp://127.0.0.1"],
    ["DATABASE_URL", "mysql://db.internal/accounts"],
    ["REDIS_URL", "redis//cache"],
    ["PORT", "3000abc"],
    ["PORT", "-1"],
    ["PORT", "65536"],
    ["CORS_ORIGINS", "*"],
    ["CORS_ORIGINS", "https://ok.example,app.example.com"],
    ["PASSWORD_SETUP", "Set-Password"],
    ["COGNITO_MAX_CONCURRENT_CALLS", "0"],
    ["COGNITO_MAX_CONCURRENT_CALLS", "1001"],
    ["COGNITO_QUEUE_TIMEOUT_MS", "-1"],
    ["COGNITO_QUEUE_TIMEOUT_MS", "2.5"],
    ["ACCOUNTS_RATE_LIMIT_PER_MINUTE", "1.5"],
    ["ACCOUNTS_RATE_LIMIT_PER_MINUTE", "0"],
    ["CREDENTIALS_RATE_LIMIT_PER_MINUTE", "-1"],
    ["RECONCILE_INTERVAL_SECONDS", "90000"],
    ["RECONCILE_MIN_AGE_SECONDS", "5"],
    ["TRUST_PROXY_HOPS", "11"],
    ["TRUST_PROXY_HOPS", "yes"],
    ["LOG_LEVEL", "verbose"],
  ])("refuses %s=%s, naming it", (variable, value) => {
    const error = configError({ ...base, [variable]: value });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe("ConfigError");
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it.each([
    ["DATABASE_URL", "postgres://app:S3cret-db-pass@db.internal:port/accounts"],
    ["DATABASE_URL", "mysql://app:S3cret-db-pass@db.internal/accounts"],
    ["REDIS_URL", "http://:S3cret-db-pass@cache.internal:6379"],
  ])("never repeats the credential in a bad %s", (variable, value) => {
    const error = configError({ ...base, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).not.toContain("S3cret-db-pass");
  });
});

describe("the processes", () => {
  const root = path.resolve(import.meta.dirname, "..");
  const run = async (script: string, args: string[], env: Record<string, string>) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", script, ...args],
        // No AWS or database variables from the outside leak in.
        { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  };

  it("the server exits with the variable named before opening anything", async () => {
    const [missing, malformed] = await Promise.all([
      run("src/main.ts", [], {}),
      run("src/main.ts", [], { ...base, DATABASE_URL: "postgres://u:S3cret@h:x/db" }),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("configuration error: AWS_REGION: is required");
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain("configuration error: DATABASE_URL:");
    expect(malformed.stderr).not.toContain("S3cret");
  }, 30_000);

  it("reconcile refuses a bad flag or variable, and explains itself with --help", async () => {
    const [help, flag, variable] = await Promise.all([
      run("src/reconcile-cli.ts", ["--help"], {}),
      run("src/reconcile-cli.ts", ["--older-than-minutes", "soon"], {}),
      run("src/reconcile-cli.ts", [], { ...base, REDIS_URL: "http://cache" }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--apply");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--older-than-minutes");
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain("configuration error: REDIS_URL:");
  }, 30_000);
});
