// Sign-in: password flows, SRP, challenges, refresh, and token revocation.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  InvalidParameterException,
  incorrectCredentials,
  NotAuthorizedException,
  PasswordResetRequiredException,
  UnsupportedOperationException,
  UserNotConfirmedException,
} from "../errors.ts";
import type { Input } from "../input.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import {
  assertUsable,
  type ChallengeSession,
  findUser,
  issueTokens,
  requireClient,
  requireFlow,
  requirePool,
  SESSION_TTL_MS,
  type Services,
  sha256Hex,
  unknownUserError,
} from "../services.ts";
import {
  createServerEphemeral,
  createVerifier,
  expectedClaimSignature,
  parseClientPublic,
  serverSessionKey,
  srpPoolName,
} from "../srp.ts";
import type { ClientRecord, PoolState, UserRecord } from "../store.ts";
import { passwordMatches } from "./users.ts";

type Deps = Pick<Services, "store" | "clock" | "signer" | "sessions" | "config">;

const invalidSession = () => new NotAuthorizedException("Invalid session for the user.");
const expiredSession = () =>
  new NotAuthorizedException("Invalid session for the user, session is expired.");

/** Clients with a secret must prove they hold it. */
function checkSecretHash(client: ClientRecord, username: string, given: string | undefined) {
  if (client.clientSecret === null) return;
  if (given === undefined) {
    throw new NotAuthorizedException(
      `Client ${client.clientId} is configured for secret but secret was not received`,
    );
  }
  const expected = createHmac("sha256", client.clientSecret)
    .update(username + client.clientId)
    .digest("base64");
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
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

/** What a correct password leads to: tokens, or the challenge a user in their state must answer. */
function afterPassword(deps: Deps, pool: PoolState, client: ClientRecord, user: UserRecord) {
  assertUsable(user);
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
        AuthenticationResult: issueTokens(deps, pool, client, user),
      };
  }
}

function passwordAuth(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  parameters: Record<string, string>,
) {
  const login = parameters.USERNAME;
  const password = parameters.PASSWORD;
  if (login === undefined)
    throw new InvalidParameterException("Missing required parameter USERNAME");
  if (password === undefined)
    throw new InvalidParameterException("Missing required parameter PASSWORD");
  checkSecretHash(client, login, parameters.SECRET_HASH);
  const user = findUser(pool, login);
  if (!user) throw unknownUserError(client);
  if (!passwordMatches(user, password)) throw incorrectCredentials();
  return afterPassword(deps, pool, client, user);
}

function refreshAuth(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  parameters: Record<string, string>,
) {
  const token = parameters.REFRESH_TOKEN;
  if (token === undefined)
    throw new InvalidParameterException("Missing required parameter REFRESH_TOKEN");
  const record = deps.store.refreshToken(sha256Hex(token));
  if (!record || record.clientId !== client.clientId) {
    throw new NotAuthorizedException("Invalid Refresh Token");
  }
  if (record.expiresAt <= deps.clock.now()) {
    throw new NotAuthorizedException("Refresh Token has expired");
  }
  const user = pool.users.get(record.userKey);
  if (!user) throw new NotAuthorizedException("Invalid Refresh Token");
  assertUsable(user);
  return {
    ChallengeParameters: {},
    AuthenticationResult: issueTokens(deps, pool, client, user, {
      session: { originJti: record.originJti, authTime: record.authTime },
    }),
  };
}

function srpAuth(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  parameters: Record<string, string>,
) {
  const login = parameters.USERNAME;
  const srpA = parameters.SRP_A;
  if (login === undefined)
    throw new InvalidParameterException("Missing required parameter USERNAME");
  if (srpA === undefined) throw new InvalidParameterException("Missing required parameter SRP_A");
  const A = parseClientPublic(srpA);
  if (A === null) throw new InvalidParameterException("Invalid SRP_A");
  checkSecretHash(client, login, parameters.SECRET_HASH);
  const user = findUser(pool, login);
  if (!user && client.settings.PreventUserExistenceErrors !== "ENABLED") {
    throw unknownUserError(client);
  }
  if (user) assertUsable(user);
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
  if (!secretBlock || !signature || !timestamp || !username) {
    throw new InvalidParameterException(
      "Missing required parameter: PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP and USERNAME are required",
    );
  }
  const key = `srp:${secretBlock}`;
  const session = sessionFor(deps, key, pool, client, "PASSWORD_VERIFIER");
  // One answer per challenge, right or wrong.
  deps.sessions.delete(key);
  const user = session.userKey === null ? undefined : pool.users.get(session.userKey);
  if (!user || !session.srp || findUser(pool, username) !== user) throw incorrectCredentials();
  if (!user.verifier || !user.salt) throw incorrectCredentials();
  const A = parseClientPublic(session.srp.A);
  if (A === null) throw incorrectCredentials();
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

function answerNewPassword(
  deps: Deps,
  pool: PoolState,
  client: ClientRecord,
  session: string | undefined,
  responses: Record<string, string>,
) {
  const state = sessionFor(deps, session, pool, client, "NEW_PASSWORD_REQUIRED");
  const user = state.userKey === null ? undefined : pool.users.get(state.userKey);
  const named = responses.USERNAME === undefined ? undefined : findUser(pool, responses.USERNAME);
  if (!user || named !== user || user.status !== "FORCE_CHANGE_PASSWORD") throw invalidSession();
  const password = responses.NEW_PASSWORD;
  if (password === undefined) {
    throw new InvalidParameterException("Missing required parameter NEW_PASSWORD");
  }
  enforcePolicy(policyOf(pool.record.settings), password);
  const attributes = { ...user.attributes };
  for (const [name, value] of Object.entries(responses)) {
    if (!name.startsWith("userAttributes.")) continue;
    const attribute = name.slice("userAttributes.".length);
    if (attribute === "sub" || attribute === "email_verified") continue;
    attributes[attribute] = value;
  }
  const now = deps.clock.now();
  const { salt, verifier } = createVerifier(srpPoolName(pool.record.id), user.username, password);
  const confirmed: UserRecord = {
    ...user,
    attributes,
    salt,
    verifier,
    passwordSetAt: now,
    status: "CONFIRMED",
    updatedAt: now,
  };
  deps.store.putUser(confirmed);
  deps.sessions.delete(session as string);
  return {
    ChallengeParameters: {},
    AuthenticationResult: issueTokens(deps, pool, client, confirmed),
  };
}

function respond(deps: Deps, pool: PoolState, client: ClientRecord, input: Input) {
  const challenge = input.string("ChallengeName", 64);
  const responses = input.stringMap("ChallengeResponses");
  if (responses.USERNAME !== undefined)
    checkSecretHash(client, responses.USERNAME, responses.SECRET_HASH);
  switch (challenge) {
    case "PASSWORD_VERIFIER":
      return answerPasswordVerifier(deps, pool, client, responses);
    case "NEW_PASSWORD_REQUIRED":
      return answerNewPassword(
        deps,
        pool,
        client,
        input.optionalString("Session", 4096),
        responses,
      );
    default:
      throw new InvalidParameterException(`Unsupported challenge: ${challenge}`);
  }
}

function adminPoolClient(deps: Deps, input: Input) {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const { pool: owner, client } = requireClient(deps.store, input.string("ClientId", 128));
  if (owner !== pool)
    throw new InvalidParameterException("Client does not belong to this user pool");
  return { pool, client };
}

export const adminInitiateAuth = (deps: Deps) => (input: Input) => {
  const { pool, client } = adminPoolClient(deps, input);
  const flow = input.string("AuthFlow", 64);
  const parameters = input.stringMap("AuthParameters");
  switch (flow) {
    case "ADMIN_USER_PASSWORD_AUTH":
    case "ADMIN_NO_SRP_AUTH":
      requireFlow(client, "ADMIN_USER_PASSWORD_AUTH", flow);
      return passwordAuth(deps, pool, client, parameters);
    case "REFRESH_TOKEN_AUTH":
    case "REFRESH_TOKEN":
      requireFlow(client, "REFRESH_TOKEN_AUTH", flow);
      return refreshAuth(deps, pool, client, parameters);
    case "USER_SRP_AUTH":
      requireFlow(client, "USER_SRP_AUTH");
      return srpAuth(deps, pool, client, parameters);
    default:
      throw new InvalidParameterException(`Unsupported AuthFlow for AdminInitiateAuth: ${flow}`);
  }
};

export const adminRespondToAuthChallenge = (deps: Deps) => (input: Input) => {
  const { pool, client } = adminPoolClient(deps, input);
  return respond(deps, pool, client, input);
};

export const initiateAuth = (deps: Deps) => (input: Input) => {
  const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
  const flow = input.string("AuthFlow", 64);
  const parameters = input.stringMap("AuthParameters");
  switch (flow) {
    case "USER_SRP_AUTH":
      requireFlow(client, "USER_SRP_AUTH");
      return srpAuth(deps, pool, client, parameters);
    case "USER_PASSWORD_AUTH":
      requireFlow(client, "USER_PASSWORD_AUTH");
      return passwordAuth(deps, pool, client, parameters);
    case "REFRESH_TOKEN_AUTH":
    case "REFRESH_TOKEN":
      requireFlow(client, "REFRESH_TOKEN_AUTH", flow);
      return refreshAuth(deps, pool, client, parameters);
    case "ADMIN_NO_SRP_AUTH":
    case "ADMIN_USER_PASSWORD_AUTH":
      throw new InvalidParameterException("Initiate Auth method not supported.");
    default:
      throw new InvalidParameterException(`Unsupported AuthFlow: ${flow}`);
  }
};

export const respondToAuthChallenge = (deps: Deps) => (input: Input) => {
  const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
  return respond(deps, pool, client, input);
};

export const revokeToken = (deps: Deps) => (input: Input) => {
  const token = input.string("Token", 16_384);
  const { client } = requireClient(deps.store, input.string("ClientId", 128));
  const record = deps.store.refreshToken(sha256Hex(token));
  if (!record) return {};
  if (record.clientId !== client.clientId) {
    throw new NotAuthorizedException("Invalid token");
  }
  if (client.settings.EnableTokenRevocation === false) {
    throw new UnsupportedOperationException("Token revocation is not enabled for this client");
  }
  deps.store.revokeOrigin(record.originJti, record.expiresAt);
  deps.store.deleteRefreshToken(record.hash);
  return {};
};
