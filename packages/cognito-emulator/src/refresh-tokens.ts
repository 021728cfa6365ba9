// Redeeming a refresh token, by InitiateAuth/AdminInitiateAuth (REFRESH_TOKEN_AUTH) or by
// GetTokensFromRefreshToken, and the app client's refresh token rotation
// (`RefreshTokenRotation: { Feature, RetryGracePeriodSeconds }`): with it on, every refresh issues a
// new refresh token and the one redeemed stops working after the grace period.
import { NotAuthorizedException, RefreshTokenReuseException } from "./errors.ts";
import type { Services } from "./services.ts";
import type { ClientRecord, PoolState, RefreshRecord, UserRecord } from "./store.ts";
import { sha256Hex } from "./user-tokens.ts";
import { assertEnabled } from "./users.ts";

export interface Rotation {
  enabled: boolean;
  /** How long a rotated-out token still works, for a client retrying a lost answer (0–60 s). */
  graceSeconds: number;
}

export function rotationOf(client: ClientRecord): Rotation {
  const setting = client.settings.RefreshTokenRotation as
    | { Feature?: unknown; RetryGracePeriodSeconds?: unknown }
    | undefined;
  const grace = setting?.RetryGracePeriodSeconds;
  return {
    enabled: setting?.Feature === "ENABLED",
    graceSeconds: typeof grace === "number" ? Math.min(Math.max(grace, 0), 60) : 0,
  };
}

/**
 * The live refresh token `token` of `client` and its user, or Cognito's refusal: unknown or another
 * client's, revoked, expired, rotated out (past its grace period), its user gone or disabled.
 */
export function redeemRefreshToken(
  deps: Pick<Services, "store" | "clock">,
  pool: PoolState,
  client: ClientRecord,
  token: string,
): { record: RefreshRecord; user: UserRecord } {
  const record = deps.store.refreshToken(sha256Hex(token));
  if (!record || record.clientId !== client.clientId) {
    throw new NotAuthorizedException("Invalid Refresh Token");
  }
  if (deps.store.isRevoked(record.originJti)) {
    throw new NotAuthorizedException("Refresh Token has been revoked");
  }
  const now = deps.clock.now();
  if (record.expiresAt <= now) throw new NotAuthorizedException("Refresh Token has expired");
  if (record.rotatedUntil !== undefined && record.rotatedUntil <= now) {
    throw new RefreshTokenReuseException(
      "Refresh Token has been rotated and can no longer be used.",
    );
  }
  const user = pool.users.get(record.userKey);
  if (!user) throw new NotAuthorizedException("Invalid Refresh Token");
  assertEnabled(user);
  return { record, user };
}

/** Marks `record` rotated out: it keeps working for the grace period, counted from its first use. */
export function rotateOut(
  deps: Pick<Services, "store" | "clock">,
  record: RefreshRecord,
  rotation: Rotation,
): void {
  if (record.rotatedUntil !== undefined) return;
  deps.store.putRefreshToken({
    ...record,
    rotatedUntil: deps.clock.now() + rotation.graceSeconds * 1000,
  });
}
