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
  /** The email address or phone number the message went to. */
  destination: string;
  /** The code, or for an invitation the temporary password (what `{####}` stands for). */
  code: string;
  reason: CodeReason | "Invitation";
  createdAt: string;
  /** For an invitation: the text sent (the pool's template filled in) and, by email, its subject. */
  message?: string;
  subject?: string;
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
  DeliveryMedium: "EMAIL" | "SMS";
  AttributeName: "email" | "phone_number";
}

export function maskEmail(email: string): CodeDelivery {
  const [local = "", domain = ""] = email.split("@");
  return {
    Destination: `${local.charAt(0)}***@${domain.charAt(0)}***`,
    DeliveryMedium: "EMAIL",
    AttributeName: "email",
  };
}

/** An address a message can go to: an email, or a phone number (by SMS). */
export interface Address {
  attribute: "email" | "phone_number";
  value: string;
}

export function maskAddress(address: Address): CodeDelivery {
  if (address.attribute === "email") return maskEmail(address.value);
  return {
    Destination: `+${"*".repeat(Math.max(address.value.length - 5, 1))}${address.value.slice(-4)}`,
    DeliveryMedium: "SMS",
    AttributeName: "phone_number",
  };
}

/** The address a user's sign-up code goes to: the one the pool auto-verifies (SMS first, as Cognito). */
export function verificationAddress(pool: PoolState, user: UserRecord): Address | null {
  const auto = pool.record.settings.AutoVerifiedAttributes;
  const verifies = (name: string) => Array.isArray(auto) && auto.includes(name);
  const phone = user.attributes.phone_number;
  if (verifies("phone_number") && phone) return { attribute: "phone_number", value: phone };
  const email = user.attributes.email;
  if (verifies("email") && email) return { attribute: "email", value: email };
  return null;
}

const DEFAULT_INVITATION = "Your username is {username} and temporary password is {####}.";

/**
 * AdminCreateUser's invitation: the pool's `InviteMessageTemplate` with `{username}` and `{####}`
 * (the temporary password) filled in, to each of the `mediums` the user has an address for
 * (email when they have none of those). Returns where it went. The log names the recipient only:
 * the temporary password is in the outbox alone.
 */
export function sendInvitation(
  deps: Pick<Services, "clock" | "outbox" | "config">,
  pool: PoolState,
  user: UserRecord,
  { signInName, password, mediums }: { signInName: string; password: string; mediums: string[] },
): Address[] {
  const template = (
    pool.record.settings.AdminCreateUserConfig as
      | {
          InviteMessageTemplate?: {
            EmailMessage?: string;
            EmailSubject?: string;
            SMSMessage?: string;
          };
        }
      | undefined
  )?.InviteMessageTemplate;
  const fill = (text: string) =>
    text.replaceAll("{username}", signInName).replaceAll("{####}", password);
  const { email, phone_number: phone } = user.attributes;
  const addresses: Address[] = [];
  if (mediums.includes("SMS") && phone) addresses.push({ attribute: "phone_number", value: phone });
  if (mediums.includes("EMAIL") && email) addresses.push({ attribute: "email", value: email });
  if (addresses.length === 0 && email) addresses.push({ attribute: "email", value: email });
  const createdAt = new Date(deps.clock.now()).toISOString();
  for (const address of addresses) {
    const byEmail = address.attribute === "email";
    deps.outbox.add({
      userPoolId: pool.record.id,
      username: user.username,
      destination: address.value,
      code: password,
      reason: "Invitation",
      createdAt,
      message: fill(
        (byEmail ? template?.EmailMessage : template?.SMSMessage) ?? DEFAULT_INVITATION,
      ),
      ...(byEmail ? { subject: template?.EmailSubject ?? "Your temporary password" } : {}),
    });
    deps.config.log(
      `Invitation for ${user.username} <${address.value}> in ${pool.record.id} (temporary password in the outbox)`,
    );
  }
  return addresses;
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
