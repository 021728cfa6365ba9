// What operations are built from. Each operation takes only the services it needs.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "./clock.ts";
import {
  clientNotFound,
  InvalidParameterException,
  incorrectCredentials,
  NotAuthorizedException,
  poolNotFound,
  userDoesNotExist,
} from "./errors.ts";
import type { ClientRecord, PoolState, Store, UserRecord } from "./store.ts";
import type { Claims, TokenSigner } from "./tokens.ts";

export interface OutboxMessage {
  userPoolId: string;
  username: string;
  destination: string;
  code: string;
  reason: "ForgotPassword";
  createdAt: string;
}

export interface EmulatorConfig {
  /** Every ForgotPassword code is this value (for scripted tests), or random when null. */
  fixedCode: string | null;
  /** The `iss` claim for a pool. */
  issuer(poolId: string): string;
  /** One line of operator log (never a password, token or key). */
  log(line: string): void;
}

/** A bounded map of short-lived entries (challenge sessions, SRP state). */
export class ExpiringMap<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly capacity = 100_000,
  ) {}

  set(key: string, value: T, ttlMs: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  /** The entry, or "expired", or undefined when never issued (or already used). */
  get(key: string): T | "expired" | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.clock.now()) return entry.value;
    this.entries.delete(key);
    return "expired";
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export interface ChallengeSession {
  poolId: string;
  clientId: string;
  /** Null for a made-up challenge that hides whether the user exists. */
  userKey: string | null;
  challenge: "NEW_PASSWORD_REQUIRED" | "PASSWORD_VERIFIER";
  /** For PASSWORD_VERIFIER: the server's SRP secret and public values. */
  srp?: { b: string; B: string; A: string };
}

export interface Services {
  store: Store;
  clock: Clock;
  signer: TokenSigner;
  sessions: ExpiringMap<ChallengeSession>;
  outbox: OutboxMessage[];
  config: EmulatorConfig;
}

export const SESSION_TTL_MS = 3 * 60 * 1000;
export const seconds = (ms: number) => Math.floor(ms / 1000);
export const sha256Hex = (value: string) => createHash("sha256").update(value).digest("hex");

export function requirePool(store: Store, id: string): PoolState {
  const pool = store.pool(id);
  if (!pool) throw poolNotFound(id);
  return pool;
}

export function requireClient(
  store: Store,
  clientId: string,
): { pool: PoolState; client: ClientRecord } {
  const pool = store.poolOfClient(clientId);
  const client = pool?.clients.get(clientId);
  if (!pool || !client) throw clientNotFound(clientId);
  return { pool, client };
}

/** A user by username, verified email alias or sub. */
export function findUser(pool: PoolState, login: string): UserRecord | undefined {
  const byName = pool.users.get(pool.userKey(login));
  if (byName) return byName;
  if (pool.emailIsAlias && login.includes("@")) {
    const key = pool.byEmail.get(login.toLowerCase());
    if (key !== undefined) return pool.users.get(key);
  }
  const subKey = pool.bySub.get(login);
  return subKey === undefined ? undefined : pool.users.get(subKey);
}

export function requireUser(pool: PoolState, username: string): UserRecord {
  const user = findUser(pool, username);
  if (!user) throw userDoesNotExist();
  return user;
}

/** The error for an unknown user on a client: hidden as a wrong password when the client says so. */
export function unknownUserError(client: ClientRecord): Error {
  return client.settings.PreventUserExistenceErrors === "ENABLED"
    ? incorrectCredentials()
    : userDoesNotExist();
}

export type AuthFlow =
  | "USER_SRP_AUTH"
  | "USER_PASSWORD_AUTH"
  | "ADMIN_USER_PASSWORD_AUTH"
  | "REFRESH_TOKEN_AUTH"
  | "CUSTOM_AUTH";

const FLOW_SETTINGS: Record<AuthFlow, { allow: string; legacy: string | null }> = {
  USER_SRP_AUTH: { allow: "ALLOW_USER_SRP_AUTH", legacy: null },
  USER_PASSWORD_AUTH: { allow: "ALLOW_USER_PASSWORD_AUTH", legacy: "USER_PASSWORD_AUTH" },
  ADMIN_USER_PASSWORD_AUTH: {
    allow: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    legacy: "ADMIN_NO_SRP_AUTH",
  },
  REFRESH_TOKEN_AUTH: { allow: "ALLOW_REFRESH_TOKEN_AUTH", legacy: null },
  CUSTOM_AUTH: { allow: "ALLOW_CUSTOM_AUTH", legacy: "CUSTOM_AUTH_FLOW_ONLY" },
};

export function requireFlow(client: ClientRecord, flow: AuthFlow, name: string = flow): void {
  const flows = (client.settings.ExplicitAuthFlows as string[] | undefined) ?? [];
  const setting = FLOW_SETTINGS[flow];
  let allowed: boolean;
  if (flows.length === 0) {
    allowed = ["USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "CUSTOM_AUTH"].includes(flow);
  } else if (flows.some((f) => f.startsWith("ALLOW_"))) {
    allowed = flows.includes(setting.allow);
  } else {
    // Legacy settings: SRP and refresh are always on.
    allowed = setting.legacy === null || flows.includes(setting.legacy);
  }
  if (!allowed) throw new InvalidParameterException(`${name} flow not enabled for this client`);
}

export function assertUsable(user: UserRecord): void {
  if (!user.enabled) throw new NotAuthorizedException("User is disabled.");
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

type TokenKind = "AccessToken" | "IdToken" | "RefreshToken";

/** Lifetime in seconds from the client's settings (Cognito's defaults: 60 min, 60 min, 30 days). */
export function tokenLifetime(client: ClientRecord, kind: TokenKind): number {
  const value = client.settings[`${kind}Validity`];
  const units = (
    client.settings.TokenValidityUnits as Partial<Record<TokenKind, string>> | undefined
  )?.[kind];
  if (typeof value !== "number") return kind === "RefreshToken" ? 30 * 86_400 : 3600;
  const unit = units ?? (kind === "RefreshToken" ? "days" : "hours");
  const factor = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 }[unit] ?? 3600;
  return value * factor;
}

interface IssueOptions {
  /** An existing sign-in session (refresh): same origin_jti and auth_time, no new refresh token. */
  session?: { originJti: string; authTime: number };
}

export function issueTokens(
  services: Pick<Services, "store" | "clock" | "signer" | "config">,
  pool: PoolState,
  client: ClientRecord,
  user: UserRecord,
  options: IssueOptions = {},
) {
  const now = seconds(services.clock.now());
  const originJti = options.session?.originJti ?? randomUUID();
  const authTime = options.session?.authTime ?? now;
  const iss = services.config.issuer(pool.record.id);
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
  const { email_verified, phone_number_verified, ...rest } = user.attributes;
  const id: Claims = {
    ...rest,
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
  const result: Record<string, unknown> = {
    AccessToken: services.signer.sign(access),
    ExpiresIn: accessLifetime,
    TokenType: "Bearer",
    IdToken: services.signer.sign(id),
  };
  if (!options.session) {
    const refreshToken = randomBytes(48).toString("base64url");
    services.store.putRefreshToken({
      hash: sha256Hex(refreshToken),
      poolId: pool.record.id,
      clientId: client.clientId,
      userKey: pool.userKey(user.username),
      originJti,
      authTime,
      expiresAt: services.clock.now() + tokenLifetime(client, "RefreshToken") * 1000,
    });
    result.RefreshToken = refreshToken;
  }
  return result;
}

/**
 * Checks an access token the way Cognito's own APIs do (signature, expiry, revocation) and
 * returns its pool and user.
 */
export function authenticateAccessToken(
  services: Pick<Services, "store" | "clock" | "signer">,
  token: string,
): { pool: PoolState; client: ClientRecord; user: UserRecord } {
  const claims = services.signer.verifyAccessToken(token, seconds(services.clock.now()));
  const invalid = () => new NotAuthorizedException("Invalid Access Token");
  if (typeof claims.client_id !== "string" || typeof claims.username !== "string") throw invalid();
  const pool = services.store.poolOfClient(claims.client_id);
  const client = pool?.clients.get(claims.client_id);
  if (!pool || !client) throw invalid();
  const user = pool.users.get(pool.userKey(claims.username));
  if (!user || user.sub !== claims.sub) throw new NotAuthorizedException("User does not exist.");
  const iat = typeof claims.iat === "number" ? claims.iat : 0;
  const originJti = typeof claims.origin_jti === "string" ? claims.origin_jti : "";
  if (services.store.isRevoked(originJti) || iat < seconds(user.tokensValidAfter)) {
    throw new NotAuthorizedException("Access Token has been revoked");
  }
  assertUsable(user);
  return { pool, client, user };
}

/** Signs the user out everywhere: refresh tokens and the access tokens of their sessions die. */
export function signOutEverywhere(
  services: Pick<Services, "store" | "clock">,
  pool: PoolState,
  user: UserRecord,
): void {
  const key = pool.userKey(user.username);
  for (const token of services.store.refreshTokensOf(pool.record.id, key)) {
    services.store.revokeOrigin(token.originJti, token.expiresAt);
    services.store.deleteRefreshToken(token.hash);
  }
  services.store.putUser({ ...user, tokensValidAfter: services.clock.now() });
}
