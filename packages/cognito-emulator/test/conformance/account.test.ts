// What a signed-in user does with their own account, as the browser does it: read it, change the
// password, reset a forgotten one with the emailed code (read from the emulator's outbox), sign out
// everywhere or revoke one session, and how those are refused.
import {
  AdminDeleteUserCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, browser } from "./browser.ts";
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
const REVOKED = "Access Token has been revoked";
const REFRESH_REVOKED = "Refresh Token has been revoked";
const MISMATCH = "Invalid verification code provided, please try again.";
let target: Target;
let poolId: string;
/** Hides users (PreventUserExistenceErrors: ENABLED), token revocation on. */
let clientId: string;
/** Existence errors not prevented; token revocation off. */
let legacyId: string;
let web: Browser;

beforeAll(async () => {
  target = await openTarget();
  poolId = await target.createPool({
    ...GATEHOUSE_POOL,
    AutoVerifiedAttributes: ["email"],
    Policies: { PasswordPolicy: GATEHOUSE_PASSWORD_POLICY },
  });
  clientId = await target.createClient(poolId, {
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "ENABLED",
    EnableTokenRevocation: true,
  });
  legacyId = await target.createClient(poolId, {
    ClientName: "legacy",
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "LEGACY",
    EnableTokenRevocation: false,
  });
  web = browser(target, poolId, clientId);
}, 30_000);

afterAll(() => target?.stop());

const getUser = (AccessToken: string) => target.admin.send(new GetUserCommand({ AccessToken }));
const refresh = (token: string, client = clientId) =>
  target.admin.send(
    new InitiateAuthCommand({
      ClientId: client,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: token },
    }),
  );
const signIn = (login: string, password = PASSWORD, client = clientId) =>
  tokensOf(adminSignIn(target, poolId, client, login, password));

/** The newest code the emulator sent this user. */
async function lastCode(username: string): Promise<string> {
  const message = (await target.outbox()).filter((m) => m.username === username).at(-1);
  expect(message?.userPoolId).toBe(poolId);
  expect(message?.code).toMatch(/^\d{6}$/);
  return message?.code ?? "";
}

const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("reading the account", () => {
  it("GetUser and identity-js's getUserAttributes return the user behind the access token", async () => {
    const { username, email, sub } = await createUser(target, poolId, {
      attributes: [{ Name: "name", Value: "Grace" }],
    });
    const { user, session } = await web.signIn(email, PASSWORD);
    const me = await getUser(session.getAccessToken().getJwtToken());
    expect(me.Username).toBe(username);
    expect(attribute(me.UserAttributes, "sub")).toBe(sub);
    expect(attribute(me.UserAttributes, "email")).toBe(email);
    expect(await web.attributes(user)).toMatchObject({
      sub,
      email,
      email_verified: "true",
      name: "Grace",
    });
  });

  it("refuses a token that is not an access token this pool issued", async () => {
    await expectError(getUser("not.a.token"), "NotAuthorizedException");
    await expectError(getUser(""), "InvalidParameterException");
  });
});

describe("changing the password", () => {
  it("needs the current password and a new one the policy accepts", async () => {
    const { email } = await createUser(target, poolId);
    const { user, session } = await web.signIn(email, PASSWORD);
    const AccessToken = session.getAccessToken().getJwtToken();
    await expectError(
      web.changePassword(user, "Not-The-Passw0rd", "Changed-Passw0rd"),
      "NotAuthorizedException",
      INCORRECT,
    );
    await expectError(
      target.admin.send(
        new ChangePasswordCommand({
          AccessToken,
          PreviousPassword: PASSWORD,
          ProposedPassword: "short",
        }),
      ),
      "InvalidPasswordException",
      "Password did not conform with policy: Password not long enough",
    );
    await web.changePassword(user, PASSWORD, "Changed-Passw0rd");
    await expectError(signIn(email), "NotAuthorizedException", INCORRECT);
    await web.signIn(email, "Changed-Passw0rd");
  });
});

describe("a forgotten password", () => {
  it.skipIf(onAws)(
    "is reset with the code from the outbox, in the browser, by email alias",
    async () => {
      const { username, email } = await createUser(target, poolId);
      const delivery = await web.forgotPassword(email);
      expect(delivery).toMatchObject({ DeliveryMedium: "EMAIL", AttributeName: "email" });
      expect(delivery.Destination).not.toBe(email);
      expect(delivery.Destination).toMatch(/^.\*+@.\*+/);
      const message = (await target.outbox()).filter((m) => m.username === username).at(-1);
      expect(message).toMatchObject({ destination: email, userPoolId: poolId });
      const code = await lastCode(username);

      await expectError(
        web.confirmPassword(email, otherCode(code), "Reset-Passw0rd1"),
        "CodeMismatchException",
        MISMATCH,
      );
      await expectError(
        web.confirmPassword(email, code, "weak"),
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
      );
      await web.confirmPassword(email, code, "Reset-Passw0rd1");
      await expectError(signIn(email), "NotAuthorizedException", INCORRECT);
      await web.signIn(email, "Reset-Passw0rd1");
      // A code works once.
      const reused = await web.confirmPassword(email, code, "Again-Passw0rd1").catch((e) => e);
      expect(reused?.name).toMatch(/^(CodeMismatchException|ExpiredCodeException)$/);
      await web.signIn(email, "Reset-Passw0rd1");
    },
  );

  it.skipIf(onAws)("keeps only the newest code, for an hour, for five tries", async () => {
    const { username, email } = await createUser(target, poolId);
    const confirm = (code: string, password: string) =>
      target.admin.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: username,
          ConfirmationCode: code,
          Password: password,
        }),
      );
    await web.forgotPassword(email);
    const first = await lastCode(username);
    await web.forgotPassword(username);
    const second = await lastCode(username);
    if (first !== second)
      await expectError(confirm(first, "Reset-Passw0rd1"), "CodeMismatchException");

    await target.later(60 * 60_000 + 1_000, () =>
      expectError(
        confirm(second, "Reset-Passw0rd1"),
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
      ),
    );

    await web.forgotPassword(email);
    const third = await lastCode(username);
    for (let attempt = 0; attempt < 5; attempt++) {
      await expectError(confirm(otherCode(third), "Reset-Passw0rd1"), "CodeMismatchException");
    }
    await expectError(
      confirm(third, "Reset-Passw0rd1"),
      "LimitExceededException",
      "Attempt limit exceeded, please try after some time.",
    );
    await signIn(email);
  });

  it.skipIf(onAws)("uses the fixedCode option's code for every message", async () => {
    const fixed = await openTarget({ fixedCode: "424242" });
    try {
      const pool = await fixed.createPool({ AliasAttributes: ["email"] });
      const client = await fixed.createClient(pool, {});
      const { username, email } = await createUser(fixed, pool);
      const viaBrowser = browser(fixed, pool, client);
      await viaBrowser.forgotPassword(email);
      await viaBrowser.forgotPassword(username);
      const codes = (await fixed.outbox()).map((m) => m.code);
      expect(codes).toEqual(["424242", "424242"]);
      await viaBrowser.confirmPassword(email, "424242", "Fixed-Code-Passw0rd!");
      await viaBrowser.signIn(email, "Fixed-Code-Passw0rd!");
    } finally {
      await fixed.stop();
    }
  });

  it("is refused for a user who never chose a password, or has no verified email", async () => {
    const temporary = await createUser(target, poolId, { permanent: false });
    await expectError(
      web.forgotPassword(temporary.email),
      "NotAuthorizedException",
      "User password cannot be reset in the current state.",
    );
    const unverified = await createUser(target, poolId, {
      email: null,
      attributes: [{ Name: "email", Value: `${unique("unverified")}@example.com` }],
    });
    await expectError(
      web.forgotPassword(unverified.username),
      "InvalidParameterException",
      "Cannot reset password for the user as there is no registered/verified email or phone_number",
    );
  });

  it("looks delivered for an unknown user when existence errors are prevented, and is UserNotFoundException otherwise", async () => {
    const ghost = `${unique("ghost")}@example.com`;
    const delivery = await web.forgotPassword(ghost);
    expect(delivery).toMatchObject({ DeliveryMedium: "EMAIL", AttributeName: "email" });
    await expectError(
      target.admin.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: ghost,
          ConfirmationCode: "123456",
          Password: "Whatever-Passw0rd",
        }),
      ),
      "CodeMismatchException",
      MISMATCH,
    );
    await expectError(
      target.admin.send(new ForgotPasswordCommand({ ClientId: legacyId, Username: ghost })),
      "UserNotFoundException",
      "Username/client id combination not found.",
    );
  });
});

describe("signing out", () => {
  it("GlobalSignOut (identity-js) revokes every session's access and refresh tokens; a new sign-in works", async () => {
    const { username, email } = await createUser(target, poolId);
    const other = await signIn(email);
    const { user, session } = await web.signIn(email, PASSWORD);
    const access = session.getAccessToken().getJwtToken();
    const refreshToken = session.getRefreshToken().getToken();
    await web.globalSignOut(user);

    for (const token of [access, other.access]) {
      await expectError(getUser(token), "NotAuthorizedException", REVOKED);
    }
    await expectError(
      target.admin.send(
        new ChangePasswordCommand({
          AccessToken: other.access,
          PreviousPassword: PASSWORD,
          ProposedPassword: "Changed-Passw0rd",
        }),
      ),
      "NotAuthorizedException",
      REVOKED,
    );
    await expectError(
      target.admin.send(new GlobalSignOutCommand({ AccessToken: access })),
      "NotAuthorizedException",
      REVOKED,
    );
    for (const token of [refreshToken, other.refresh]) {
      await expectError(refresh(token), "NotAuthorizedException", REFRESH_REVOKED);
    }

    const again = await signIn(email);
    expect((await getUser(again.access)).Username).toBe(username);
    await refresh(again.refresh);
  });

  it("AdminUserGlobalSignOut does the same for an administrator", async () => {
    const { username, email } = await createUser(target, poolId);
    const before = await signIn(email);
    await target.admin.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: username }),
    );
    await expectError(getUser(before.access), "NotAuthorizedException", REVOKED);
    await expectError(refresh(before.refresh), "NotAuthorizedException", REFRESH_REVOKED);
    await getUser((await signIn(email)).access);
    await expectError(
      target.admin.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: unique("ghost") }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
  });

  it("RevokeToken (identity-js signOut) ends one session and leaves the others", async () => {
    const { email } = await createUser(target, poolId);
    const kept = await signIn(email);
    const { user, session } = await web.signIn(email, PASSWORD);
    await web.signOut(user);
    await expectError(
      refresh(session.getRefreshToken().getToken()),
      "NotAuthorizedException",
      REFRESH_REVOKED,
    );
    await expectError(
      getUser(session.getAccessToken().getJwtToken()),
      "NotAuthorizedException",
      REVOKED,
    );
    await getUser(kept.access);
    await refresh(kept.refresh);
  });

  it("RevokeToken is refused by a client without token revocation", async () => {
    const { email } = await createUser(target, poolId);
    const tokens = await signIn(email, PASSWORD, legacyId);
    await expectError(
      target.admin.send(new RevokeTokenCommand({ ClientId: legacyId, Token: tokens.refresh })),
      "UnsupportedOperationException",
    );
    await refresh(tokens.refresh, legacyId);
  });
});

describe("a deleted user", () => {
  it("can no longer sign in, refresh or use an access token", async () => {
    const { username, email } = await createUser(target, poolId);
    const tokens = await signIn(email);
    await target.admin.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username }));
    await expectError(signIn(email), "NotAuthorizedException", INCORRECT);
    await expectError(signIn(username, PASSWORD, legacyId), "UserNotFoundException");
    const refused = await getUser(tokens.access).catch((error: Error) => error);
    expect((refused as Error).name).toMatch(/^(NotAuthorizedException|UserNotFoundException)$/);
    const refreshRefused = await refresh(tokens.refresh).catch((error: Error) => error);
    expect((refreshRefused as Error).name).toMatch(
      /^(NotAuthorizedException|UserNotFoundException)$/,
    );
  });
});
