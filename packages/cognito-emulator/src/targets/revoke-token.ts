import { NotAuthorizedException, UnsupportedOperationException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requireClient } from "../lookup.ts";
import type { Services } from "../services.ts";
import { sha256Hex } from "../user-tokens.ts";

/** Revokes a refresh token and the access tokens of its sign-in (same origin_jti). */
export const revokeToken =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const token = input.string("Token", 16_384);
    const { client } = requireClient(store, input.string("ClientId", 128));
    const record = store.refreshToken(sha256Hex(token));
    // An unknown or already revoked token: Cognito answers success.
    if (!record) return {};
    if (record.clientId !== client.clientId) throw new NotAuthorizedException("Invalid token");
    if (client.settings.EnableTokenRevocation === false) {
      throw new UnsupportedOperationException("Token revocation is not enabled for this client");
    }
    // The record stays until it expires, so refreshing with it says it was revoked.
    store.revokeOrigin(record.originJti, record.expiresAt);
    return {};
  };
