// What the holder of a user's tokens can do without an administrator, as Amplify v6 does it:
// refresh through GetTokensFromRefreshToken (with and without refresh token rotation), change and
// delete their own attributes (a new email is unverified and gets a code), delete themself.
import { createHmac } from "node:crypto";
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  DeleteUserAttributesCommand,
  DeleteUserCommand,
  DescribeUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminSignIn,
  attribute,
  createUser,
  expectError,
  GATEHOUSE_PASSWORD_POLICY,
  GATEHOUSE_POOL,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  tokensOf,
  unique,
  WEB_FLOWS,
} from "./harness.ts";

const INCORRECT = "Incorrect username or password.";
let target: Target;
let poolId: string;
/** A pool whose new emails wait for their code (`AttributesRequireVerificationBeforeUpdate`). */
let holdingPoolId: string;
let clientId: string;
let rotatingId: string;
let graceId: string;
let secretId: string;
let secret: string;
let holdingClientId: string;

beforeAll(async () => {
  target = await openTarget();
  const pool = {
    ...GATEHOUSE_POOL,
    AutoVerifiedAttributes: ["email" as const],
    Policies: { PasswordPolicy: GATEHOUSE_PASSWORD_POLICY },
    Schema: [{ Name: "team", AttributeDataType: "String" as const, Mutable: true }],
  };
  poolId = await target.createPool(pool);
  clientId = await target.createClient(poolId, {
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "ENABLED",
  });
  rotatingId = await target.createClient(poolId, {
    ClientName: "rotating",
    ExplicitAuthFlows: WEB_FLOWS,
    RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
  });
  graceId = await target.createClient(poolId, {
    ClientName: "grace",
    ExplicitAuthFlows: WEB_FLOWS,
    RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 30 },
  });
  secretId = await target.createClient(poolId, {
    ClientName: "server",
    ExplicitAuthFlows: WEB_FLOWS,
    GenerateSecret: true,
  });
  const described = await target.admin.send(
    new DescribeUserPoolClientCommand({
      UserPoolId: poolId,
      ClientId: secretId,
    }),
  );
  secret = described.UserPoolClient?.ClientSecret ?? "";
  holdingPoolId = await target.createPool({
    ...pool,
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ["email"] },
  });
  holdingClientId = await target.createClient(holdingPoolId, {
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "ENABLED",
  });
}, 30_000);

afterAll(() => target?.stop());

const signIn = (login: string, client = clientId, pool = poolId) =>
  tokensOf(adminSignIn(target, pool, client, login, PASSWORD));
const refresh = (RefreshToken: string, ClientId = clientId, ClientSecret?: string) =>
  target.admin.send(
    new GetTokensFromRefreshTokenCommand({
      RefreshToken,
      ClientId,
      ...(ClientSecret === undefined ? {} : { ClientSecret }),
    }),
  );
const me = async (AccessToken: string) =>
  (await target.admin.send(new GetUserCommand({ AccessToken }))).UserAttributes;
const update = (AccessToken: string, attributes: Record<string, string>) =>
  target.admin.send(
    new UpdateUserAttributesCommand({
      AccessToken,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );

/** The newest code the emulator sent to `destination`. */
async function codeFor(destination: string): Promise<string> {
  const message = (await target.outbox()).filter((m) => m.destination === destination).at(-1);
  expect(message?.reason).toBe("VerifyUserAttribute");
  expect(message?.code).toMatch(/^\d{6}$/);
  return message?.code ?? "";
}

describe("GetTokensFromRefreshToken", () => {
  it("gives new access and ID tokens of the same session, and no new refresh token", async () => {
    const { email, sub } = await createUser(target, poolId);
    const first = await signIn(email);
    const refreshed = await refresh(first.refresh);
    const result = refreshed.AuthenticationResult;
    expect(result?.TokenType).toBe("Bearer");
    expect(result?.ExpiresIn).toBe(3600);
    expect(result?.RefreshToken).toBeUndefined();
    const access = decodeJwt(result?.AccessToken ?? "");
    const id = decodeJwt(result?.IdToken ?? "");
    expect(access.sub).toBe(sub);
    expect(access.origin_jti).toBe(decodeJwt(first.access).origin_jti);
    expect(id.email).toBe(email);
    expect(attribute(await me(result?.AccessToken ?? ""), "sub")).toBe(sub);
    // Without rotation the refresh token keeps working.
    await refresh(first.refresh);
  });

  it("refuses a made-up token, another client's, and one whose session was signed out", async () => {
    const { email } = await createUser(target, poolId);
    const tokens = await signIn(email);
    await expectError(refresh("not-a-refresh-token"), "NotAuthorizedException");
    await expectError(refresh(tokens.refresh, rotatingId), "NotAuthorizedException");
    await target.admin.send(new GlobalSignOutCommand({ AccessToken: tokens.access }));
    await expectError(refresh(tokens.refresh), "NotAuthorizedException");
  });

  it("a client with a secret must send it", async () => {
    const { email } = await createUser(target, poolId);
    const tokens = await tokensOf(
      target.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: secretId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: {
            USERNAME: email,
            PASSWORD,
            SECRET_HASH: secretHash(email),
          },
        }),
      ),
    );
    await expectError(refresh(tokens.refresh, secretId), "NotAuthorizedException");
    await expectError(refresh(tokens.refresh, secretId, "wrong"), "NotAuthorizedException");
    const ok = await refresh(tokens.refresh, secretId, secret);
    expect(ok.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("with rotation: a new refresh token each time, and the old one is refused at once", async () => {
    const { email } = await createUser(target, poolId);
    const first = await signIn(email, rotatingId);
    const rotated = await refresh(first.refresh, rotatingId);
    const next = rotated.AuthenticationResult?.RefreshToken ?? "";
    expect(next).not.toBe("");
    expect(next).not.toBe(first.refresh);
    await expectError(refresh(first.refresh, rotatingId), "RefreshTokenReuseException");
    const again = await refresh(next, rotatingId);
    expect(again.AuthenticationResult?.RefreshToken).toBeTruthy();
    // REFRESH_TOKEN_AUTH cannot rotate, so such a client refuses it.
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: rotatingId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: again.AuthenticationResult?.RefreshToken ?? "" },
        }),
      ),
      "NotAuthorizedException",
    );
  });

  it.skipIf(onAws)(
    "with rotation and a grace period: the old token works for that long, then not",
    async () => {
      const { email } = await createUser(target, poolId);
      const first = await signIn(email, graceId);
      await refresh(first.refresh, graceId);
      // A retry within the grace period (the client lost the answer) still works.
      await target.later(20_000, async () => {
        await refresh(first.refresh, graceId);
      });
      await target.later(31_000, async () => {
        await expectError(refresh(first.refresh, graceId), "RefreshTokenReuseException");
      });
    },
  );

  it.skipIf(onAws)("a rotated refresh token dies with its session's sign-out", async () => {
    const { email } = await createUser(target, poolId);
    const first = await signIn(email, rotatingId);
    const rotated = await refresh(first.refresh, rotatingId);
    await target.admin.send(new GlobalSignOutCommand({ AccessToken: first.access }));
    await expectError(
      refresh(rotated.AuthenticationResult?.RefreshToken ?? "", rotatingId),
      "NotAuthorizedException",
    );
  });
});

describe("UpdateUserAttributes", () => {
  it("changes the user's own attributes; email_verified is not theirs to write", async () => {
    const { email } = await createUser(target, poolId);
    const { access } = await signIn(email);
    const answer = await update(access, { name: "Ada", "custom:team": "blue" });
    expect(answer.CodeDeliveryDetailsList ?? []).toEqual([]);
    const attributes = await me(access);
    expect(attribute(attributes, "name")).toBe("Ada");
    expect(attribute(attributes, "custom:team")).toBe("blue");
    await expectError(
      update(access, { email_verified: "true" }),
      "NotAuthorizedException",
      "A client attempted to write unauthorized attribute",
    );
    await expectError(update(access, { nosuch: "x" }), "InvalidParameterException");
    await expectError(update(access, { sub: "x" }), "InvalidParameterException");
  });

  it.skipIf(onAws)(
    "a new email is unverified, gets a code, and signs in only once verified",
    async () => {
      const { username, email } = await createUser(target, poolId);
      const { access } = await signIn(email);
      const moved = `${unique("moved")}@example.com`;
      const answer = await update(access, { email: moved });
      expect(answer.CodeDeliveryDetailsList).toEqual([
        expect.objectContaining({ DeliveryMedium: "EMAIL", AttributeName: "email" }),
      ]);
      const attributes = await me(access);
      expect(attribute(attributes, "email")).toBe(moved);
      expect(attribute(attributes, "email_verified")).toBe("false");
      // Neither address signs in: the old one is gone, the new one is not proved yet.
      await expectError(signIn(email), "NotAuthorizedException", INCORRECT);
      await expectError(signIn(moved), "NotAuthorizedException", INCORRECT);
      await signIn(username);
      await target.admin.send(
        new VerifyUserAttributeCommand({
          AccessToken: access,
          AttributeName: "email",
          Code: await codeFor(moved),
        }),
      );
      expect(attribute(await me(access), "email_verified")).toBe("true");
      await signIn(moved);
    },
  );

  it.skipIf(onAws)(
    "where the pool holds email until verified, the old one stays until the code comes back",
    async () => {
      const { username, email } = await createUser(target, holdingPoolId);
      const { access } = await signIn(email, holdingClientId, holdingPoolId);
      const moved = `${unique("held")}@example.com`;
      const answer = await update(access, { email: moved, name: "Held" });
      expect(answer.CodeDeliveryDetailsList?.[0]?.AttributeName).toBe("email");
      const before = await me(access);
      expect(attribute(before, "email")).toBe(email);
      expect(attribute(before, "email_verified")).toBe("true");
      expect(attribute(before, "name")).toBe("Held");
      await signIn(email, holdingClientId, holdingPoolId);
      await target.admin.send(
        new VerifyUserAttributeCommand({
          AccessToken: access,
          AttributeName: "email",
          Code: await codeFor(moved),
        }),
      );
      const after = await target.admin.send(
        new AdminGetUserCommand({ UserPoolId: holdingPoolId, Username: username }),
      );
      expect(attribute(after.UserAttributes, "email")).toBe(moved);
      expect(attribute(after.UserAttributes, "email_verified")).toBe("true");
      await signIn(moved, holdingClientId, holdingPoolId);
      await expectError(
        signIn(email, holdingClientId, holdingPoolId),
        "NotAuthorizedException",
        INCORRECT,
      );
    },
  );

  it("checks the access token as GetUser does", async () => {
    await expectError(update("not.a.token", { name: "x" }), "NotAuthorizedException");
    const { email } = await createUser(target, poolId);
    const { access } = await signIn(email);
    await target.admin.send(new GlobalSignOutCommand({ AccessToken: access }));
    await expectError(
      update(access, { name: "x" }),
      "NotAuthorizedException",
      "Access Token has been revoked",
    );
  });
});

describe("DeleteUserAttributes", () => {
  it("removes the named attributes; sub and email_verified cannot be removed by the user", async () => {
    const { email } = await createUser(target, poolId, {
      attributes: [
        { Name: "name", Value: "Grace" },
        { Name: "custom:team", Value: "red" },
      ],
    });
    const { access } = await signIn(email);
    await target.admin.send(
      new DeleteUserAttributesCommand({
        AccessToken: access,
        UserAttributeNames: ["name", "custom:team"],
      }),
    );
    const attributes = await me(access);
    expect(attribute(attributes, "name")).toBeUndefined();
    expect(attribute(attributes, "custom:team")).toBeUndefined();
    expect(attribute(attributes, "email")).toBe(email);
    await expectError(
      target.admin.send(
        new DeleteUserAttributesCommand({ AccessToken: access, UserAttributeNames: ["sub"] }),
      ),
      "InvalidParameterException",
    );
    await expectError(
      target.admin.send(
        new DeleteUserAttributesCommand({
          AccessToken: access,
          UserAttributeNames: ["email_verified"],
        }),
      ),
      "NotAuthorizedException",
    );
  });
});

describe("DeleteUser", () => {
  it("deletes the signed-in user: sign-in, tokens and refresh all stop working", async () => {
    const { username, email } = await createUser(target, poolId);
    const tokens = await signIn(email);
    await target.admin.send(new DeleteUserCommand({ AccessToken: tokens.access }));
    await expectError(
      target.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username })),
      "UserNotFoundException",
    );
    await expectError(me(tokens.access), "NotAuthorizedException");
    await expectError(refresh(tokens.refresh), "NotAuthorizedException");
    await expectError(signIn(email), "NotAuthorizedException");
  });
});

function secretHash(username: string): string {
  return createHmac("sha256", secret)
    .update(username + secretId)
    .digest("base64");
}
