// Users: the admin side, the user's own side (access token), and password reset.
import { randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import {
  AliasExistsException,
  CodeMismatchException,
  ExpiredCodeException,
  GroupExistsException,
  InvalidParameterException,
  incorrectCredentials,
  LimitExceededException,
  NotAuthorizedException,
  ResourceNotFoundException,
  UnsupportedUserStateException,
  UsernameExistsException,
} from "../errors.ts";
import type { AttributeType, Input } from "../input.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import {
  attributeList,
  authenticateAccessToken,
  findUser,
  requireClient,
  requirePool,
  requireUser,
  type Services,
  sha256Hex,
  signOutEverywhere,
  unknownUserError,
  userType,
} from "../services.ts";
import { checkPassword, createVerifier, srpPoolName } from "../srp.ts";
import type { PoolState, UserRecord } from "../store.ts";

type Deps = Pick<Services, "store" | "clock">;

const IMMUTABLE = new Set(["sub"]);
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The new attribute map, checked as Cognito checks it. */
function mergeAttributes(
  current: Record<string, string>,
  changes: AttributeType[],
  { emailVerifiedOnChange }: { emailVerifiedOnChange: boolean },
): Record<string, string> {
  const next = { ...current };
  const given = new Set(changes.map((attribute) => attribute.Name));
  for (const { Name, Value } of changes) {
    if (IMMUTABLE.has(Name)) {
      throw new InvalidParameterException(`Cannot modify an immutable attribute: ${Name}`);
    }
    if (Name === "email" && !EMAIL.test(Value)) {
      throw new InvalidParameterException("Invalid email address format.");
    }
    if (
      (Name === "email_verified" || Name === "phone_number_verified") &&
      !["true", "false"].includes(Value)
    ) {
      throw new InvalidParameterException(`${Name} must be true or false`);
    }
    next[Name] = Value;
  }
  if (given.has("email") && current.email !== next.email && !given.has("email_verified")) {
    next.email_verified = emailVerifiedOnChange ? (next.email_verified ?? "false") : "false";
  }
  return next;
}

/**
 * Claims the user's verified email as their sign-in alias: another holder of it loses it when
 * `force`, and otherwise the change is refused.
 */
function claimAlias(deps: Deps, pool: PoolState, user: UserRecord, force: boolean): void {
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

function temporaryPassword(pool: PoolState): string {
  const policy = policyOf(pool.record.settings);
  const body = randomBytes(Math.max(policy.MinimumLength, 16)).toString("base64url");
  return `Aa1!${body}`;
}

function setPassword(user: UserRecord, password: string, now: number): UserRecord {
  const { salt, verifier } = createVerifier(srpPoolName(user.poolId), user.username, password);
  return { ...user, salt, verifier, passwordSetAt: now, resetCode: null, updatedAt: now };
}

export function passwordMatches(user: UserRecord, password: string): boolean {
  if (user.salt === null || user.verifier === null) return false;
  return checkPassword(srpPoolName(user.poolId), user.username, password, {
    salt: user.salt,
    verifier: user.verifier,
  });
}

export interface NewUser {
  username: string;
  attributes: AttributeType[];
  password: string | null;
  permanent: boolean;
  forceAlias: boolean;
}

/** Creates a user (AdminCreateUser, seed files). */
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
  const password = request.password ?? temporaryPassword(pool);
  enforcePolicy(policyOf(pool.record.settings), password);
  const now = deps.clock.now();
  const user = setPassword(
    {
      poolId: pool.record.id,
      username,
      sub: randomUUID(),
      attributes: mergeAttributes({}, request.attributes, { emailVerifiedOnChange: true }),
      enabled: true,
      status: request.permanent ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD",
      salt: null,
      verifier: null,
      passwordSetAt: now,
      groups: [],
      tokensValidAfter: 0,
      resetCode: null,
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

export const adminCreateUser = (deps: Deps) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const username = input.string("Username", 128);
  const action = input.optionalString("MessageAction");
  if (action !== undefined && action !== "SUPPRESS" && action !== "RESEND") {
    throw new InvalidParameterException("MessageAction must be SUPPRESS or RESEND");
  }
  if (action === "RESEND") {
    const user = requireUser(pool, username);
    if (user.status !== "FORCE_CHANGE_PASSWORD") {
      throw new UnsupportedUserStateException(
        "User status must be FORCE_CHANGE_PASSWORD to resend",
      );
    }
    return { User: userType(user) };
  }
  const user = createUser(deps, pool, {
    username,
    attributes: input.attributes("UserAttributes"),
    password: input.optionalString("TemporaryPassword", 256) ?? null,
    permanent: false,
    forceAlias: input.boolean("ForceAliasCreation") ?? false,
  });
  return { User: userType(user) };
};

function poolAndUser(deps: Deps, input: Input) {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  return { pool, user: requireUser(pool, input.string("Username", 128)) };
}

export const adminGetUser = (deps: Deps) => (input: Input) => {
  const { user } = poolAndUser(deps, input);
  return {
    Username: user.username,
    UserAttributes: attributeList(user),
    UserCreateDate: user.createdAt / 1000,
    UserLastModifiedDate: user.updatedAt / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
};

export const adminSetUserPassword = (deps: Deps) => (input: Input) => {
  // Input is checked before anything is looked up, as Cognito does.
  const password = input.string("Password", 256);
  const permanent = input.boolean("Permanent") ?? false;
  const { pool, user } = poolAndUser(deps, input);
  enforcePolicy(policyOf(pool.record.settings), password);
  deps.store.putUser({
    ...setPassword(user, password, deps.clock.now()),
    status: permanent ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD",
  });
  return {};
};

export const adminUpdateUserAttributes = (deps: Deps) => (input: Input) => {
  const { pool, user } = poolAndUser(deps, input);
  const next: UserRecord = {
    ...user,
    attributes: mergeAttributes(user.attributes, input.attributes("UserAttributes"), {
      emailVerifiedOnChange: false,
    }),
    updatedAt: deps.clock.now(),
  };
  claimAlias(deps, pool, next, false);
  deps.store.putUser(next);
  return {};
};

export const adminDeleteUser = (deps: Deps) => (input: Input) => {
  const { pool, user } = poolAndUser(deps, input);
  deps.store.deleteUser(pool.record.id, pool.userKey(user.username));
  return {};
};

const setEnabled = (enabled: boolean) => (deps: Deps) => (input: Input) => {
  const { user } = poolAndUser(deps, input);
  deps.store.putUser({ ...user, enabled, updatedAt: deps.clock.now() });
  return {};
};
export const adminDisableUser = setEnabled(false);
export const adminEnableUser = setEnabled(true);

export const adminUserGlobalSignOut = (deps: Deps) => (input: Input) => {
  const { pool, user } = poolAndUser(deps, input);
  signOutEverywhere(deps, pool, user);
  return {};
};

const FILTER = /^\s*([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
const FILTERABLE = new Set([
  "username",
  "email",
  "phone_number",
  "name",
  "given_name",
  "family_name",
  "preferred_username",
  "cognito:user_status",
  "status",
  "sub",
]);

function filterValue(user: UserRecord, attribute: string): string | undefined {
  switch (attribute) {
    case "username":
      return user.username;
    case "sub":
      return user.sub;
    case "cognito:user_status":
      return user.status;
    case "status":
      return user.enabled ? "Enabled" : "Disabled";
    default:
      return user.attributes[attribute];
  }
}

export const listUsers = (deps: Deps) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const limit = input.integer("Limit", 0, 60) ?? 60;
  const filter = input.optionalString("Filter", 256);
  const token = input.optionalString("PaginationToken");
  const wanted = input.stringList("AttributesToGet");
  let match: (user: UserRecord) => boolean = () => true;
  if (filter !== undefined && filter.trim() !== "") {
    const parsed = FILTER.exec(filter);
    if (!parsed) throw new InvalidParameterException("Error while parsing filter.");
    const [, attribute = "", operator, raw = ""] = parsed;
    if (!FILTERABLE.has(attribute)) {
      throw new InvalidParameterException(`Invalid search attribute: ${attribute}`);
    }
    const value = raw.replace(/\\(.)/g, "$1");
    const caseless = attribute === "username" && !pool.caseSensitive;
    const norm = (s: string) => (caseless ? s.toLowerCase() : s);
    match =
      operator === "="
        ? (user) => norm(filterValue(user, attribute) ?? "\u0000") === norm(value)
        : (user) => norm(filterValue(user, attribute) ?? "\u0000").startsWith(norm(value));
  }
  // The token is the key of the last user returned: stable while users are added or removed.
  let started = token === undefined;
  let startKey: string | undefined;
  if (token !== undefined) {
    try {
      startKey = Buffer.from(token, "base64url").toString("utf8");
    } catch {
      throw new InvalidParameterException("Invalid pagination token");
    }
    if (!pool.users.has(startKey)) throw new InvalidParameterException("Invalid pagination token");
  }
  const users: UserRecord[] = [];
  let nextKey: string | undefined;
  for (const [key, user] of pool.users) {
    if (!started) {
      started = key === startKey;
      continue;
    }
    if (!match(user)) continue;
    if (users.length === limit) {
      nextKey = pool.userKey((users.at(-1) as UserRecord).username);
      break;
    }
    users.push(user);
  }
  return {
    Users: users.map((user) => {
      const shape = userType(user);
      return wanted
        ? { ...shape, Attributes: shape.Attributes.filter((a) => wanted.includes(a.Name)) }
        : shape;
    }),
    ...(nextKey === undefined
      ? {}
      : { PaginationToken: Buffer.from(nextKey).toString("base64url") }),
  };
};

export const signUp = (deps: Deps) => (input: Input) => {
  const { pool } = requireClient(deps.store, input.string("ClientId", 128));
  input.string("Username", 128);
  input.string("Password", 256);
  const adminOnly = (
    pool.record.settings.AdminCreateUserConfig as { AllowAdminCreateUserOnly?: boolean } | undefined
  )?.AllowAdminCreateUserOnly;
  if (adminOnly) throw new NotAuthorizedException("SignUp is not permitted for this user pool");
  throw new InvalidParameterException(
    "SignUp is only supported on pools with AllowAdminCreateUserOnly in this emulator",
  );
};

// The user's own side: authenticated by an access token.

export const getUser = (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
  const { user } = authenticateAccessToken(deps, input.string("AccessToken", 16_384));
  return { Username: user.username, UserAttributes: attributeList(user) };
};

export const changePassword =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const { pool, user } = authenticateAccessToken(deps, input.string("AccessToken", 16_384));
    const previous = input.string("PreviousPassword", 256);
    const proposed = input.string("ProposedPassword", 256);
    if (!passwordMatches(user, previous)) throw incorrectCredentials();
    enforcePolicy(policyOf(pool.record.settings), proposed);
    deps.store.putUser(setPassword(user, proposed, deps.clock.now()));
    return {};
  };

export const globalSignOut =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const { pool, user } = authenticateAccessToken(deps, input.string("AccessToken", 16_384));
    signOutEverywhere(deps, pool, user);
    return {};
  };

// Password reset.

const CODE_TTL_MS = 60 * 60 * 1000;
const MAX_CODE_ATTEMPTS = 5;

function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
}

export const forgotPassword =
  (deps: Pick<Services, "store" | "clock" | "outbox" | "config">) => (input: Input) => {
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    const login = input.string("Username", 128);
    const user = findUser(pool, login);
    if (!user) {
      if (client.settings.PreventUserExistenceErrors === "ENABLED") {
        // Looks like a delivery, so the response says nothing about who has an account.
        return {
          CodeDeliveryDetails: {
            Destination: login.includes("@") ? maskEmail(login) : "u***@e***",
            DeliveryMedium: "EMAIL",
            AttributeName: "email",
          },
        };
      }
      throw unknownUserError(client);
    }
    const email = user.attributes.email;
    if (!email || user.attributes.email_verified !== "true") {
      throw new InvalidParameterException(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
      );
    }
    if (!user.enabled) throw new NotAuthorizedException("User is disabled.");
    const code = deps.config.fixedCode ?? String(randomInt(0, 1_000_000)).padStart(6, "0");
    const now = deps.clock.now();
    deps.store.putUser({
      ...user,
      resetCode: { hash: sha256Hex(code), expiresAt: now + CODE_TTL_MS, attempts: 0 },
      updatedAt: now,
    });
    deps.outbox.push({
      userPoolId: pool.record.id,
      username: user.username,
      destination: email,
      code,
      reason: "ForgotPassword",
      createdAt: new Date(now).toISOString(),
    });
    if (deps.outbox.length > 1000) deps.outbox.shift();
    deps.config.log(
      `ForgotPassword code for ${user.username} <${email}> in ${pool.record.id}: ${code}`,
    );
    return {
      CodeDeliveryDetails: {
        Destination: maskEmail(email),
        DeliveryMedium: "EMAIL",
        AttributeName: "email",
      },
    };
  };

export const confirmForgotPassword =
  (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    const user = findUser(pool, input.string("Username", 128));
    const code = input.string("ConfirmationCode", 2048);
    const password = input.string("Password", 256);
    if (!user) throw unknownUserError(client);
    const pending = user.resetCode;
    const now = deps.clock.now();
    if (!pending)
      throw new CodeMismatchException("Invalid verification code provided, please try again.");
    if (pending.attempts >= MAX_CODE_ATTEMPTS) {
      throw new LimitExceededException("Attempt limit exceeded, please try after some time.");
    }
    const given = Buffer.from(sha256Hex(code));
    if (!timingSafeEqual(given, Buffer.from(pending.hash))) {
      deps.store.putUser({ ...user, resetCode: { ...pending, attempts: pending.attempts + 1 } });
      throw new CodeMismatchException("Invalid verification code provided, please try again.");
    }
    if (pending.expiresAt <= now) {
      throw new ExpiredCodeException("Invalid code provided, please request a code again.");
    }
    enforcePolicy(policyOf(pool.record.settings), password);
    deps.store.putUser({ ...setPassword(user, password, now), status: "CONFIRMED" });
    return {};
  };

// Groups.

export const createGroup = (deps: Deps) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const name = input.string("GroupName", 128);
  if (pool.groups.has(name)) {
    throw new GroupExistsException("A group with the name already exists.");
  }
  const now = deps.clock.now();
  const group = {
    poolId: pool.record.id,
    name,
    description: input.optionalString("Description") ?? null,
    precedence: input.integer("Precedence", 0, 2_147_483_647) ?? null,
    roleArn: input.optionalString("RoleArn") ?? null,
    createdAt: now,
    updatedAt: now,
  };
  deps.store.putGroup(group);
  return { Group: groupType(group) };
};

function groupType(group: {
  poolId: string;
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
  createdAt: number;
  updatedAt: number;
}) {
  return {
    GroupName: group.name,
    UserPoolId: group.poolId,
    ...(group.description === null ? {} : { Description: group.description }),
    ...(group.precedence === null ? {} : { Precedence: group.precedence }),
    ...(group.roleArn === null ? {} : { RoleArn: group.roleArn }),
    CreationDate: group.createdAt / 1000,
    LastModifiedDate: group.updatedAt / 1000,
  };
}

function poolUserGroup(deps: Deps, input: Input) {
  const { pool, user } = poolAndUser(deps, input);
  const name = input.string("GroupName", 128);
  if (!pool.groups.has(name)) throw new ResourceNotFoundException("Group not found.");
  return { pool, user, name };
}

export const adminAddUserToGroup = (deps: Deps) => (input: Input) => {
  const { user, name } = poolUserGroup(deps, input);
  if (!user.groups.includes(name)) {
    deps.store.putUser({ ...user, groups: [...user.groups, name], updatedAt: deps.clock.now() });
  }
  return {};
};

export const adminRemoveUserFromGroup = (deps: Deps) => (input: Input) => {
  const { user, name } = poolUserGroup(deps, input);
  deps.store.putUser({
    ...user,
    groups: user.groups.filter((group) => group !== name),
    updatedAt: deps.clock.now(),
  });
  return {};
};

export const adminListGroupsForUser = (deps: Deps) => (input: Input) => {
  const { pool, user } = poolAndUser(deps, input);
  return {
    Groups: user.groups.flatMap((name) => {
      const group = pool.groups.get(name);
      return group ? [groupType(group)] : [];
    }),
  };
};
