// Proving an address with a code: GetUserAttributeVerificationCode sends one, UpdateUserAttributes
// sends one for a changed address, VerifyUserAttribute redeems it. `email` and `phone_number` can be
// verified (an SMS goes to the outbox like an email). One pending code per user: a new one replaces
// the last.
import { InvalidParameterException } from "./errors.ts";
import {
  type Address,
  type CodeDelivery,
  codeMismatch,
  maskAddress,
  redeemCode,
  sendCode,
} from "./outbox.ts";
import type { Services } from "./services.ts";
import type { AttributeCode, PoolState, UserRecord } from "./store.ts";
import { claimAlias } from "./users.ts";

export type VerifiableAttribute = Address["attribute"];

/** Refuses what cannot be verified: only `email` and `phone_number` can. */
export function requireVerifiable(name: string): VerifiableAttribute {
  if (name === "email" || name === "phone_number") return name;
  throw new InvalidParameterException(
    `Invalid attribute name ${name}: only email and phone_number can be verified.`,
  );
}

/**
 * The address a new code for `attribute` proves: for email, the one waiting to replace the current
 * one, else the current one.
 */
export function addressToVerify(user: UserRecord, attribute: VerifiableAttribute): Address {
  const value =
    attribute === "email"
      ? (user.pendingEmail ?? user.attributes.email)
      : user.attributes.phone_number;
  if (!value) {
    throw new InvalidParameterException(`The user has no ${attribute} attribute to verify.`);
  }
  return { attribute, value };
}

/** Sends a code for `address` (to the outbox) and returns the user holding it as their pending code. */
export function withAttributeCode(
  deps: Pick<Services, "clock" | "outbox" | "config">,
  pool: PoolState,
  user: UserRecord,
  address: Address,
): { user: UserRecord; delivery: CodeDelivery } {
  const pending = sendCode(deps, pool, user, address.value, "VerifyUserAttribute");
  const verificationCode: AttributeCode = {
    ...pending,
    attribute: address.attribute,
    value: address.value,
  };
  return {
    user: { ...user, verificationCode, updatedAt: deps.clock.now() },
    delivery: maskAddress(address),
  };
}

/**
 * Redeems `code` for the user's `attribute`: the address it was sent to becomes verified (a pending
 * email replaces the current one) and, in a pool where that attribute is a sign-in alias, the
 * user's alias — refused with AliasExistsException while another user signs in with it.
 */
export function verifyAttribute(
  deps: Pick<Services, "store" | "clock">,
  pool: PoolState,
  user: UserRecord,
  attribute: VerifiableAttribute,
  code: string,
): UserRecord {
  const pending = user.verificationCode;
  const current = user.attributes[attribute];
  const pendingValue = attribute === "email" ? user.pendingEmail : undefined;
  // A code sent to an address the user no longer has (or will have) proves nothing.
  if (
    !pending ||
    pending.attribute !== attribute ||
    (pending.value !== current && pending.value !== pendingValue)
  ) {
    throw codeMismatch();
  }
  const now = deps.clock.now();
  redeemCode(deps.store, user, "verificationCode", code, now);
  const verified: UserRecord = {
    ...user,
    attributes: {
      ...user.attributes,
      [attribute]: pending.value,
      [`${attribute}_verified`]: "true",
    },
    verificationCode: null,
    ...(attribute === "email" ? { pendingEmail: null } : {}),
    updatedAt: now,
  };
  claimAlias(deps, pool, verified, false);
  deps.store.putUser(verified);
  return verified;
}
