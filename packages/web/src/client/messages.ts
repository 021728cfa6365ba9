// Every error as a sentence a person understands, and which field it concerns.
import { ApiError } from "./api.ts";

export interface FieldError {
  field: string | null;
  message: string;
}

const CODE_NOT_RIGHT = "That code is not right. Check the email we sent and try again.";

const COGNITO: Record<string, FieldError> = {
  NotAuthorizedException: {
    field: "password",
    message: "That email and password don't match. Check them, or reset your password.",
  },
  UserNotFoundException: {
    field: "password",
    message: "That email and password don't match. Check them, or reset your password.",
  },
  PasswordResetRequiredException: {
    field: null,
    message: "This account needs a new password: use “Forgot your password?”.",
  },
  CodeMismatchException: { field: "code", message: CODE_NOT_RIGHT },
  ExpiredCodeException: { field: "code", message: "That code has expired. Ask for a new one." },
  LimitExceededException: {
    field: null,
    message: "Too many attempts. Wait a few minutes, then try again.",
  },
  TooManyRequestsException: {
    field: null,
    message: "Too many attempts. Wait a few minutes, then try again.",
  },
  InvalidParameterException: {
    field: null,
    message: "Something you entered isn't valid. Check the form and try again.",
  },
  // identity-js's name for a request that never got an answer.
  NetworkError: {
    field: null,
    message: "We couldn't reach the server. Check your connection and try again.",
  },
};

/**
 * Per-form wording for an error, keyed by Cognito exception name (`NotAuthorizedException`) or API
 * problem code (`too_many_attempts`): the same failure can concern different fields on each form.
 */
export type ErrorOverrides = Partial<Record<string, FieldError>>;

const WAIT_FOR_CODES: FieldError = {
  field: null,
  message: "We have sent several codes already. Wait a few minutes before asking again.",
};
/** For "Send a new code": too many codes asked for is not a wrong code. */
export const ASKING_FOR_CODES: ErrorOverrides = {
  too_many_attempts: WAIT_FOR_CODES,
  rate_limited: WAIT_FOR_CODES,
};

export function describeError(error: unknown, overrides: ErrorOverrides = {}): FieldError[] {
  if (error instanceof ApiError) {
    const { problem } = error;
    const override = overrides[problem.code];
    if (override) return [override];
    switch (problem.code) {
      case "code_mismatch":
        return [{ field: "code", message: CODE_NOT_RIGHT }];
      case "code_expired":
        return [
          { field: "code", message: "That code has expired. Send a new code and use that one." },
        ];
      case "too_many_attempts":
        return [
          {
            field: "code",
            message:
              "Too many wrong attempts. Wait a few minutes, then send a new code and try again.",
          },
        ];
      case "current_password_incorrect":
        return [{ field: "currentPassword", message: "That is not your current password." }];
      case "email_unverified":
        return [
          { field: null, message: "Confirm your email first: enter the code we sent to it." },
        ];
      case "email_taken":
        return [
          {
            field: "email",
            message:
              "An account with this email already exists. Sign in instead, or use another email.",
          },
        ];
      case "password_policy":
        return [
          {
            // "password" on create and reset, "newPassword" on change.
            field: problem.errors?.find((e) => e.field)?.field ?? "password",
            message: `This password is too weak. ${(problem.errors ?? []).map((e) => e.message).join(" ")}`,
          },
        ];
      case "validation_failed":
        return (problem.errors ?? [{ message: problem.detail }]).map((e) => ({
          field: e.field ?? null,
          message: e.message,
        }));
      case "rate_limited":
        return [
          { field: null, message: "Too many attempts from here. Wait a minute, then try again." },
        ];
      case "identity_unavailable":
        return [
          { field: null, message: "Our sign-in service is busy right now. Try again in a moment." },
        ];
      case "unauthorized":
        return [{ field: null, message: "Your session has ended. Sign in again." }];
      default:
        return [
          { field: null, message: "Something went wrong on our side. Try again in a moment." },
        ];
    }
  }
  const code =
    (error as { code?: string; name?: string } | null)?.code ??
    (error as { name?: string } | null)?.name ??
    "";
  const override = overrides[code];
  if (override) return [override];
  if (code === "NotAuthorizedException" && /disabled/i.test(String((error as Error).message))) {
    return [{ field: null, message: "This account has been disabled." }];
  }
  if (code === "InvalidPasswordException") {
    return [
      { field: "password", message: "This password doesn't meet the rules shown beside it." },
    ];
  }
  const known = COGNITO[code];
  if (known) return [known];
  if (error instanceof TypeError) {
    return [
      {
        field: null,
        message: "We couldn't reach the server. Check your connection and try again.",
      },
    ];
  }
  return [{ field: null, message: "Something went wrong. Try again in a moment." }];
}
