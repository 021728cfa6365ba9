// Users: creation, attributes and the email alias, passwords (kept only as an SRP verifier), and
// the shapes Cognito answers with.
import { randomBytes, randomUUID } from "node:crypto";
import { type AttributeCaller, applyAttributeWrites, EMAIL, PHONE_NUMBER } from "./attributes.ts";
import {
  AliasExistsException,
  InvalidParameterException,
  NotAuthorizedException,
  UsernameExistsException,
} from "./errors.ts";
import type { AttributeType } from "./input.ts";
import { enforcePolicy, policyOf } from "./password-policy.ts";
import type { Services } from "./services.ts";
import { checkPassword, createVerifier, srpPoolName } from "./srp.ts";
import { type PoolState, SIGN_IN_ATTRIBUTES, type UserRecord, type UserStatus } from "./store.ts";

type Deps = Pick<Services, "store" | "clock">;

/**
 * Claims the addresses that sign this user in (a verified alias, or an address standing in for
 * the username). Another holder of an alias loses it (unverified) when `force`; otherwise, and
 * always for a username attribute, the change is refused with AliasExistsException.
 */
export function claimAlias(deps: Deps, pool: PoolState, user: UserRecord, force: boolean): void {
  for (const attribute of SIGN_IN_ATTRIBUTES) {
    const address = pool.addressOf(user, attribute);
    if (address === null) continue;
    const holderKey = pool.addresses(attribute).get(address);
    if (holderKey === undefined || holderKey === pool.userKey(user.username)) continue;
    const holder = pool.users.get(holderKey);
    if (!holder) continue;
    // A preferred username has no verification to take away: it is never moved.
    if (
      !force ||
      attribute === "preferred_username" ||
      pool.usernameAttributes.includes(attribute)
    ) {
      throw new AliasExistsException(`An account with the given ${attribute} already exists.`);
    }
    deps.store.putUser({
      ...holder,
      attributes: { ...holder.attributes, [`${attribute}_verified`]: "false" },
      updatedAt: deps.clock.now(),
    });
  }
}

/**
 * In a pool with `UsernameAttributes`, the username given is an address: the user's username is
 * then their generated sub, and the address goes into its attribute.
 */
function usernameFromAddress(
  pool: PoolState,
  given: string,
  attributes: AttributeType[],
): { username: string | null; attributes: AttributeType[] } {
  const allowed = pool.usernameAttributes;
  if (allowed.length === 0) return { username: given, attributes };
  const attribute =
    allowed.includes("email") && EMAIL.test(given)
      ? "email"
      : allowed.includes("phone_number") && PHONE_NUMBER.test(given)
        ? "phone_number"
        : null;
  if (attribute === null) {
    throw new InvalidParameterException("Username should be either an email or a phone number.");
  }
  const stated = attributes.find((a) => a.Name === attribute);
  if (stated && stated.Value !== given) {
    throw new InvalidParameterException(
      attribute === "email"
        ? "User email should be empty or same as username, since username attribute is email."
        : "User phone number should be empty or same as username, since username attribute is phone_number.",
    );
  }
  return {
    username: null,
    attributes: [
      ...attributes.filter((a) => a.Name !== attribute),
      { Name: attribute, Value: given },
    ],
  };
}

/** A random password that meets any policy, for users created without one. */
export function temporaryPassword(pool: PoolState): string {
  const policy = policyOf(pool.record.settings);
  const body = randomBytes(Math.max(policy.MinimumLength, 16)).toString("base64url");
  return `Aa1!${body}`;
}

/** The user with a new password: a fresh salt and verifier; any pending reset code is void. */
export function withPassword(user: UserRecord, password: string, now: number): UserRecord {
  const { salt, verifier } = createVerifier(srpPoolName(user.poolId), user.username, password);
  return { ...user, salt, verifier, passwordSetAt: now, resetCode: null, updatedAt: now };
}

/** Whether `password` is the user's, by recomputing the verifier (the password is never kept). */
export function passwordMatches(user: UserRecord, password: string): boolean {
  if (user.salt === null || user.verifier === null) return false;
  return checkPassword(srpPoolName(user.poolId), user.username, password, {
    salt: user.salt,
    verifier: user.verifier,
  });
}

export function assertEnabled(user: UserRecord): void {
  if (!user.enabled) throw new NotAuthorizedException("User is disabled.");
}

export interface NewUser {
  username: string;
  attributes: AttributeType[];
  /** Null: a random temporary password nobody knows (the user must be reset or given one). */
  password: string | null;
  status: UserStatus;
  forceAlias: boolean;
  /** Whose request it is: a user's own (SignUp) may not write `*_verified`. */
  caller: AttributeCaller;
}

/** Creates a user (AdminCreateUser, SignUp, seed files), checked as Cognito checks it. */
export function createUser(deps: Deps, pool: PoolState, request: NewUser): UserRecord {
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(request.username)) {
    throw new InvalidParameterException(
      "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    );
  }
  if (pool.emailIsAlias && EMAIL.test(request.username)) {
    throw new InvalidParameterException(
      "Username cannot be of email format, since user pool is configured for email alias.",
    );
  }
  if (
    pool.usernameAttributes.length === 0 &&
    pool.signsInWith("phone_number") &&
    PHONE_NUMBER.test(request.username)
  ) {
    throw new InvalidParameterException(
      "Username cannot be of phone number format, since user pool is configured for phone_number alias.",
    );
  }
  const given = usernameFromAddress(pool, request.username, request.attributes);
  const sub = randomUUID();
  const username = given.username ?? sub;
  if (pool.users.has(pool.userKey(username))) {
    throw new UsernameExistsException("User account already exists");
  }
  const attributes = applyAttributeWrites(pool, {}, given.attributes, {
    caller: request.caller,
    creating: true,
  });
  const password = request.password ?? temporaryPassword(pool);
  enforcePolicy(policyOf(pool.record.settings), password);
  const now = deps.clock.now();
  const user = withPassword(
    {
      poolId: pool.record.id,
      username,
      sub,
      attributes,
      enabled: true,
      status: request.status,
      salt: null,
      verifier: null,
      passwordSetAt: now,
      groups: [],
      tokensValidAfter: 0,
      resetCode: null,
      confirmationCode: null,
      createdAt: now,
      updatedAt: now,
    },
    password,
    now,
  );
  claimAlias(deps, pool, user, request.forceAlias);
  deps.store.putUser(user);
  return user;
}

export function attributeList(user: UserRecord): { Name: string; Value: string }[] {
  return [
    { Name: "sub", Value: user.sub },
    ...Object.entries(user.attributes)
      .filter(([name]) => name !== "sub")
      .map(([Name, Value]) => ({ Name, Value })),
  ];
}

/** The `UserType` shape of AdminCreateUser and ListUsers. */
export function userType(user: UserRecord) {
  return {
    Username: user.username,
    Attributes: attributeList(user),
    UserCreateDate: user.createdAt / 1000,
    UserLastModifiedDate: user.updatedAt / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
