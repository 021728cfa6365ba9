import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  GlobalSignOutCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "./index.ts";

const poolId = "us-east-1_smoketest";
const clientId = "smoketestclient00000000001";
let emulator: RunningEmulator;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startEmulator({
    inMemory: true,
    log: null,
    seed: {
      userPools: [
        {
          Id: poolId,
          PoolName: "smoke",
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          AliasAttributes: ["email"],
          UsernameConfiguration: { CaseSensitive: false },
          Clients: [
            {
              ClientId: clientId,
              ClientName: "web",
              ExplicitAuthFlows: [
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
              ],
              PreventUserExistenceErrors: "ENABLED",
            },
          ],
        },
      ],
    },
  });
  cognito = new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});

afterAll(async () => {
  cognito.destroy();
  await emulator.stop();
});

function srpSignIn(login: string, password: string): Promise<CognitoUserSession> {
  const pool = new CognitoUserPool({
    UserPoolId: poolId,
    ClientId: clientId,
    endpoint: `${emulator.url}/`,
  });
  const user = new CognitoUser({ Username: login, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: login, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
    });
  });
}

describe("the emulator, through the real clients", () => {
  it("creates an account the original three-call way and signs it in with SRP by email", async () => {
    const username = "2b8f2f53-2c4e-4b5e-9a57-1c1d8f7b0a11";
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: "SUPPRESS",
        TemporaryPassword: "Temp-Passw0rd!",
        UserAttributes: [
          { Name: "email", Value: "Ada@Example.com" },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    expect(created.User?.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    const challenge = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "ADMIN_NO_SRP_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: "Temp-Passw0rd!" },
      }),
    );
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    const answered = await cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: "Real-Passw0rd!" },
      }),
    );
    expect(answered.AuthenticationResult?.AccessToken).toBeTruthy();

    const session = await srpSignIn("ada@example.com", "Real-Passw0rd!");
    const jwks = (await (
      await fetch(`${emulator.url}/${poolId}/.well-known/jwks.json`)
    ).json()) as Parameters<typeof verifier.cacheJwks>[0];
    const verifier = CognitoJwtVerifier.create({
      userPoolId: poolId,
      tokenUse: "access",
      clientId,
    });
    verifier.cacheJwks(jwks);
    const claims = await verifier.verify(session.getAccessToken().getJwtToken());
    expect(claims.username).toBe(username);
    expect(claims.sub).toBe(created.User?.Attributes?.find((a) => a.Name === "sub")?.Value);

    await expect(srpSignIn("ada@example.com", "Wrong-Passw0rd!")).rejects.toMatchObject({
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    // The first sign-in of the file waits for a new signing key and runs identity-js's SRP twice.
  }, 20_000);

  it("sets a permanent password in one call and revokes tokens on global sign-out", async () => {
    const username = "7e0d6a39-0b8e-4f55-8f0e-3a7c2b9d4e21";
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: "grace@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: username,
        Password: "Permanent-Passw0rd",
        Permanent: true,
      }),
    );
    const signedIn = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "grace@example.com", PASSWORD: "Permanent-Passw0rd" },
      }),
    );
    const accessToken = signedIn.AuthenticationResult?.AccessToken ?? "";
    const me = await cognito.send(new GetUserCommand({ AccessToken: accessToken }));
    expect(me.Username).toBe(username);
    await cognito.send(new GlobalSignOutCommand({ AccessToken: accessToken }));
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: accessToken })),
    ).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has been revoked",
    });
  });
});
