import { describe, expect, it } from "vitest";
import { resolveSecretUrl, SecretUrlError, secretUrls } from "./secret-urls.ts";

const secretArn =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatehouse/database-url-AbCdEf";
const url = "postgres://gatehouse:s3cret-Passw0rd@db.example.com:5432/gatehouse";
const [database, redis] = secretUrls as [(typeof secretUrls)[number], (typeof secretUrls)[number]];

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

describe("resolveSecretUrl", () => {
  it("sets DATABASE_URL from the secret named by DATABASE_URL_SECRET_ARN", async () => {
    const env: Record<string, string | undefined> = { DATABASE_URL_SECRET_ARN: secretArn };
    const secret = secretHolding(`${url}\n`);
    await resolveSecretUrl(env, database, secret.read);
    expect(env.DATABASE_URL).toBe(url);
    expect(secret.reads).toEqual([secretArn]);
  });

  it("leaves a variable that is already set alone, without reading the secret", async () => {
    const env = { DATABASE_URL: "postgres://127.0.0.1/test", DATABASE_URL_SECRET_ARN: secretArn };
    const secret = secretHolding(url);
    await resolveSecretUrl(env, database, secret.read);
    expect(env.DATABASE_URL).toBe("postgres://127.0.0.1/test");
    expect(secret.reads).toEqual([]);
  });

  it("refuses to start without a database, since Lambda has no disk for the embedded one", async () => {
    const failure = resolveSecretUrl({}, database, secretHolding(url).read);
    await expect(failure).rejects.toBeInstanceOf(SecretUrlError);
    await expect(failure).rejects.toMatchObject({ code: "not_configured" });
  });

  it("starts without Redis, and reads it from its secret when one is named", async () => {
    const env: Record<string, string | undefined> = {};
    await resolveSecretUrl(env, redis, secretHolding(undefined).read);
    expect(env.REDIS_URL).toBeUndefined();
    env.REDIS_URL_SECRET_ARN = secretArn;
    await resolveSecretUrl(env, redis, secretHolding("rediss://:pw@cache.example.com:6379").read);
    expect(env.REDIS_URL).toBe("rediss://:pw@cache.example.com:6379");
  });

  it("names the secret but never shows its value when the URL has the wrong scheme", async () => {
    const value = "mysql://gatehouse:s3cret-Passw0rd@db.example.com/gatehouse";
    const env: Record<string, string | undefined> = { DATABASE_URL_SECRET_ARN: secretArn };
    const error = await resolveSecretUrl(env, database, secretHolding(value).read).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretUrlError);
    expect(error).toMatchObject({ code: "wrong_scheme" });
    expect((error as Error).message).toContain(secretArn);
    expect((error as Error).message).not.toContain("s3cret");
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("reports a secret with no string value", async () => {
    const env = { DATABASE_URL_SECRET_ARN: secretArn };
    for (const value of [undefined, "  "]) {
      await expect(
        resolveSecretUrl(env, database, secretHolding(value).read),
      ).rejects.toMatchObject({
        code: "secret_empty",
      });
    }
  });
});
