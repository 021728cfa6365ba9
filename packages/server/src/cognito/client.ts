import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { Config } from "../config.ts";

/** The most one Cognito call may take, every attempt and backoff included (see identity.ts). */
export const COGNITO_CALL_DEADLINE_MS = 2500;

/** Before the 2nd and 3rd attempts: 50–150 ms, then 100–300 ms. */
export const retryBackoffMs = (attempt: number) => (50 + Math.random() * 100) * 2 ** (attempt - 1);

/**
 * The Cognito client. The SDK retries throttling, timeouts and 5xx (3 attempts); each attempt is
 * cut off after 1.5 s, and identity.ts bounds the whole call, so a request answers within a few
 * seconds rather than hanging on an unreachable Cognito. The SDK's own backoff for throttling (up
 * to 1 s, then 2 s) would not fit in that bound: a short one does, and a pool throttled for longer
 * gets a 503 with Retry-After.
 */
export function createCognitoClient(
  config: Pick<Config, "region" | "cognitoEndpoint">,
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: config.region,
    retryStrategy: new ConfiguredRetryStrategy(3, retryBackoffMs),
    requestHandler: {
      connectionTimeout: 500,
      requestTimeout: 1500,
      // Without this the handler only warns when requestTimeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...(config.cognitoEndpoint
      ? {
          endpoint: config.cognitoEndpoint,
          // The emulator accepts any signature; real Cognito uses the default credential chain.
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : {}),
  });
}
