import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, type Target } from "./target.ts";

const PASSWORD = "Permanent-Passw0rd";
let target: Target;
let poolId: string;
let clientId: string;
let openClientId: string;
let seq = 0;
const unique = (tag: string) => `${tag}${process.pid}${Date.now()}${seq++}`;

beforeAll(async () => {
  target = await openTarget();
  const pool = await target.admin.send(
    new CreateUserPoolCommand({
      PoolName: unique("conformance"),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 10,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 7,
        },
      },
    }),
  );
  poolId = pool.UserPool?.Id ?? "";
  const client = await target.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "web",
      ExplicitAuthFlows: [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
      ],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
    }),
  );
  clientId = client.UserPoolClient?.ClientId ?? "";
  const open = await target.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "legacy-errors",
      ExplicitAuthFlows: [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      ],
      PreventUserExistenceErrors: "LEGACY",
    }),
  );
  openClientId = open.UserPoolClient?.ClientId ?? "";
}, 30_000);

afterAll(async () => {
  if (poolId) await target.admin.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
  await target.stop();
});

async function newUser(options: { email?: string; permanent?: boolean } = {}) {
  const username = crypto.randomUUID();
  const email = options.email ?? `${unique("u")}@example.com`;
  const created = await target.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: "SUPPRESS",
      TemporaryPassword: "Temporary-Passw0rd",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
        { Name: "name", Value: "Ada" },
      ],
    }),
  );
  if (options.permanent !== false) {
    await target.admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: username,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
  }
  const sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value ?? "";
  return { username, email, sub };
}

const adminAuth = (login: string, password: string, client = clientId) =>
  target.admin.send(
    new AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: client,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: login, PASSWORD: password },
    }),
  );

function browserUser(login: string) {
  const pool = new CognitoUserPool({
    UserPoolId: poolId,
    ClientId: clientId,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
  });
  return new CognitoUser({ Username: login, Pool: pool });
}

function srpSignIn(
  login: string,
  password: string,
): Promise<{ session: CognitoUserSession; user: CognitoUser }> {
  const user = browserUser(login);
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: login, Password: password }), {
      onSuccess: (session) => resolve({ session, user }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error("newPasswordRequired")),
    });
  });
}

describe("pools and clients", () => {
  it("describes and lists pools with Cognito's identifiers and applied settings", async () => {
    const { UserPool } = await target.admin.send(
      new DescribeUserPoolCommand({ UserPoolId: poolId }),
    );
    expect(UserPool?.Id).toMatch(/^[a-z]{2}-[a-z]+-\d_[0-9a-zA-Z]{9}$/);
    expect(UserPool?.AliasAttributes).toEqual(["email"]);
    expect(UserPool?.Policies?.PasswordPolicy?.MinimumLength).toBe(10);
    expect(UserPool?.AdminCreateUserConfig?.AllowAdminCreateUserOnly).toBe(true);
    expect(UserPool?.CreationDate).toBeInstanceOf(Date);
    const pools = await target.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    expect(pools.UserPools?.some((p) => p.Id === poolId)).toBe(true);
    await expect(
      target.admin.send(new DescribeUserPoolCommand({ UserPoolId: "us-east-1_doesNotEx" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("creates, describes, updates and lists app clients", async () => {
    expect(clientId).toMatch(/^[0-9a-z]{26}$/);
    const described = await target.admin.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
    );
    expect(described.UserPoolClient?.ClientSecret).toBeUndefined();
    expect(described.UserPoolClient?.PreventUserExistenceErrors).toBe("ENABLED");
    const extra = await target.admin.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "temp" }),
    );
    const id = extra.UserPoolClient?.ClientId ?? "";
    const updated = await target.admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: id,
        ClientName: "renamed",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"],
      }),
    );
    expect(updated.UserPoolClient?.ClientName).toBe("renamed");
    const listed = await target.admin.send(
      new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }),
    );
    expect(listed.UserPoolClients?.map((c) => c.ClientName)).toContain("renamed");
    await expect(
      target.admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: "mixed",
          ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ADMIN_NO_SRP_AUTH"],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("refuses to delete a pool with deletion protection", async () => {
    const pool = await target.admin.send(
      new CreateUserPoolCommand({ PoolName: unique("protected"), DeletionProtection: "ACTIVE" }),
    );
    await expect(
      target.admin.send(new DeleteUserPoolCommand({ UserPoolId: pool.UserPool?.Id })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("creating users", () => {
  it("creates a user in FORCE_CHANGE_PASSWORD with a sub, and refuses a duplicate username in any case", async () => {
    const { username, sub } = await newUser({ permanent: false });
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);
    const user = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
    );
    expect(user.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    expect(user.Enabled).toBe(true);
    await expect(
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username.toUpperCase(),
          MessageAction: "SUPPRESS",
        }),
      ),
    ).rejects.toMatchObject({
      name: "UsernameExistsException",
      message: "User account already exists",
    });
  });

  it("enforces the password policy, naming the rule", async () => {
    await expect(
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: crypto.randomUUID(),
          TemporaryPassword: "short1A",
          MessageAction: "SUPPRESS",
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidPasswordException",
      message: "Password did not conform with policy: Password not long enough",
    });
    const { username } = await newUser();
    await expect(
      target.admin.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: username,
          Password: "nouppercase123",
          Permanent: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidPasswordException",
      message: "Password did not conform with policy: Password must have uppercase characters",
    });
  });

  it("keeps one verified email per alias: AliasExistsException, or moved with ForceAliasCreation", async () => {
    const first = await newUser();
    const create = (force: boolean) =>
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: crypto.randomUUID(),
          MessageAction: "SUPPRESS",
          ForceAliasCreation: force,
          UserAttributes: [
            { Name: "email", Value: first.email.toUpperCase() },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      );
    await expect(create(false)).rejects.toMatchObject({
      name: "AliasExistsException",
      message: "An account with the given email already exists.",
    });
    await create(true);
    const old = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: first.username }),
    );
    expect(old.UserAttributes?.find((a) => a.Name === "email_verified")?.Value).toBe("false");
  });

  it("refuses an email-shaped username when email is an alias", async () => {
    await expect(
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: "x@example.com",
          MessageAction: "SUPPRESS",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("refuses self sign-up on an admin-only pool", async () => {
    await expect(
      target.admin.send(
        new SignUpCommand({ ClientId: clientId, Username: "someone", Password: PASSWORD }),
      ),
    ).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "SignUp is not permitted for this user pool",
    });
  });
});

describe("the original three-call account creation", () => {
  it("AdminCreateUser → AdminInitiateAuth(ADMIN_NO_SRP_AUTH) → AdminRespondToAuthChallenge", async () => {
    const { username } = await newUser({ permanent: false });
    const started = await target.admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "ADMIN_NO_SRP_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: "Temporary-Passw0rd" },
      }),
    );
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(started.ChallengeParameters?.USER_ID_FOR_SRP).toBe(username);
    expect(JSON.parse(started.ChallengeParameters?.userAttributes ?? "{}")).toHaveProperty("email");
    const other = await newUser({ permanent: false });
    const foreign = target.admin.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: started.Session,
        ChallengeResponses: { USERNAME: other.username, NEW_PASSWORD: PASSWORD },
      }),
    );
    await expect(foreign).rejects.toMatchObject({ name: "NotAuthorizedException" });
    const weak = target.admin.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: started.Session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: "weak" },
      }),
    );
    await expect(weak).rejects.toMatchObject({ name: "InvalidPasswordException" });
    const done = await target.admin.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: started.Session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: PASSWORD },
      }),
    );
    expect(done.AuthenticationResult?.TokenType).toBe("Bearer");
    const user = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
    );
    expect(user.UserStatus).toBe("CONFIRMED");
  });

  it("never gives a challenge for a wrong temporary password", async () => {
    const { username } = await newUser({ permanent: false });
    await expect(adminAuth(username, "Wrong-Passw0rd")).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("refuses an unknown Session", async () => {
    await expect(
      target.admin.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: "bogus-session",
          ChallengeResponses: { USERNAME: "anyone", NEW_PASSWORD: PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
  });

  it.skipIf(process.env.CONFORMANCE_TARGET === "aws")(
    "expires a challenge session after 3 minutes",
    async () => {
      const { username } = await newUser({ permanent: false });
      const started = await adminAuth(username, "Temporary-Passw0rd");
      target.clock?.advance(3 * 60_000 + 1000);
      await expect(
        target.admin.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: poolId,
            ClientId: clientId,
            ChallengeName: "NEW_PASSWORD_REQUIRED",
            Session: started.Session,
            ChallengeResponses: { USERNAME: username, NEW_PASSWORD: PASSWORD },
          }),
        ),
      ).rejects.toMatchObject({
        name: "NotAuthorizedException",
        message: "Invalid session for the user, session is expired.",
      });
    },
  );
});

describe("signing in", () => {
  it("signs in with SRP by email; the tokens verify and carry Cognito's claims", async () => {
    const { username, email, sub } = await newUser();
    const { session } = await srpSignIn(email.toUpperCase(), PASSWORD);
    const access = session.getAccessToken().getJwtToken();
    const id = session.getIdToken().getJwtToken();
    const accessVerifier = CognitoJwtVerifier.create({
      userPoolId: poolId,
      tokenUse: "access",
      clientId,
    });
    const idVerifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: "id", clientId });
    const jwks = (await target.jwks(poolId)) as Parameters<typeof accessVerifier.cacheJwks>[0];
    accessVerifier.cacheJwks(jwks);
    idVerifier.cacheJwks(jwks);
    const accessClaims = await accessVerifier.verify(access);
    expect(accessClaims).toMatchObject({
      sub,
      username,
      client_id: clientId,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      iss: `https://cognito-idp.${target.region}.amazonaws.com/${poolId}`,
    });
    for (const claim of ["origin_jti", "event_id", "auth_time", "exp", "iat", "jti"]) {
      expect(accessClaims).toHaveProperty(claim);
    }
    expect(accessClaims.exp - accessClaims.iat).toBe(3600);
    const idClaims = await idVerifier.verify(id);
    expect(idClaims).toMatchObject({
      sub,
      aud: clientId,
      token_use: "id",
      "cognito:username": username,
      email,
      email_verified: true,
      name: "Ada",
    });
    expect(idClaims.origin_jti).toBe(accessClaims.origin_jti);
    const local = createLocalJWKSet(jwks as unknown as Parameters<typeof createLocalJWKSet>[0]);
    const verified = await jwtVerify(access, local, { algorithms: ["RS256"] });
    expect(verified.protectedHeader.kid).toBeTruthy();
  });

  it("refuses a wrong password and hides unknown users when existence errors are prevented", async () => {
    const { email } = await newUser();
    await expect(srpSignIn(email, "Wrong-Passw0rd1")).rejects.toMatchObject({
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    await expect(srpSignIn("nobody@example.com", PASSWORD)).rejects.toMatchObject({
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    await expect(adminAuth("nobody@example.com", PASSWORD)).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
    await expect(adminAuth("nobody@example.com", PASSWORD, openClientId)).rejects.toMatchObject({
      name: "UserNotFoundException",
      message: "User does not exist.",
    });
  });

  it("allows only the client's auth flows", async () => {
    const { email } = await newUser();
    await expect(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: email, PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    const ok = await target.admin.send(
      new InitiateAuthCommand({
        ClientId: openClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );
    expect(ok.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("refuses disabled users until they are enabled again", async () => {
    const { username, email } = await newUser();
    await target.admin.send(
      new AdminDisableUserCommand({ UserPoolId: poolId, Username: username }),
    );
    await expect(adminAuth(email, PASSWORD)).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "User is disabled.",
    });
    await target.admin.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: username }));
    expect((await adminAuth(email, PASSWORD)).AuthenticationResult).toBeDefined();
  });

  it("completes the new-password challenge through identity-js", async () => {
    const { email } = await newUser({ permanent: false });
    const user = browserUser(email);
    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      user.authenticateUser(
        new AuthenticationDetails({ Username: email, Password: "Temporary-Passw0rd" }),
        {
          onSuccess: resolve,
          onFailure: reject,
          newPasswordRequired: () => {
            user.completeNewPasswordChallenge(
              PASSWORD,
              {},
              { onSuccess: resolve, onFailure: reject },
            );
          },
        },
      );
    });
    expect(session.isValid()).toBe(true);
    await srpSignIn(email, PASSWORD);
  });

  it("refreshes without a new refresh token, through both clients", async () => {
    const { email } = await newUser();
    const signedIn = await adminAuth(email, PASSWORD);
    const refreshed = await target.admin.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult?.RefreshToken ?? "" },
      }),
    );
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    expect(decodeJwt(refreshed.AuthenticationResult?.AccessToken ?? "").origin_jti).toBe(
      decodeJwt(signedIn.AuthenticationResult?.AccessToken ?? "").origin_jti,
    );
    const { session, user } = await srpSignIn(email, PASSWORD);
    const renewed = await new Promise<CognitoUserSession>((resolve, reject) =>
      user.refreshSession(session.getRefreshToken(), (error, value) =>
        error ? reject(error) : resolve(value),
      ),
    );
    expect(renewed.getAccessToken().getJwtToken()).not.toBe(session.getAccessToken().getJwtToken());
    await expect(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: "not-a-refresh-token" },
        }),
      ),
    ).rejects.toMatchObject({ name: "NotAuthorizedException", message: "Invalid Refresh Token" });
  });

  it("accepts an SRP answer only once, for the user it was issued to", async () => {
    const { email } = await newUser();
    const started = await target.admin.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: { USERNAME: email, SRP_A: "02" },
      }),
    );
    expect(started.ChallengeName).toBe("PASSWORD_VERIFIER");
    expect(started.ChallengeParameters?.USER_ID_FOR_SRP).not.toBe(email);
    const forged = target.admin.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeResponses: {
          USERNAME: started.ChallengeParameters?.USER_ID_FOR_SRP ?? "",
          PASSWORD_CLAIM_SECRET_BLOCK: started.ChallengeParameters?.SECRET_BLOCK ?? "",
          PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32).toString("base64"),
          TIMESTAMP: "Wed Nov 25 4:00:00 UTC 2026",
        },
      }),
    );
    await expect(forged).rejects.toMatchObject({ name: "NotAuthorizedException" });
    await expect(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_SRP_AUTH",
          AuthParameters: { USERNAME: email, SRP_A: "0" },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("the user's own operations", () => {
  it("reads the user and changes the password with an access token", async () => {
    const { username, email } = await newUser();
    const token = (await adminAuth(email, PASSWORD)).AuthenticationResult?.AccessToken ?? "";
    const me = await target.admin.send(new GetUserCommand({ AccessToken: token }));
    expect(me.Username).toBe(username);
    expect(me.UserAttributes?.find((a) => a.Name === "email")?.Value).toBe(email);
    await expect(
      target.admin.send(
        new ChangePasswordCommand({
          AccessToken: token,
          PreviousPassword: "Wrong-Passw0rd",
          ProposedPassword: "Next-Passw0rd1",
        }),
      ),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
    await target.admin.send(
      new ChangePasswordCommand({
        AccessToken: token,
        PreviousPassword: PASSWORD,
        ProposedPassword: "Next-Passw0rd1",
      }),
    );
    await expect(adminAuth(email, PASSWORD)).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
    expect((await adminAuth(email, "Next-Passw0rd1")).AuthenticationResult).toBeDefined();
    await expect(
      target.admin.send(new GetUserCommand({ AccessToken: "x.y.z" })),
    ).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
  });

  it("signs out everywhere: access tokens and refresh tokens stop working", async () => {
    const { username, email } = await newUser();
    const first = await adminAuth(email, PASSWORD);
    await target.admin.send(
      new GlobalSignOutCommand({ AccessToken: first.AuthenticationResult?.AccessToken }),
    );
    await expect(
      target.admin.send(
        new GetUserCommand({ AccessToken: first.AuthenticationResult?.AccessToken }),
      ),
    ).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "Access Token has been revoked",
    });
    await expect(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: first.AuthenticationResult?.RefreshToken ?? "" },
        }),
      ),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
    const second = await adminAuth(email, PASSWORD);
    expect(
      (
        await target.admin.send(
          new GetUserCommand({ AccessToken: second.AuthenticationResult?.AccessToken }),
        )
      ).Username,
    ).toBe(username);
    await target.admin.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: username }),
    );
    await expect(
      target.admin.send(
        new GetUserCommand({ AccessToken: second.AuthenticationResult?.AccessToken }),
      ),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
  });

  it("revokes one session's refresh token and its access tokens", async () => {
    const { email } = await newUser();
    const kept = await adminAuth(email, PASSWORD);
    const revoked = await adminAuth(email, PASSWORD);
    await target.admin.send(
      new RevokeTokenCommand({
        ClientId: clientId,
        Token: revoked.AuthenticationResult?.RefreshToken,
      }),
    );
    await expect(
      target.admin.send(
        new GetUserCommand({ AccessToken: revoked.AuthenticationResult?.AccessToken }),
      ),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
    await target.admin.send(
      new GetUserCommand({ AccessToken: kept.AuthenticationResult?.AccessToken }),
    );
  });

  it.skipIf(process.env.CONFORMANCE_TARGET === "aws")(
    "refuses an expired access token",
    async () => {
      const { email } = await newUser();
      const token = (await adminAuth(email, PASSWORD)).AuthenticationResult?.AccessToken ?? "";
      target.clock?.advance(3600_000 + 1000);
      await expect(
        target.admin.send(new GetUserCommand({ AccessToken: token })),
      ).rejects.toMatchObject({
        name: "NotAuthorizedException",
      });
    },
  );
});

describe("forgotten passwords", () => {
  it.skipIf(process.env.CONFORMANCE_TARGET === "aws")(
    "resets a password with the code from the outbox",
    async () => {
      const { username, email } = await newUser();
      const sent = await target.admin.send(
        new ForgotPasswordCommand({ ClientId: clientId, Username: email }),
      );
      expect(sent.CodeDeliveryDetails).toMatchObject({
        DeliveryMedium: "EMAIL",
        AttributeName: "email",
      });
      expect(sent.CodeDeliveryDetails?.Destination).not.toContain(email);
      const message = (await target.outbox()).filter((m) => m.username === username).at(-1);
      expect(message?.code).toMatch(/^\d{6}$/);
      const wrong = message?.code === "000000" ? "111111" : "000000";
      await expect(
        target.admin.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId,
            Username: email,
            ConfirmationCode: wrong,
            Password: "Reset-Passw0rd",
          }),
        ),
      ).rejects.toMatchObject({ name: "CodeMismatchException" });
      await target.admin.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: email,
          ConfirmationCode: message?.code ?? "",
          Password: "Reset-Passw0rd",
        }),
      );
      await srpSignIn(email, "Reset-Passw0rd");
    },
  );

  it("answers for an unknown user as for a known one when existence errors are prevented", async () => {
    const sent = await target.admin.send(
      new ForgotPasswordCommand({ ClientId: clientId, Username: "nobody@example.com" }),
    );
    expect(sent.CodeDeliveryDetails?.DeliveryMedium).toBe("EMAIL");
  });
});

describe("attributes, groups and listing", () => {
  it("updates attributes; a changed email is unverified and no longer signs in", async () => {
    const { username, email } = await newUser();
    await target.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: username,
        UserAttributes: [{ Name: "email", Value: `new-${email}` }],
      }),
    );
    const user = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
    );
    expect(user.UserAttributes?.find((a) => a.Name === "email_verified")?.Value).toBe("false");
    await expect(adminAuth(`new-${email}`, PASSWORD)).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
    expect((await adminAuth(username, PASSWORD)).AuthenticationResult).toBeDefined();
  });

  it("puts group members' groups in their access tokens", async () => {
    const { username, email } = await newUser();
    const group = unique("g");
    await target.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
    await expect(
      target.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group })),
    ).rejects.toMatchObject({ name: "GroupExistsException" });
    await target.admin.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }),
    );
    const listed = await target.admin.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: username }),
    );
    expect(listed.Groups?.map((g) => g.GroupName)).toEqual([group]);
    const token = (await adminAuth(email, PASSWORD)).AuthenticationResult?.AccessToken ?? "";
    expect(decodeJwt(token)["cognito:groups"]).toEqual([group]);
    await target.admin.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: poolId,
        Username: username,
        GroupName: group,
      }),
    );
    const after = (await adminAuth(email, PASSWORD)).AuthenticationResult?.AccessToken ?? "";
    expect(decodeJwt(after)["cognito:groups"]).toBeUndefined();
  });

  it("lists users with filters and pagination", async () => {
    const tag = unique("list");
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push(await newUser({ email: `${tag}-${i}@example.com`, permanent: false }));
    const exact = await target.admin.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: `email = "${tag}-3@example.com"` }),
    );
    expect(exact.Users?.map((u) => u.Username)).toEqual([made[3]?.username]);
    const bySub = await target.admin.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: `sub = "${made[1]?.sub}"` }),
    );
    expect(bySub.Users?.map((u) => u.Username)).toEqual([made[1]?.username]);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await target.admin.send(
        new ListUsersCommand({
          UserPoolId: poolId,
          Filter: `email ^= "${tag}-"`,
          Limit: 2,
          PaginationToken: token,
        }),
      );
      expect((page.Users ?? []).length).toBeLessThanOrEqual(2);
      seen.push(...(page.Users ?? []).map((u) => u.Username ?? ""));
      token = page.PaginationToken;
    } while (token);
    expect(seen.sort()).toEqual(made.map((u) => u.username).sort());
    await expect(
      target.admin.send(new ListUsersCommand({ UserPoolId: poolId, Filter: "email = unquoted" })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("deletes users", async () => {
    const { username, email } = await newUser();
    await target.admin.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username }));
    await expect(
      target.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username })),
    ).rejects.toMatchObject({ name: "UserNotFoundException", message: "User does not exist." });
    await expect(adminAuth(email, PASSWORD)).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
  });
});
