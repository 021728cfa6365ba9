// The Lambda gets the URLs of PostgreSQL and Redis, which carry passwords, from Secrets Manager
// rather than from its environment, where anyone allowed to read the function's configuration (or
// the CloudFormation template) would see them. They are resolved once per cold start, before the
// server reads its environment, so the server's own configuration code stays the one place that
// reads and validates DATABASE_URL and REDIS_URL.

/** Why a URL could not be resolved. */
export type SecretUrlErrorCode = "not_configured" | "secret_empty" | "wrong_scheme";

export class SecretUrlError extends Error {
  override readonly name = "SecretUrlError";
  constructor(
    readonly code: SecretUrlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a secret's `SecretString`; `undefined` when the secret holds binary data or nothing. */
export type ReadSecret = (secretArn: string) => Promise<string | undefined>;

export interface SecretUrl {
  /** The variable to set, e.g. `DATABASE_URL`; its secret's ARN is in `<variable>_SECRET_ARN`. */
  readonly variable: string;
  /** Whether the API cannot run without it. */
  readonly required: boolean;
  /** The URL schemes accepted, e.g. `["postgres:", "postgresql:"]`. */
  readonly schemes: readonly string[];
}

/** The URLs the API on Lambda reads from secrets. */
export const secretUrls: readonly SecretUrl[] = [
  { variable: "DATABASE_URL", required: true, schemes: ["postgres:", "postgresql:"] },
  { variable: "REDIS_URL", required: false, schemes: ["redis:", "rediss:"] },
];

/**
 * Sets `env[url.variable]` from the secret whose ARN is in `env[url.variable + "_SECRET_ARN"]`,
 * unless the variable is already set. The secret's value is the URL itself. Messages name the
 * secret, never its value.
 */
export async function resolveSecretUrl(
  env: Record<string, string | undefined>,
  url: SecretUrl,
  readSecret: ReadSecret,
): Promise<void> {
  if (env[url.variable]) return;
  const arnVariable = `${url.variable}_SECRET_ARN`;
  const secretArn = env[arnVariable];
  if (!secretArn) {
    if (!url.required) return;
    throw new SecretUrlError(
      "not_configured",
      `Neither ${url.variable} nor ${arnVariable} is set; the API on Lambda needs it`,
    );
  }
  const value = (await readSecret(secretArn))?.trim();
  if (!value) {
    throw new SecretUrlError(
      "secret_empty",
      `The secret ${secretArn} (${arnVariable}) holds no string value`,
    );
  }
  if (!hasScheme(value, url.schemes)) {
    throw new SecretUrlError(
      "wrong_scheme",
      `The secret ${secretArn} (${arnVariable}) must hold a ${url.schemes.map((s) => `${s}//`).join(" or ")} URL`,
    );
  }
  env[url.variable] = value;
}

function hasScheme(value: string, schemes: readonly string[]): boolean {
  try {
    const parsed = new URL(value);
    return schemes.includes(parsed.protocol) && parsed.hostname !== "";
  } catch {
    return false;
  }
}
