// Cognito's exceptions mapped to the API's problems, in one place.
import { Problem } from "../problems.ts";

/** Cognito busy or down: worth a retry later, never the caller's fault. */
const UNAVAILABLE = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "LimitExceededException",
  "InternalErrorException",
  "ServiceUnavailable",
  // The SDK's names for an attempt cut off by requestTimeout, and a call past its deadline.
  "TimeoutError",
  "RequestTimeout",
  "AbortError",
]);

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** Seconds a client should wait before trying again after `identity_unavailable`. */
export const IDENTITY_RETRY_AFTER_SECONDS = 5;

export function cognitoErrorName(error: unknown): string {
  const e = error as { name?: unknown } | null;
  return typeof e?.name === "string" ? e.name : "";
}

/** Throttling, outages and network failures. */
export function isTransient(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  } | null;
  if (!e) return false;
  if (UNAVAILABLE.has(e.name ?? "") || NETWORK.has(e.code ?? "")) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

export const identityUnavailable = () =>
  new Problem(
    "identity_unavailable",
    "The identity service is busy or unreachable. Try again shortly.",
    [],
    IDENTITY_RETRY_AFTER_SECONDS,
  );

/**
 * The problem a failed Cognito call becomes. Only what the caller can act on is named; anything
 * else (a refused parameter, missing permissions) is our fault and stays `internal`.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  switch (cognitoErrorName(error)) {
    case "UsernameExistsException":
    case "AliasExistsException":
      return new Problem("email_taken", "An account with this email already exists.");
    case "InvalidPasswordException": {
      // Cognito's own message names the rule (e.g. a policy stricter than the one read at start-up).
      const message = (error as Error).message;
      return new Problem("password_policy", "The password does not meet the policy.", [
        { field: "password", rule: "cognito", message },
      ]);
    }
  }
  if (isTransient(error)) return identityUnavailable();
  return new Problem("internal", "Something went wrong on our side.");
}
