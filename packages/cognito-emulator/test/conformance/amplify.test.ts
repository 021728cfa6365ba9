// Amplify JS v6 (`aws-amplify`), the current AWS client for web apps, driving a pool the way an
// app using it does: sign up on an open pool and confirm, sign in with SRP and with the password,
// refresh (Amplify refreshes only through GetTokensFromRefreshToken), read, change, verify and
// delete attributes, change and reset the password, delete the user, sign out here and everywhere.
// Amplify is one configured singleton per process; in Node its tokens live in the harness's storage.
import {
  AdminGetUserCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { Amplify } from "aws-amplify";
import {
  confirmResetPassword,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  deleteUserAttributes,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resetPassword,
  sendUserAttributeVerificationCode,
  signIn,
  signOut,
  signUp,
  updatePassword,
  updateUserAttributes,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AmplifyMemoryStorage,
  attribute,
  createUser,
  expectError,
  GATEHOUSE_PASSWORD_POLICY,
  GATEHOUSE_POOL,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  unique,
  WEB_FLOWS,
} from "./harness.ts";

// Amplify computes SRP in plain JavaScript (about a second per sign-in here) and some tests sign in
// three times: the default 5 s is far too tight on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

let target: Target;
let poolId: string;
let clientId: string;

beforeAll(async () => {
  target = await openTarget();
  // Gatehouse's pool, but open to sign-up, as an Amplify app's usually is.
  poolId = await target.createPool({
    ...GATEHOUSE_POOL,
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
    AutoVerifiedAttributes: ["email"],
    Policies: { PasswordPolicy: GATEHOUSE_PASSWORD_POLICY },
  });
  clientId = await target.createClient(poolId, {
    ExplicitAuthFlows: [...WEB_FLOWS, "ALLOW_USER_PASSWORD_AUTH"],
    PreventUserExistenceErrors: "ENABLED",
    EnableTokenRevocation: true,
    // Amplify stores whichever refresh token comes back: rotation is what shows it does.
    RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
  });
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        ...(target.url ? { userPoolEndpoint: target.url } : {}),
      },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(new AmplifyMemoryStorage());
}, 30_000);

afterEach(async () => {
  await signOut().catch(() => {});
});

afterAll(() => target?.stop());

/** The newest code the emulator sent to `destination`. */
async function codeFor(destination: string, reason: string): Promise<string> {
  const message = (await target.outbox()).filter((m) => m.destination === destination).at(-1);
  expect(message?.reason).toBe(reason);
  expect(message?.code).toMatch(/^\d{6}$/);
  return message?.code ?? "";
}

async function tokens() {
  const session = await fetchAuthSession();
  const access = session.tokens?.accessToken.toString() ?? "";
  const id = session.tokens?.idToken?.toString() ?? "";
  expect(access).not.toBe("");
  return { access, id };
}

/** A confirmed user made by an administrator, with a verified email. */
const existing = () => createUser(target, poolId);

describe("sign-up", () => {
  it.skipIf(onAws)("signUp sends a code; confirmSignUp with it lets the user sign in", async () => {
    const username = unique("amp-");
    const email = `${unique("amp")}@example.com`;
    const signedUp = await signUp({
      username,
      password: PASSWORD,
      options: { userAttributes: { email, name: "Ada" } },
    });
    expect(signedUp.isSignUpComplete).toBe(false);
    expect(signedUp.nextStep.signUpStep).toBe("CONFIRM_SIGN_UP");
    if (signedUp.nextStep.signUpStep === "CONFIRM_SIGN_UP") {
      expect(signedUp.nextStep.codeDeliveryDetails.deliveryMedium).toBe("EMAIL");
      expect(signedUp.nextStep.codeDeliveryDetails.attributeName).toBe("email");
    }
    expect(signedUp.userId).toMatch(/^[0-9a-f-]{36}$/);
    // Amplify turns Cognito's UserNotConfirmedException into a step of the sign-in.
    expect(await signIn({ username, password: PASSWORD })).toMatchObject({
      isSignedIn: false,
      nextStep: { signInStep: "CONFIRM_SIGN_UP" },
    });
    const confirmed = await confirmSignUp({
      username,
      confirmationCode: await codeFor(email, "SignUp"),
    });
    expect(confirmed.isSignUpComplete).toBe(true);
    const signedIn = await signIn({ username: email, password: PASSWORD });
    expect(signedIn.isSignedIn).toBe(true);
    const me = await getCurrentUser();
    expect(me.username).toBe(username);
    expect(me.userId).toBe(signedUp.userId);
  });

  it("refuses a username that is taken", async () => {
    const { username } = await existing();
    await expectError(
      signUp({
        username,
        password: PASSWORD,
        options: { userAttributes: { email: `${unique("amp")}@example.com` } },
      }),
      "UsernameExistsException",
    );
  });
});

describe("sign-in", () => {
  it("with SRP (Amplify's default) by the email alias", async () => {
    const { username, email, sub } = await existing();
    const result = await signIn({ username: email, password: PASSWORD });
    expect(result).toMatchObject({ isSignedIn: true, nextStep: { signInStep: "DONE" } });
    expect(await getCurrentUser()).toMatchObject({ username, userId: sub });
    const { access, id } = await tokens();
    expect(decodeJwt(access).username).toBe(username);
    expect(decodeJwt(id).email).toBe(email);
  });

  it("with USER_PASSWORD_AUTH", async () => {
    const { username } = await existing();
    const result = await signIn({
      username,
      password: PASSWORD,
      options: { authFlowType: "USER_PASSWORD_AUTH" },
    });
    expect(result.isSignedIn).toBe(true);
    expect((await getCurrentUser()).username).toBe(username);
  });

  it("a wrong password is NotAuthorizedException, with both flows", async () => {
    const { username } = await existing();
    await expectError(
      signIn({ username, password: "Wrong-Passw0rd" }),
      "NotAuthorizedException",
      "Incorrect username or password.",
    );
    await expectError(
      signIn({
        username,
        password: "Wrong-Passw0rd",
        options: { authFlowType: "USER_PASSWORD_AUTH" },
      }),
      "NotAuthorizedException",
      "Incorrect username or password.",
    );
  });
});

describe("fetchAuthSession", () => {
  it("forceRefresh gets new tokens through GetTokensFromRefreshToken, again and again", async () => {
    const { username, sub } = await existing();
    await signIn({ username, password: PASSWORD });
    const before = await tokens();
    const seen = new Set([decodeJwt(before.access).jti]);
    // The client rotates refresh tokens, so each refresh works only with the token the one before
    // handed back: Amplify must have stored it.
    for (let i = 0; i < 3; i++) {
      const session = await fetchAuthSession({ forceRefresh: true });
      const access = session.tokens?.accessToken.toString() ?? "";
      const claims = decodeJwt(access);
      expect(claims.sub).toBe(sub);
      expect(claims.origin_jti).toBe(decodeJwt(before.access).origin_jti);
      expect(seen.has(claims.jti)).toBe(false);
      seen.add(claims.jti);
      const me = await target.admin.send(new GetUserCommand({ AccessToken: access }));
      expect(me.Username).toBe(username);
    }
  });
});

describe("attributes", () => {
  it("fetchUserAttributes gives the user's attributes", async () => {
    const { username, email, sub } = await existing();
    await signIn({ username, password: PASSWORD });
    expect(await fetchUserAttributes()).toMatchObject({ sub, email, email_verified: "true" });
  });

  it("updateUserAttributes changes them; a new email needs its code", async () => {
    const { username } = await existing();
    await signIn({ username, password: PASSWORD });
    const moved = `${unique("ampmoved")}@example.com`;
    const result = await updateUserAttributes({ userAttributes: { name: "Grace", email: moved } });
    expect(result.name).toMatchObject({
      isUpdated: true,
      nextStep: { updateAttributeStep: "DONE" },
    });
    expect(result.email?.isUpdated).toBe(false);
    expect(result.email?.nextStep.updateAttributeStep).toBe("CONFIRM_ATTRIBUTE_WITH_CODE");
    expect(result.email?.nextStep.codeDeliveryDetails?.deliveryMedium).toBe("EMAIL");
    expect(await fetchUserAttributes()).toMatchObject({
      name: "Grace",
      email: moved,
      email_verified: "false",
    });
    if (onAws) return;
    await confirmUserAttribute({
      userAttributeKey: "email",
      confirmationCode: await codeFor(moved, "VerifyUserAttribute"),
    });
    expect((await fetchUserAttributes()).email_verified).toBe("true");
    await signOut();
    expect((await signIn({ username: moved, password: PASSWORD })).isSignedIn).toBe(true);
  });

  it.skipIf(onAws)(
    "sendUserAttributeVerificationCode and confirmUserAttribute verify an email",
    async () => {
      const address = `${unique("ampunverified")}@example.com`;
      const { username } = await createUser(target, poolId, {
        email: null,
        attributes: [
          { Name: "email", Value: address },
          { Name: "email_verified", Value: "false" },
        ],
      });
      await signIn({ username, password: PASSWORD });
      expect((await fetchUserAttributes()).email_verified).toBe("false");
      const sent = await sendUserAttributeVerificationCode({ userAttributeKey: "email" });
      expect(sent).toMatchObject({ deliveryMedium: "EMAIL", attributeName: "email" });
      await expectError(
        confirmUserAttribute({ userAttributeKey: "email", confirmationCode: "000000" }),
        "CodeMismatchException",
      );
      await confirmUserAttribute({
        userAttributeKey: "email",
        confirmationCode: await codeFor(address, "VerifyUserAttribute"),
      });
      expect((await fetchUserAttributes()).email_verified).toBe("true");
    },
  );

  it("deleteUserAttributes removes them", async () => {
    const { username } = await createUser(target, poolId, {
      attributes: [
        { Name: "name", Value: "Grace" },
        { Name: "nickname", Value: "G" },
      ],
    });
    await signIn({ username, password: PASSWORD });
    await deleteUserAttributes({ userAttributeKeys: ["name", "nickname"] });
    const attributes = await fetchUserAttributes();
    expect(attributes.name).toBeUndefined();
    expect(attributes.nickname).toBeUndefined();
    expect(attributes.email).toBeDefined();
  });
});

describe("passwords", () => {
  it("updatePassword needs the old one; the new one signs in", async () => {
    const { username } = await existing();
    await signIn({ username, password: PASSWORD });
    await expectError(
      updatePassword({ oldPassword: "Wrong-Passw0rd", newPassword: "Changed-Passw0rd" }),
      "NotAuthorizedException",
    );
    await expectError(
      updatePassword({ oldPassword: PASSWORD, newPassword: "short" }),
      "InvalidPasswordException",
    );
    await updatePassword({ oldPassword: PASSWORD, newPassword: "Changed-Passw0rd" });
    await signOut();
    await expectError(signIn({ username, password: PASSWORD }), "NotAuthorizedException");
    expect((await signIn({ username, password: "Changed-Passw0rd" })).isSignedIn).toBe(true);
  });

  it.skipIf(onAws)(
    "resetPassword sends a code; confirmResetPassword sets the new password",
    async () => {
      const { username, email } = await existing();
      const reset = await resetPassword({ username: email });
      expect(reset.isPasswordReset).toBe(false);
      expect(reset.nextStep.resetPasswordStep).toBe("CONFIRM_RESET_PASSWORD_WITH_CODE");
      expect(reset.nextStep.codeDeliveryDetails.deliveryMedium).toBe("EMAIL");
      const code = await codeFor(email, "ForgotPassword");
      await expectError(
        confirmResetPassword({
          username: email,
          confirmationCode: code === "000000" ? "111111" : "000000",
          newPassword: "Reset-Passw0rd",
        }),
        "CodeMismatchException",
      );
      await confirmResetPassword({
        username: email,
        confirmationCode: code,
        newPassword: "Reset-Passw0rd",
      });
      expect((await signIn({ username, password: "Reset-Passw0rd" })).isSignedIn).toBe(true);
    },
  );
});

describe("deleteUser", () => {
  it("deletes the signed-in user and forgets their tokens", async () => {
    const { username } = await existing();
    await signIn({ username, password: PASSWORD });
    await deleteUser();
    await expectError(
      target.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username })),
      "UserNotFoundException",
    );
    await expectError(getCurrentUser(), "UserUnAuthenticatedException");
    await expectError(signIn({ username, password: PASSWORD }), "NotAuthorizedException");
  });
});

describe("signOut", () => {
  /** The refresh token Amplify holds, read from its storage through a fresh session. */
  async function refreshTokenHeld(): Promise<string> {
    const held = await cognitoUserPoolsTokenProvider.authTokenStore.loadTokens();
    expect(held?.refreshToken).toBeTruthy();
    return held?.refreshToken ?? "";
  }
  const refreshWith = (RefreshToken: string) =>
    target.admin.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken }));

  it("locally: the session is revoked (RevokeToken) and Amplify forgets it", async () => {
    const { username } = await existing();
    await signIn({ username, password: PASSWORD });
    const { access } = await tokens();
    const refreshToken = await refreshTokenHeld();
    await signOut();
    await expectError(getCurrentUser(), "UserUnAuthenticatedException");
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    await expectError(refreshWith(refreshToken), "NotAuthorizedException");
    await expectError(
      target.admin.send(new GetUserCommand({ AccessToken: access })),
      "NotAuthorizedException",
    );
  });

  it("globally: every session of the user ends", async () => {
    const { username } = await existing();
    await signIn({ username, password: PASSWORD });
    const first = await tokens();
    const firstRefresh = await refreshTokenHeld();
    await signOut();
    await signIn({ username, password: PASSWORD });
    const second = await tokens();
    await signOut({ global: true });
    for (const access of [first.access, second.access]) {
      await expectError(
        target.admin.send(new GetUserCommand({ AccessToken: access })),
        "NotAuthorizedException",
      );
    }
    await expectError(refreshWith(firstRefresh), "NotAuthorizedException");
    await expectError(getCurrentUser(), "UserUnAuthenticatedException");
  });
});

describe("Amplify and the AWS SDK agree", () => {
  it("an unknown user looks like a wrong password on a client that hides users", async () => {
    await expectError(
      signIn({ username: unique("nobody-"), password: PASSWORD }),
      "NotAuthorizedException",
    );
  });

  it("reads the same user GetUser reads", async () => {
    const { username, sub } = await existing();
    await signIn({ username, password: PASSWORD });
    const { access } = await tokens();
    const viaSdk = await target.admin.send(new GetUserCommand({ AccessToken: access }));
    expect(attribute(viaSdk.UserAttributes, "sub")).toBe(sub);
    expect((await fetchUserAttributes()).sub).toBe(sub);
  });
});
