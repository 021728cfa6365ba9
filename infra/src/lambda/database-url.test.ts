import { describe, expect, it } from "vitest";
import { DatabaseUrlError, resolveDatabaseUrl } from "./database-url.ts";

const secretArn =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatehouse/database-url-AbCdEf";
const url = "postgres://gatehouse:s3cret-Passw0rd@db.example.com:5432/gatehouse";

function secretHolding(value: string | undefined) {
  const reads: string[] = [];
  return {
    reads,
    read: async (arn: string) => {
      reads.push(arn);
      return value;
    },
  };
}

describe("resolveDatabaseUrl", () => {
  it("sets DATABASE_URL from the secret named by DATABASE_URL_SECRET_ARN", async () => {
    const env: Record<string, string | undefined> = { DATABASE_URL_SECRET_ARN: secretArn };
    const secret = secretHolding(`${url}\n`);
    await resolveDatabaseUrl(env, secret.read);
    expect(env.DATABASE_URL).toBe(url);
    expect(secret.reads).toEqual([secretArn]);
  });

  it("leaves a DATABASE_URL that is already set alone, without reading the secret", async () => {
    const env = { DATABASE_URL: "postgres://127.0.0.1/test", DATABASE_URL_SECRET_ARN: secretArn };
    const secret = secretHolding(url);
    await resolveDatabaseUrl(env, secret.read);
    expect(env.DATABASE_URL).toBe("postgres://127.0.0.1/test");
    expect(secret.reads).toEqual([]);
  });

  it("refuses to start with neither variable, since Lambda has no disk for the embedded database", async () => {
    const failure = resolveDatabaseUrl({}, secretHolding(url).read);
    await expect(failure).rejects.toBeInstanceOf(DatabaseUrlError);
    await expect(failure).rejects.toMatchObject({ code: "not_configured" });
  });

  it("names the secret but never shows its value when the value is not a PostgreSQL URL", async () => {
    const value = "mysql://gatehouse:s3cret-Passw0rd@db.example.com/gatehouse";
    const env: Record<string, string | undefined> = { DATABASE_URL_SECRET_ARN: secretArn };
    const error = await resolveDatabaseUrl(env, secretHolding(value).read).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUrlError);
    expect(error).toMatchObject({ code: "not_a_postgres_url" });
    expect((error as Error).message).toContain(secretArn);
    expect((error as Error).message).not.toContain("s3cret");
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("reports a secret with no string value", async () => {
    const env = { DATABASE_URL_SECRET_ARN: secretArn };
    await expect(resolveDatabaseUrl(env, secretHolding(undefined).read)).rejects.toMatchObject({
      code: "secret_empty",
    });
    await expect(resolveDatabaseUrl(env, secretHolding("  ").read)).rejects.toMatchObject({
      code: "secret_empty",
    });
  });
});
