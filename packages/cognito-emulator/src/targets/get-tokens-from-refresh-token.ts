import { timingSafeEqual } from "node:crypto";
import { requireFlow } from "../auth-flows.ts";
import { NotAuthorizedException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requireClient } from "../lookup.ts";
import { redeemRefreshToken, rotateOut, rotationOf } from "../refresh-tokens.ts";
import type { Services } from "../services.ts";
import type { ClientRecord } from "../store.ts";
import { issueTokens } from "../user-tokens.ts";

/** A client with a secret sends the secret itself here (not a SECRET_HASH). */
function checkClientSecret(client: ClientRecord, given: string | undefined): void {
  if (client.clientSecret === null) return;
  if (given === undefined) {
    throw new NotAuthorizedException(
      `Client ${client.clientId} is configured for secret but secret was not received`,
    );
  }
  const expected = Buffer.from(client.clientSecret);
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new NotAuthorizedException(`Unable to verify secret for client ${client.clientId}`);
  }
}

/**
 * New access and ID tokens for the session of a refresh token (Amplify v6's only way to refresh);
 * with the client's refresh token rotation on, a new refresh token too, and the one sent stops
 * working after the client's grace period.
 */
export const getTokensFromRefreshToken =
  (deps: Pick<Services, "store" | "clock" | "signer" | "config">) => async (input: Input) => {
    const token = input.string("RefreshToken", 16_384);
    const secret = input.optionalString("ClientSecret", 64);
    input.optionalString("DeviceKey", 55);
    input.stringMap("ClientMetadata");
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    checkClientSecret(client, secret);
    requireFlow(client, "REFRESH_TOKEN_AUTH");
    const { record, user } = redeemRefreshToken(deps, pool, client, token);
    const rotation = rotationOf(client);
    if (rotation.enabled) rotateOut(deps, record, rotation);
    return {
      AuthenticationResult: await issueTokens(deps, pool, client, user, {
        originJti: record.originJti,
        authTime: record.authTime,
        rotate: rotation.enabled,
      }),
    };
  };
