// The Lambda gets PostgreSQL's URL from Secrets Manager rather than from its environment, where
// anyone allowed to read the function's configuration would see the password. It is resolved once
// per cold start, before the server reads its environment, so the server's own configuration
// code stays the single place that reads and validates DATABASE_URL.

/** Why the database URL could not be resolved. */
export type DatabaseUrlErrorCode = "not_configured" | "secret_empty" | "not_a_postgres_url";

export class DatabaseUrlError extends Error {
  override readonly name = "DatabaseUrlError";
  constructor(
    readonly code: DatabaseUrlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a secret's `SecretString`; `undefined` when the secret holds binary data or nothing. */
export type ReadSecret = (secretArn: string) => Promise<string | undefined>;

/**
 * Sets `env.DATABASE_URL` from the secret named by `env.DATABASE_URL_SECRET_ARN`, unless
 * `DATABASE_URL` is already set. The secret's value is the connection URL itself. Messages name
 * the secret, never its value.
 */
export async function resolveDatabaseUrl(
  env: Record<string, string | undefined>,
  readSecret: ReadSecret,
): Promise<void> {
  if (env.DATABASE_URL) return;
  const secretArn = env.DATABASE_URL_SECRET_ARN;
  if (!secretArn) {
    throw new DatabaseUrlError(
      "not_configured",
      "Neither DATABASE_URL nor DATABASE_URL_SECRET_ARN is set; the API on Lambda needs PostgreSQL",
    );
  }
  const value = (await readSecret(secretArn))?.trim();
  if (!value) {
    throw new DatabaseUrlError(
      "secret_empty",
      `The secret ${secretArn} (DATABASE_URL_SECRET_ARN) holds no string value`,
    );
  }
  if (!isPostgresUrl(value)) {
    throw new DatabaseUrlError(
      "not_a_postgres_url",
      `The secret ${secretArn} (DATABASE_URL_SECRET_ARN) must hold a postgres:// or postgresql:// URL`,
    );
  }
  env.DATABASE_URL = value;
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
  } catch {
    return false;
  }
}
