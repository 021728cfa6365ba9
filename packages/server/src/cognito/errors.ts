// Cognito's exceptions mapped to the API's problems, in one place.
import { Problem } from "../problems.ts";

const UNAVAILABLE = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "LimitExceededException",
  "InternalErrorException",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
]);

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export function cognitoErrorName(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | null;
  return typeof e?.name === "string" ? e.name : "";
}

/** Throttling, outages and network failures: worth a retry later, never the caller's fault. */
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

export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  switch (cognitoErrorName(error)) {
    case "UsernameExistsException":
    case "AliasExistsException":
      return new Problem("email_taken", "An account with this email already exists.");
    case "InvalidPasswordException":
      return new Problem("password_policy", (error as Error).message, [
        { field: "password", message: (error as Error).message },
      ]);
    case "UserNotFoundException":
      return new Problem("not_found", "The account does not exist.");
    case "NotAuthorizedException":
      return new Problem("unauthorized", "Sign in again.");
  }
  if (isTransient(error)) {
    return new Problem(
      "identity_unavailable",
      "The identity service is busy or unreachable. Try again shortly.",
      [],
      5,
    );
  }
  return new Problem("internal", "Something went wrong on our side.");
}
