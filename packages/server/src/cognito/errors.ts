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
  // A call that waited its turn in the API's own queue for too long (call-limiter.ts).
  "CognitoQueueTimeout",
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

/**
 * The problem a failed code or password operation (VerifyUserAttribute, ConfirmForgotPassword,
 * ChangePassword, the code senders) becomes. There, Cognito's LimitExceededException means too
 * many codes or attempts for this user, which waiting fixes, not an outage.
 */
export function credentialProblem(
  error: unknown,
  fields: { code?: string; password?: string; currentPassword?: string } = {},
): Problem {
  if (error instanceof Problem) return error;
  const name = cognitoErrorName(error);
  const message = (error as { message?: unknown } | null)?.message;
  switch (name) {
    case "CodeMismatchException": {
      const text = "That code is not right. Check the latest email we sent, or ask for a new code.";
      return new Problem("code_mismatch", text, [{ field: fields.code ?? "code", message: text }]);
    }
    case "ExpiredCodeException": {
      const text = "That code has expired. Ask for a new code.";
      return new Problem("code_expired", text, [{ field: fields.code ?? "code", message: text }]);
    }
    case "LimitExceededException":
    case "TooManyFailedAttemptsException":
      return new Problem(
        "too_many_attempts",
        "Too many attempts. Wait a while before trying again.",
      );
    case "InvalidPasswordException":
      return new Problem("password_policy", "The password does not meet the policy.", [
        {
          field: fields.password ?? "password",
          rule: "cognito",
          message: typeof message === "string" ? message : "Refused by the identity service.",
        },
      ]);
    case "NotAuthorizedException":
      if (fields.currentPassword && typeof message === "string" && /incorrect/i.test(message)) {
        const text = "The current password is not right.";
        return new Problem("current_password_incorrect", text, [
          { field: fields.currentPassword, message: text },
        ]);
      }
      return new Problem("unauthorized", "You signed out: sign in again.");
    case "UserNotFoundException":
      return new Problem("unauthorized", "The account no longer exists.");
  }
  return toProblem(error);
}
