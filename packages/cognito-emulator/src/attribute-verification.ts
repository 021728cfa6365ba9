// Proving an attribute's value with a code: GetUserAttributeVerificationCode sends one,
// UpdateUserAttributes sends one for a changed email, VerifyUserAttribute redeems it. Only email can
// be verified here (the emulator sends no SMS).
import { InvalidParameterException } from "./errors.ts";
import { type CodeDelivery, codeMismatch, maskEmail, redeemCode, sendCode } from "./outbox.ts";
import type { Services } from "./services.ts";
import type { AttributeCode, PoolState, UserRecord } from "./store.ts";
import { claimAlias } from "./users.ts";

/** Refuses what cannot be verified: only `email` and `phone_number` can, and SMS is not sent here. */
export function requireVerifiable(name: string): "email" {
  if (name === "email") return name;
  if (name === "phone_number") {
    throw new InvalidParameterException(
      "phone_number cannot be verified: this emulator sends no SMS messages (verify email instead).",
    );
  }
  throw new InvalidParameterException(
    `Invalid attribute name ${name}: only email and phone_number can be verified.`,
  );
}

/** The address a new code proves: the email waiting to replace the current one, else the current one. */
export function emailToVerify(user: UserRecord): string {
  const email = user.pendingEmail ?? user.attributes.email;
  if (!email) {
    throw new InvalidParameterException("The user has no email attribute to verify.");
  }
  return email;
}

/** Sends a code for `email` (to the outbox) and returns the user holding it as their pending code. */
export function withAttributeCode(
  deps: Pick<Services, "clock" | "outbox" | "config">,
  pool: PoolState,
  user: UserRecord,
  email: string,
): { user: UserRecord; delivery: CodeDelivery } {
  const pending = sendCode(deps, pool, user, email, "VerifyUserAttribute");
  const verificationCode: AttributeCode = { ...pending, attribute: "email", value: email };
  return {
    user: { ...user, verificationCode, updatedAt: deps.clock.now() },
    delivery: maskEmail(email),
  };
}

/**
 * Redeems `code` for the user's email: the address it was sent to becomes the user's verified
 * email (a pending one replaces the current one), and, in a pool with the email alias, their
 * sign-in alias — refused with AliasExistsException while another user signs in with it.
 */
export function verifyEmail(
  deps: Pick<Services, "store" | "clock">,
  pool: PoolState,
  user: UserRecord,
  code: string,
): UserRecord {
  const pending = user.verificationCode;
  const current = user.attributes.email;
  // A code sent to an address the user no longer has (or will have) proves nothing.
  if (!pending || (pending.value !== current && pending.value !== user.pendingEmail)) {
    throw codeMismatch();
  }
  const now = deps.clock.now();
  redeemCode(deps.store, user, "verificationCode", code, now);
  const verified: UserRecord = {
    ...user,
    attributes: { ...user.attributes, email: pending.value, email_verified: "true" },
    verificationCode: null,
    pendingEmail: null,
    updatedAt: now,
  };
  claimAlias(deps, pool, verified, false);
  deps.store.putUser(verified);
  return verified;
}
