// Every error the API returns: RFC 9457 problem details with a stable `code`. HTTP statuses are
// mapped from codes here and nowhere else.
export type ProblemCode =
  | "validation_failed"
  | "password_policy"
  | "email_taken"
  | "code_mismatch"
  | "code_expired"
  | "current_password_incorrect"
  | "unauthorized"
  | "email_unverified"
  | "origin_not_allowed"
  | "not_found"
  | "rate_limited"
  | "too_many_attempts"
  | "identity_unavailable"
  | "headers_too_large"
  | "request_timeout"
  | "internal";

const STATUS: Record<ProblemCode, number> = {
  validation_failed: 400,
  password_policy: 400,
  email_taken: 409,
  code_mismatch: 400,
  code_expired: 400,
  current_password_incorrect: 400,
  unauthorized: 401,
  email_unverified: 403,
  origin_not_allowed: 403,
  not_found: 404,
  rate_limited: 429,
  too_many_attempts: 429,
  identity_unavailable: 503,
  headers_too_large: 431,
  request_timeout: 408,
  internal: 500,
};

const TITLE: Record<ProblemCode, string> = {
  validation_failed: "The request is not valid",
  password_policy: "The password does not meet the policy",
  email_taken: "An account with this email already exists",
  code_mismatch: "The code is not the one we sent",
  code_expired: "The code has expired",
  current_password_incorrect: "The current password is not right",
  unauthorized: "Sign-in required",
  email_unverified: "The email address is not verified yet",
  origin_not_allowed: "Pages from this origin may not call the API",
  not_found: "Not found",
  rate_limited: "Too many requests",
  too_many_attempts: "Too many attempts",
  identity_unavailable: "The identity service is unavailable",
  headers_too_large: "The request's headers are too large",
  request_timeout: "The request took too long to arrive",
  internal: "Internal error",
};

export interface ProblemDetail {
  field?: string;
  rule?: string;
  message: string;
}

export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors: ProblemDetail[] = [],
    /** Seconds, for 429 and 503. */
    readonly retryAfter: number | null = null,
  ) {
    super(detail);
    this.name = "Problem";
    this.status = STATUS[code];
  }

  body(instance?: string) {
    return {
      type: `https://gatehouse.dev/problems/${this.code.replaceAll("_", "-")}`,
      title: TITLE[this.code],
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
      ...(instance ? { instance } : {}),
    };
  }
}

export const PROBLEM_TYPE = "application/problem+json";

/** The JSON schema of a problem body, for the OpenAPI document. */
export const problemSchema = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", enum: Object.keys(STATUS) },
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: {
          field: { type: "string" },
          rule: { type: "string" },
          message: { type: "string" },
        },
      },
    },
  },
} as const;
