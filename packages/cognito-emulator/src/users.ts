// Users: creation, attributes and the email alias, passwords (kept only as an SRP verifier), and
// the shapes Cognito answers with.
import { randomBytes, randomUUID } from "node:crypto";
import { type AttributeCaller, applyAttributeWrites, EMAIL } from "./attributes.ts";
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
import type { PoolState, UserRecord, UserStatus } from "./store.ts";

type Deps = Pick<Services, "store" | "clock">;

/**
 * Claims the user's verified email as their sign-in alias: another holder of it loses it when
 * `force`, and otherwise the change is refused.
 */
export function claimAlias(deps: Deps, pool: PoolState, user: UserRecord, force: boolean): void {
  const alias = pool.aliasOf(user);
  if (!alias) return;
  const holderKey = pool.byEmail.get(alias);
  if (holderKey === undefined || holderKey === pool.userKey(user.username)) return;
  const holder = pool.users.get(holderKey);
  if (!holder) return;
  if (!force) throw new AliasExistsException("An account with the given email already exists.");
  deps.store.putUser({
    ...holder,
    attributes: { ...holder.attributes, email_verified: "false" },
    updatedAt: deps.clock.now(),
  });
}

/** A random password that meets any policy, for users created without one. */
function temporaryPassword(pool: PoolState): string {
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
  const { username } = request;
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(username)) {
    throw new InvalidParameterException(
      "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    );
  }
  if (pool.emailIsAlias && EMAIL.test(username)) {
    throw new InvalidParameterException(
      "Username cannot be of email format, since user pool is configured for email alias.",
    );
  }
  if (pool.users.has(pool.userKey(username))) {
    throw new UsernameExistsException("User account already exists");
  }
  const attributes = applyAttributeWrites(pool, {}, request.attributes, {
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
      sub: randomUUID(),
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
