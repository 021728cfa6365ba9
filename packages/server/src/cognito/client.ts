import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { Config } from "../config.ts";

/** The most one Cognito call may take, every attempt and backoff included (see identity.ts). */
export const COGNITO_CALL_DEADLINE_MS = 2500;

/**
 * The Cognito client. The SDK retries throttling, timeouts and 5xx with backoff (3 attempts); each
 * attempt is cut off after 1.5 s, and identity.ts bounds the whole call, so a request answers
 * within a few seconds rather than hanging on an unreachable Cognito.
 */
export function createCognitoClient(
  config: Pick<Config, "region" | "cognitoEndpoint">,
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: config.region,
    maxAttempts: 3,
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
