// Codes Cognito would email: kept for people and tests to read (`GET /_emulator/outbox`) and printed
// as a log line. Only a code's hash is stored with the user.
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import {
  CodeMismatchException,
  ExpiredCodeException,
  LimitExceededException,
  noSuchClientUser,
} from "./errors.ts";
import type { Services } from "./services.ts";
import type { PendingCode, PoolState, Store, UserRecord } from "./store.ts";

export type CodeReason =
  | "ForgotPassword"
  | "AdminResetUserPassword"
  | "SignUp"
  | "ResendCode"
  | "VerifyUserAttribute";

export interface OutboxMessage {
  userPoolId: string;
  username: string;
  destination: string;
  code: string;
  reason: CodeReason;
  createdAt: string;
}

/** The last messages sent, oldest first. */
export class Outbox {
  private readonly list: OutboxMessage[] = [];
  constructor(private readonly capacity = 1000) {}

  get messages(): readonly OutboxMessage[] {
    return this.list;
  }

  add(message: OutboxMessage): void {
    this.list.push(message);
    if (this.list.length > this.capacity) this.list.shift();
  }
}

/** Cognito's `CodeDeliveryDetails`, with the address masked as Cognito masks it. */
export interface CodeDelivery {
  Destination: string;
  DeliveryMedium: "EMAIL";
  AttributeName: "email";
}

export function maskEmail(email: string): CodeDelivery {
  const [local = "", domain = ""] = email.split("@");
  return {
    Destination: `${local.charAt(0)}***@${domain.charAt(0)}***`,
    DeliveryMedium: "EMAIL",
    AttributeName: "email",
  };
}

const CODE_TTL_MS: Record<CodeReason, number> = {
  ForgotPassword: 60 * 60 * 1000,
  AdminResetUserPassword: 60 * 60 * 1000,
  SignUp: 24 * 60 * 60 * 1000,
  ResendCode: 24 * 60 * 60 * 1000,
  VerifyUserAttribute: 24 * 60 * 60 * 1000,
};
export const MAX_CODE_ATTEMPTS = 5;

const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

/** Sends a fresh code to the user's email: to the outbox and the log. Returns what to store. */
export function sendCode(
  deps: Pick<Services, "clock" | "outbox" | "config">,
  pool: PoolState,
  user: UserRecord,
  email: string,
  reason: CodeReason,
): PendingCode {
  const code = deps.config.fixedCode ?? String(randomInt(0, 1_000_000)).padStart(6, "0");
  const now = deps.clock.now();
  deps.outbox.add({
    userPoolId: pool.record.id,
    username: user.username,
    destination: email,
    code,
    reason,
    createdAt: new Date(now).toISOString(),
  });
  deps.config.log(`${reason} code for ${user.username} <${email}> in ${pool.record.id}: ${code}`);
  return { hash: hashCode(code), expiresAt: now + CODE_TTL_MS[reason], attempts: 0 };
}

export type CodeCheck = "ok" | "mismatch" | "expired" | "exhausted";

/** Compares a code in constant time; a code is refused for good after too many wrong tries. */
export function checkCode(pending: PendingCode, given: string, now: number): CodeCheck {
  if (pending.attempts >= MAX_CODE_ATTEMPTS) return "exhausted";
  const same = timingSafeEqual(Buffer.from(hashCode(given)), Buffer.from(pending.hash));
  if (!same) return "mismatch";
  return pending.expiresAt <= now ? "expired" : "ok";
}

export const codeMismatch = () =>
  new CodeMismatchException("Invalid verification code provided, please try again.");

/**
 * Redeems `code` against the user's pending one (`field`), or throws Cognito's error for it; a
 * wrong code is recorded towards the attempt limit.
 */
export function redeemCode(
  store: Pick<Store, "putUser">,
  user: UserRecord,
  field: "resetCode" | "confirmationCode" | "verificationCode",
  code: string,
  now: number,
): void {
  const pending = user[field];
  if (!pending) throw codeMismatch();
  switch (checkCode(pending, code, now)) {
    case "exhausted":
      throw new LimitExceededException("Attempt limit exceeded, please try after some time.");
    case "mismatch":
      store.putUser({ ...user, [field]: { ...pending, attempts: pending.attempts + 1 } });
      throw codeMismatch();
    case "expired":
      throw new ExpiredCodeException("Invalid code provided, please request a code again.");
    case "ok":
      return;
  }
}

/** ForgotPassword and ResendConfirmationCode for nobody: a made-up delivery when the client hides users. */
export function deliveryToNobody(
  hidden: boolean,
  login: string,
): { CodeDeliveryDetails: CodeDelivery } {
  if (!hidden) throw noSuchClientUser();
  return { CodeDeliveryDetails: maskEmail(login.includes("@") ? login : "user@example.com") };
}
