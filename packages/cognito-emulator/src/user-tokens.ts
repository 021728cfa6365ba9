// The tokens of a sign-in: issued with Cognito's claims and the client's lifetimes, checked where
// Cognito's own APIs check them, and revoked by sign-out.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { InvalidParameterException, NotAuthorizedException } from "./errors.ts";
import { type Services, seconds } from "./services.ts";
import type { ClientRecord, PoolState, UserRecord } from "./store.ts";
import type { Claims } from "./tokens.ts";
import { assertEnabled } from "./users.ts";

type TokenKind = "AccessToken" | "IdToken" | "RefreshToken";

export const sha256Hex = (value: string) => createHash("sha256").update(value).digest("hex");

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** Lifetime in seconds from the client's settings (Cognito's defaults: 60 min, 60 min, 30 days). */
export function tokenLifetime(client: ClientRecord, kind: TokenKind): number {
  const value = client.settings[`${kind}Validity`];
  if (typeof value !== "number") return kind === "RefreshToken" ? 30 * 86_400 : 3600;
  const units = client.settings.TokenValidityUnits as
    | Partial<Record<TokenKind, string>>
    | undefined;
  const unit = units?.[kind] ?? (kind === "RefreshToken" ? "days" : "hours");
  return value * (UNIT_SECONDS[unit] ?? 3600);
}

export interface AuthenticationResult {
  AccessToken: string;
  ExpiresIn: number;
  TokenType: "Bearer";
  IdToken: string;
  RefreshToken?: string;
}

/**
 * An existing sign-in session (refresh): same origin_jti and auth_time, and no new refresh token
 * unless `rotate` (refresh token rotation).
 */
export interface SignInSession {
  originJti: string;
  authTime: number;
  rotate?: boolean;
}

/**
 * Records the sign-in (a new refresh token's hash) and then signs its tokens: the record comes
 * first, so a sign-out arriving while they are signed revokes them too.
 */
export async function issueTokens(
  deps: Pick<Services, "store" | "clock" | "signer" | "config">,
  pool: PoolState,
  client: ClientRecord,
  user: UserRecord,
  session?: SignInSession,
): Promise<AuthenticationResult> {
  const now = seconds(deps.clock.now());
  const originJti = session?.originJti ?? randomUUID();
  const authTime = session?.authTime ?? now;
  const iss = deps.config.issuer(pool.record.id);
  const groups = user.groups.length > 0 ? { "cognito:groups": [...user.groups] } : {};
  const eventId = randomUUID();
  const accessLifetime = tokenLifetime(client, "AccessToken");
  const access: Claims = {
    sub: user.sub,
    ...groups,
    iss,
    client_id: client.clientId,
    origin_jti: originJti,
    event_id: eventId,
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: authTime,
    exp: now + accessLifetime,
    iat: now,
    jti: randomUUID(),
    username: user.username,
  };
  const { email_verified, phone_number_verified, ...attributes } = user.attributes;
  const id: Claims = {
    ...attributes,
    sub: user.sub,
    ...groups,
    ...(email_verified === undefined ? {} : { email_verified: email_verified === "true" }),
    ...(phone_number_verified === undefined
      ? {}
      : { phone_number_verified: phone_number_verified === "true" }),
    iss,
    "cognito:username": user.username,
    origin_jti: originJti,
    aud: client.clientId,
    event_id: eventId,
    token_use: "id",
    auth_time: authTime,
    exp: now + tokenLifetime(client, "IdToken"),
    iat: now,
    jti: randomUUID(),
  };
  let refreshToken: string | undefined;
  if (!session || session.rotate) {
    // Opaque: only its hash is kept, so the journal holds nothing that signs anyone in.
    refreshToken = randomBytes(48).toString("base64url");
    deps.store.putRefreshToken({
      hash: sha256Hex(refreshToken),
      poolId: pool.record.id,
      clientId: client.clientId,
      userKey: pool.userKey(user.username),
      originJti,
      authTime,
      expiresAt: deps.clock.now() + tokenLifetime(client, "RefreshToken") * 1000,
    });
  }
  const [AccessToken, IdToken] = await Promise.all([
    deps.signer.sign(access),
    deps.signer.sign(id),
  ]);
  const result: AuthenticationResult = {
    AccessToken,
    ExpiresIn: accessLifetime,
    TokenType: "Bearer",
    IdToken,
  };
  if (refreshToken !== undefined) result.RefreshToken = refreshToken;
  return result;
}

/**
 * Checks an access token the way Cognito's own APIs do (signature, expiry, revocation) and
 * returns its pool, client and user.
 */
export function authenticateAccessToken(
  deps: Pick<Services, "store" | "clock" | "signer">,
  token: string,
): { pool: PoolState; client: ClientRecord; user: UserRecord } {
  // Cognito checks the token's shape before anything else: an empty or odd one is malformed input.
  if (!/^[A-Za-z0-9\-_=.]+$/.test(token)) {
    throw new InvalidParameterException(
      "1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+",
    );
  }
  const claims = deps.signer.verifyAccessToken(token, seconds(deps.clock.now()));
  const invalid = () => new NotAuthorizedException("Invalid Access Token");
  if (typeof claims.client_id !== "string" || typeof claims.username !== "string") throw invalid();
  const pool = deps.store.poolOfClient(claims.client_id);
  const client = pool?.clients.get(claims.client_id);
  if (!pool || !client) throw invalid();
  const user = pool.users.get(pool.userKey(claims.username));
  if (!user || user.sub !== claims.sub) throw new NotAuthorizedException("User does not exist.");
  const iat = typeof claims.iat === "number" ? claims.iat : 0;
  const originJti = typeof claims.origin_jti === "string" ? claims.origin_jti : "";
  if (deps.store.isRevoked(originJti) || iat < seconds(user.tokensValidAfter)) {
    throw new NotAuthorizedException("Access Token has been revoked");
  }
  assertEnabled(user);
  return { pool, client, user };
}

/** Signs the user out everywhere: refresh tokens and the access tokens of their sessions die. */
export function signOutEverywhere(
  deps: Pick<Services, "store" | "clock">,
  pool: PoolState,
  user: UserRecord,
): void {
  // The records stay (until they expire) so a revoked token is told apart from a made-up one.
  for (const token of deps.store.refreshTokensOf(pool.record.id, pool.userKey(user.username))) {
    if (!deps.store.isRevoked(token.originJti)) {
      deps.store.revokeOrigin(token.originJti, token.expiresAt);
    }
  }
  deps.store.putUser({ ...user, tokensValidAfter: deps.clock.now() });
}
