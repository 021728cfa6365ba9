import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { Config } from "../config.ts";

/**
 * The Cognito client. The SDK retries throttling and transient failures with backoff; attempts and
 * timeouts are bounded so a request fails within a few seconds rather than hanging.
 */
export function createCognitoClient(
  config: Pick<Config, "region" | "cognitoEndpoint">,
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: config.region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    ...(config.cognitoEndpoint
      ? {
          endpoint: config.cognitoEndpoint,
          // The emulator accepts any signature; real Cognito uses the default credential chain.
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : {}),
  });
}
