import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const base = {
  AWS_REGION: "eu-west-1",
  COGNITO_USER_POOL_ID: "eu-west-1_AbCdEfGhI",
  COGNITO_CLIENT_ID: "1a2b3c4d5e6f7g8h9i0j1k2l3m",
};

describe("configuration", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig(base)).toMatchObject({
      cognitoEndpoint: null,
      databaseUrl: null,
      redisUrl: null,
      port: 3000,
      corsOrigins: ["http://localhost:8080"],
      passwordSetup: "set-password",
      accountsRateLimitPerMinute: 10,
    });
  });

  it.each([
    ["AWS_REGION", { AWS_REGION: undefined }],
    ["AWS_REGION", { AWS_REGION: "mars" }],
    ["COGNITO_USER_POOL_ID", { COGNITO_USER_POOL_ID: undefined }],
    ["COGNITO_USER_POOL_ID", { COGNITO_USER_POOL_ID: "us-east-1_AbCdEfGhI" }],
    ["COGNITO_CLIENT_ID", { COGNITO_CLIENT_ID: "Has Spaces" }],
    ["COGNITO_ENDPOINT", { COGNITO_ENDPOINT: "not a url" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x" }],
    ["REDIS_URL", { REDIS_URL: "http://x" }],
    ["PORT", { PORT: "http" }],
    ["PORT", { PORT: "70000" }],
    ["CORS_ORIGINS", { CORS_ORIGINS: "https://a.example/path" }],
    ["PASSWORD_SETUP", { PASSWORD_SETUP: "email" }],
    ["ACCOUNTS_RATE_LIMIT_PER_MINUTE", { ACCOUNTS_RATE_LIMIT_PER_MINUTE: "0" }],
  ])("refuses a bad %s, naming it", (variable, change) => {
    const attempt = () => loadConfig({ ...base, ...change });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${variable}:`));
  });
});
