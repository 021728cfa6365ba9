// A signed-in user proving their email: GetUserAttributeVerificationCode sends a code,
// VerifyUserAttribute redeems it. The access token is checked as GetUser checks it, codes expire
// after 24 hours and stop working after too many wrong tries, and a verified email becomes the
// sign-in alias unless another user already signs in with it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  VerifyUserAttributeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/index.ts";
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

const MISMATCH = "Invalid verification code provided, please try again.";
const INCORRECT = "Incorrect username or password.";
let target: Target;
let poolId: string;
let clientId: string;

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
}, 30_000);

afterAll(() => target?.stop());

/** A user whose email is not verified yet, signed in by username (the alias needs a verified email). */
async function unverifiedUser(email = `${unique("mail")}@example.com`) {
  const user = await createUser(target, poolId, {
    email: null,
    attributes: [
      { Name: "email", Value: email },
      { Name: "email_verified", Value: "false" },
    ],
  });
  const tokens = await tokensOf(adminSignIn(target, poolId, clientId, user.username, PASSWORD));
  return { ...user, email, access: tokens.access };
}

const requestCode = (AccessToken: string, AttributeName = "email") =>
  target.admin.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName }));
const verify = (AccessToken: string, Code: string, AttributeName = "email") =>
  target.admin.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName, Code }));
const emailVerified = async (AccessToken: string) =>
  attribute(
    (await target.admin.send(new GetUserCommand({ AccessToken }))).UserAttributes,
    "email_verified",
  );

/** The newest code the emulator sent this user, checked to be an attribute verification code. */
async function lastCode(username: string, email: string): Promise<string> {
  const message = (await target.outbox()).filter((m) => m.username === username).at(-1);
  expect(message).toMatchObject({
    userPoolId: poolId,
    destination: email,
    reason: "VerifyUserAttribute",
  });
  expect(message?.code).toMatch(/^\d{6}$/);
  return message?.code ?? "";
}

const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("GetUserAttributeVerificationCode", () => {
  it("sends a code to the user's email and says where, masked", async () => {
    const user = await unverifiedUser();
    const sent = await requestCode(user.access);
    expect(sent.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    expect(sent.CodeDeliveryDetails?.Destination).toMatch(/^\S\*\*\*@\S\*\*\*/);
    expect(await emailVerified(user.access)).toBe("false");
  });

  it("refuses an attribute that cannot be verified", async () => {
    const user = await unverifiedUser();
    await expectError(requestCode(user.access, "name"), "InvalidParameterException");
  });

  it("checks the access token as GetUser does: malformed, made up, revoked", async () => {
    await expectError(requestCode(""), "InvalidParameterException");
    await expectError(requestCode("not.a.token"), "NotAuthorizedException");
    const user = await unverifiedUser();
    await target.admin.send(new GlobalSignOutCommand({ AccessToken: user.access }));
    await expectError(
      requestCode(user.access),
      "NotAuthorizedException",
      "Access Token has been revoked",
    );
    await expectError(
      verify(user.access, "123456"),
      "NotAuthorizedException",
      "Access Token has been revoked",
    );
  });

  it.skipIf(onAws)("refuses an access token past its expiry", async () => {
    const user = await unverifiedUser();
    await target.later(61 * 60 * 1000, async () => {
      await expectError(requestCode(user.access), "NotAuthorizedException");
    });
  });
});

describe("VerifyUserAttribute", () => {
  it("refuses a wrong code and leaves the email unverified", async () => {
    const user = await unverifiedUser();
    await requestCode(user.access);
    await expectError(verify(user.access, "000000"), "CodeMismatchException", MISMATCH);
    expect(await emailVerified(user.access)).toBe("false");
  });

  it.skipIf(onAws)(
    "with the emailed code: email_verified becomes true and the email signs in",
    async () => {
      const user = await unverifiedUser();
      await expectError(
        adminSignIn(target, poolId, clientId, user.email, PASSWORD),
        "NotAuthorizedException",
        INCORRECT,
      );
      await requestCode(user.access);
      await verify(user.access, await lastCode(user.username, user.email));
      expect(await emailVerified(user.access)).toBe("true");
      const admin = await target.admin.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: user.username }),
      );
      expect(attribute(admin.UserAttributes, "email_verified")).toBe("true");
      const signedIn = await tokensOf(adminSignIn(target, poolId, clientId, user.email, PASSWORD));
      expect(signedIn.access).not.toBe("");
    },
  );

  it.skipIf(onAws)("a code works once, and only the newest one works", async () => {
    const user = await unverifiedUser();
    await requestCode(user.access);
    const first = await lastCode(user.username, user.email);
    await requestCode(user.access);
    const second = await lastCode(user.username, user.email);
    if (first !== second) {
      await expectError(verify(user.access, first), "CodeMismatchException", MISMATCH);
    }
    await verify(user.access, second);
    await expectError(verify(user.access, second), "CodeMismatchException", MISMATCH);
  });

  it.skipIf(onAws)("a code expires after 24 hours", async () => {
    const user = await unverifiedUser();
    await requestCode(user.access);
    const code = await lastCode(user.username, user.email);
    await target.later(24 * 60 * 60 * 1000 + 1000, async () => {
      const fresh = await tokensOf(adminSignIn(target, poolId, clientId, user.username, PASSWORD));
      await expectError(
        verify(fresh.access, code),
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
      );
    });
    expect(await emailVerified(user.access)).toBe("false");
  });

  it.skipIf(onAws)("after five wrong codes even the right one is refused", async () => {
    const user = await unverifiedUser();
    await requestCode(user.access);
    const code = await lastCode(user.username, user.email);
    for (let i = 0; i < 5; i++) {
      await expectError(verify(user.access, otherCode(code)), "CodeMismatchException", MISMATCH);
    }
    await expectError(
      verify(user.access, code),
      "LimitExceededException",
      "Attempt limit exceeded, please try after some time.",
    );
    expect(await emailVerified(user.access)).toBe("false");
    // A new code starts the count again.
    await requestCode(user.access);
    await verify(user.access, await lastCode(user.username, user.email));
    expect(await emailVerified(user.access)).toBe("true");
  });

  it.skipIf(onAws)(
    "a code sent to an address the user has since changed proves nothing",
    async () => {
      const user = await unverifiedUser();
      await requestCode(user.access);
      const code = await lastCode(user.username, user.email);
      await target.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: user.username,
          UserAttributes: [{ Name: "email", Value: `${unique("moved")}@example.com` }],
        }),
      );
      await expectError(verify(user.access, code), "CodeMismatchException", MISMATCH);
      expect(await emailVerified(user.access)).toBe("false");
    },
  );

  it.skipIf(onAws)(
    "AliasExistsException while another user signs in with that email; nothing changes",
    async () => {
      const holder = await createUser(target, poolId);
      const user = await unverifiedUser(holder.email);
      await requestCode(user.access);
      const code = await lastCode(user.username, holder.email);
      await expectError(
        verify(user.access, code),
        "AliasExistsException",
        "An account with the given email already exists.",
      );
      expect(await emailVerified(user.access)).toBe("false");
      const holderSignIn = await adminSignIn(target, poolId, clientId, holder.email, PASSWORD);
      expect(holderSignIn.AuthenticationResult?.AccessToken).toBeTruthy();
    },
  );
});

describe("phone_number", () => {
  it.skipIf(onAws)("a code by SMS (to the outbox) verifies the phone number", async () => {
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    const user = await createUser(target, poolId, {
      attributes: [{ Name: "phone_number", Value: phone }],
    });
    const { access } = await tokensOf(
      adminSignIn(target, poolId, clientId, user.username, PASSWORD),
    );
    const sent = await requestCode(access, "phone_number");
    expect(sent.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: "SMS",
      AttributeName: "phone_number",
    });
    expect(sent.CodeDeliveryDetails?.Destination).toMatch(/\d{4}$/);
    const message = (await target.outbox()).filter((m) => m.destination === phone).at(-1);
    expect(message?.reason).toBe("VerifyUserAttribute");
    // A code for the phone number does not verify the email, and the other way round.
    await expectError(verify(access, message?.code ?? "", "email"), "CodeMismatchException");
    await verify(access, message?.code ?? "", "phone_number");
    const me = await target.admin.send(new GetUserCommand({ AccessToken: access }));
    expect(attribute(me.UserAttributes, "phone_number_verified")).toBe("true");
  });
});

describe.skipIf(onAws)("across a restart", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cognito-verify-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const POOL = "us-east-1_verifyrst1";
  const CLIENT = "verifyrestartclient0000001";
  const seed = {
    userPools: [
      {
        Id: POOL,
        PoolName: "restart",
        AliasAttributes: ["email"],
        Clients: [
          { ClientId: CLIENT, ClientName: "web", ExplicitAuthFlows: WEB_FLOWS as string[] },
        ],
      },
    ],
  };
  /** The emulator on `dir`, driven through a Target whose admin client points at it. */
  async function open() {
    const emulator = await startEmulator({ dataDir: dir, log: null, seed });
    const admin = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
    const on: Target = { ...target, admin };
    const stop = async () => {
      admin.destroy();
      await emulator.stop();
    };
    return { emulator, on, stop };
  }

  it("a pending code and its attempt count are journaled, and so is the verified email", async () => {
    const email = "restart@example.com";
    const first = await open();
    const user = await createUser(first.on, POOL, {
      email: null,
      attributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "false" },
      ],
    });
    const { access } = await tokensOf(adminSignIn(first.on, POOL, CLIENT, user.username, PASSWORD));
    await first.on.admin.send(
      new GetUserAttributeVerificationCodeCommand({ AccessToken: access, AttributeName: "email" }),
    );
    const code = first.emulator.outbox().at(-1)?.code ?? "";
    expect(code).toMatch(/^\d{6}$/);
    for (let i = 0; i < 4; i++) {
      await expectError(
        first.on.admin.send(
          new VerifyUserAttributeCommand({
            AccessToken: access,
            AttributeName: "email",
            Code: otherCode(code),
          }),
        ),
        "CodeMismatchException",
      );
    }
    await first.stop();

    const second = await open();
    const verifyAgain = (Code: string) =>
      second.on.admin.send(
        new VerifyUserAttributeCommand({ AccessToken: access, AttributeName: "email", Code }),
      );
    // The fifth wrong try counts on top of the four before the restart.
    await expectError(verifyAgain(otherCode(code)), "CodeMismatchException");
    await expectError(verifyAgain(code), "LimitExceededException");
    await second.on.admin.send(
      new GetUserAttributeVerificationCodeCommand({ AccessToken: access, AttributeName: "email" }),
    );
    const fresh = second.emulator.outbox().at(-1)?.code ?? "";
    await second.stop();

    const third = await open();
    await third.on.admin.send(
      new VerifyUserAttributeCommand({ AccessToken: access, AttributeName: "email", Code: fresh }),
    );
    await third.stop();

    const fourth = await open();
    const byEmail = await tokensOf(adminSignIn(fourth.on, POOL, CLIENT, email, PASSWORD));
    const me = await fourth.on.admin.send(new GetUserCommand({ AccessToken: byEmail.access }));
    expect(me.Username).toBe(user.username);
    expect(attribute(me.UserAttributes, "email_verified")).toBe("true");
    await fourth.stop();
    // Four emulator starts on one data directory.
  }, 30_000);
});
