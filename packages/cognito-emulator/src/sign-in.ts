// Sign-in: the password flows, SRP, refresh, and the challenges a sign-in can lead to. Shared by
// InitiateAuth / AdminInitiateAuth and RespondToAuthChallenge / AdminRespondToAuthChallenge.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { applyAttributeWrites } from "./attributes.ts";
import {
  InvalidParameterException,
  incorrectCredentials,
  NotAuthorizedException,
  PasswordResetRequiredException,
  UserNotConfirmedException,
} from "./errors.ts";
import type { Input } from "./input.ts";
import { findUser, hidesUsers, unknownUserError } from "./lookup.ts";
import { enforcePolicy, policyOf } from "./password-policy.ts";
import { redeemRefreshToken, rotationOf } from "./refresh-tokens.ts";
import type { Services } from "./services.ts";
import {
  createServerEphemeral,
  createVerifier,
  expectedClaimSignature,
  parseClientPublic,
  serverSessionKey,
  srpPoolName,
} from "./srp.ts";
import type { ClientRecord, PoolState, UserRecord } from "./store.ts";
import { issueTokens } from "./user-tokens.ts";
import { assertEnabled, passwordMatches, withPassword } from "./users.ts";

type Deps = Pick<Services, "store" | "clock" | "signer" | "sessions" | "config">;

/** What a challenge's opaque handle stands for: bound to pool, client, user and challenge. */
export interface ChallengeSession {
  poolId: string;
  clientId: string;
  /** Null for a made-up challenge that hides whether the user exists. */
  userKey: string | null;
  challenge: "NEW_PASSWORD_REQUIRED" | "PASSWORD_VERIFIER";
  /** For PASSWORD_VERIFIER: the server's SRP secret and public values, and the client's A (hex). */
  srp?: { b: string; B: string; A: string };
}

/** Cognito's challenge lifetime. */
export const SESSION_TTL_MS = 3 * 60 * 1000;

const invalidSession = () => new NotAuthorizedException("Invalid session for the user.");
const expiredSession = () =>
  new NotAuthorizedException("Invalid session for the user, session is expired.");
const missing = (name: string) =>
  new InvalidParameterException(`Missing required parameter ${name}`);

/** Clients with a secret must prove they hold it. */
export function checkSecretHash(client: ClientRecord, username: string, given: string | undefined) {
  if (client.clientSecret === null) return;
  if (given === undefined) {
    throw new NotAuthorizedException(
      `Client ${client.clientId} is configured for secret but secret was not received`,
    );
  }
  const expected = Buffer.from(
    createHmac("sha256", client.clientSecret)
      .update(username + client.clientId)
      .digest("base64"),
  );
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new NotAuthorizedException(`Unable to verify secret hash for client ${client.clientId}`);
  }
}

function newPasswordChallenge(deps: Deps, pool: PoolState, client: ClientRecord, user: UserRecord) {
  const session = randomBytes(96).toString("base64");
  deps.sessions.set(
    session,
    {
      poolId: pool.record.id,
      clientId: client.clientId,
      userKey: pool.userKey(user.username),
      challenge: "NEW_PASSWORD_REQUIRED",
    },
    SESSION_TTL_MS,
  );
  const { sub: _sub, ...attributes } = user.attributes;
  return {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: session,
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: "[]",
      userAttributes: JSON.stringify(attributes),
    },
  };
}

/** What a proven password leads to: tokens, or what the user's state demands first. */
async function afterPassword(deps: Deps, pool: PoolState, client: ClientRecord, user: UserRecord) {
  assertEnabled(user);
  switch (user.status) {
    case "FORCE_CHANGE_PASSWORD": {
      const days = policyOf(pool.record.settings).TemporaryPasswordValidityDays;
      if (deps.clock.now() > user.passwordSetAt + days * 86_400_000) {
        throw new NotAuthorizedException(
          "Temporary password has expired and must be reset by an administrator.",
        );
      }
      return newPasswordChallenge(deps, pool, client, user);
    }
    case "RESET_REQUIRED":
      throw new PasswordResetRequiredException("Password reset required for the user");
    case "UNCONFIRMED":
      throw new UserNotConfirmedException("User is not confirmed.");
    default:
      return {
        ChallengeParameters: {},
        AuthenticationResult: await issueTokens(deps, pool, client, user),
      };
  }
}

/** USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: the password itself is sent. */
export function passwordSignIn(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  parameters: Record<string, string>,
) {
  const login = parameters.USERNAME;
  const password = parameters.PASSWORD;
  if (login === undefined) throw missing("USERNAME");
  if (password === undefined) throw missing("PASSWORD");
  checkSecretHash(client, login, parameters.SECRET_HASH);
  const user = findUser(pool, login);
  if (!user) throw unknownUserError(client);
  // A wrong temporary password is a wrong password: it never leads to a challenge.
  if (!passwordMatches(user, password)) throw incorrectCredentials();
  return afterPassword(deps, pool, client, user);
}

/** REFRESH_TOKEN_AUTH: new access and id tokens for the same sign-in, no new refresh token. */
export async function refreshSignIn(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  parameters: Record<string, string>,
) {
  const token = parameters.REFRESH_TOKEN;
  if (token === undefined) throw missing("REFRESH_TOKEN");
  if (rotationOf(client).enabled) {
    throw new NotAuthorizedException(
      "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken.",
    );
  }
  const { record, user } = redeemRefreshToken(deps, pool, client, token);
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(deps, pool, client, user, {
      originJti: record.originJti,
      authTime: record.authTime,
    }),
  };
}

/** USER_SRP_AUTH: answers the client's A with B, the salt and a SECRET_BLOCK to sign. */
export function srpSignIn(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  parameters: Record<string, string>,
) {
  const login = parameters.USERNAME;
  const srpA = parameters.SRP_A;
  if (login === undefined) throw missing("USERNAME");
  if (srpA === undefined) throw missing("SRP_A");
  if (parseClientPublic(srpA) === null) throw new InvalidParameterException("Invalid SRP_A");
  checkSecretHash(client, login, parameters.SECRET_HASH);
  const user = findUser(pool, login);
  if (!user && !hidesUsers(client)) throw unknownUserError(client);
  if (user) assertEnabled(user);
  // An unknown user gets a challenge that looks real and can never be answered.
  const stored = user?.salt && user.verifier ? { salt: user.salt, verifier: user.verifier } : null;
  const { salt, verifier } =
    stored ?? createVerifier(srpPoolName(pool.record.id), login, randomBytes(16).toString("hex"));
  const ephemeral = createServerEphemeral(verifier);
  const secretBlock = randomBytes(64).toString("base64");
  const userIdForSrp = user?.username ?? login;
  deps.sessions.set(
    `srp:${secretBlock}`,
    {
      poolId: pool.record.id,
      clientId: client.clientId,
      userKey: user ? pool.userKey(user.username) : null,
      challenge: "PASSWORD_VERIFIER",
      srp: { b: ephemeral.b.toString(16), B: ephemeral.B, A: srpA },
    },
    SESSION_TTL_MS,
  );
  return {
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeParameters: {
      SALT: salt,
      SECRET_BLOCK: secretBlock,
      SRP_B: ephemeral.B,
      USERNAME: userIdForSrp,
      USER_ID_FOR_SRP: userIdForSrp,
    },
  };
}

function sessionFor(
  deps: Deps,
  key: string | undefined,
  pool: PoolState,
  client: ClientRecord,
  challenge: ChallengeSession["challenge"],
): ChallengeSession {
  if (key === undefined) throw invalidSession();
  const session = deps.sessions.get(key);
  if (session === "expired") throw expiredSession();
  if (
    !session ||
    session.challenge !== challenge ||
    session.poolId !== pool.record.id ||
    session.clientId !== client.clientId
  ) {
    throw invalidSession();
  }
  return session;
}

function answerPasswordVerifier(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  responses: Record<string, string>,
) {
  const secretBlock = responses.PASSWORD_CLAIM_SECRET_BLOCK;
  const signature = responses.PASSWORD_CLAIM_SIGNATURE;
  const timestamp = responses.TIMESTAMP;
  const username = responses.USERNAME;
  if (!secretBlock) throw missing("PASSWORD_CLAIM_SECRET_BLOCK");
  if (!signature) throw missing("PASSWORD_CLAIM_SIGNATURE");
  if (!timestamp) throw missing("TIMESTAMP");
  if (!username) throw missing("USERNAME");
  const key = `srp:${secretBlock}`;
  const session = sessionFor(deps, key, pool, client, "PASSWORD_VERIFIER");
  // One answer per challenge, right or wrong.
  deps.sessions.delete(key);
  const user = session.userKey === null ? undefined : pool.users.get(session.userKey);
  if (!user || !session.srp || findUser(pool, username) !== user) throw incorrectCredentials();
  const A = parseClientPublic(session.srp.A);
  if (!user.verifier || !user.salt || A === null) throw incorrectCredentials();
  const sessionKey = serverSessionKey(
    A,
    { b: BigInt(`0x${session.srp.b}`), B: session.srp.B },
    user.verifier,
  );
  const expected = expectedClaimSignature(
    sessionKey,
    srpPoolName(pool.record.id),
    user.username,
    secretBlock,
    timestamp,
  );
  const given = Buffer.from(signature, "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw incorrectCredentials();
  }
  return afterPassword(deps, pool, client, user);
}

async function answerNewPassword(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  handle: string | undefined,
  responses: Record<string, string>,
) {
  const state = sessionFor(deps, handle, pool, client, "NEW_PASSWORD_REQUIRED");
  const user = state.userKey === null ? undefined : pool.users.get(state.userKey);
  const named = responses.USERNAME === undefined ? undefined : findUser(pool, responses.USERNAME);
  if (!user || named !== user || user.status !== "FORCE_CHANGE_PASSWORD") throw invalidSession();
  const password = responses.NEW_PASSWORD;
  if (password === undefined) throw missing("NEW_PASSWORD");
  enforcePolicy(policyOf(pool.record.settings), password);
  const changes = Object.entries(responses).flatMap(([name, Value]) => {
    if (!name.startsWith("userAttributes.")) return [];
    const Name = name.slice("userAttributes.".length);
    // Not the user's to set: identity, and the verification only a code can give.
    return Name === "sub" || Name === "email_verified" || Name === "phone_number_verified"
      ? []
      : [{ Name, Value }];
  });
  const attributes = applyAttributeWrites(pool, user.attributes, changes, {
    caller: "user",
    creating: false,
  });
  const now = deps.clock.now();
  const confirmed: UserRecord = {
    ...withPassword(user, password, now),
    attributes,
    status: "CONFIRMED",
  };
  deps.store.putUser(confirmed);
  deps.sessions.delete(handle as string);
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(deps, pool, client, confirmed),
  };
}

/** RespondToAuthChallenge and its admin twin. */
export function answerChallenge(deps: Deps, pool: PoolState, client: ClientRecord, input: Input) {
  const challenge = input.string("ChallengeName", 64);
  const responses = input.stringMap("ChallengeResponses");
  const session = input.optionalString("Session", 4096);
  if (responses.USERNAME !== undefined) {
    checkSecretHash(client, responses.USERNAME, responses.SECRET_HASH);
  }
  switch (challenge) {
    case "PASSWORD_VERIFIER":
      return answerPasswordVerifier(deps, pool, client, responses);
    case "NEW_PASSWORD_REQUIRED":
      return answerNewPassword(deps, pool, client, session, responses);
    default:
      throw new InvalidParameterException(`Unsupported challenge: ${challenge}`);
  }
}
