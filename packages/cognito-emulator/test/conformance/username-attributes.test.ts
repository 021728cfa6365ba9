// Pools that sign in with an address: `UsernameAttributes` (email or phone number as the username:
// a generated UUID username, the address in its attribute, one user per address), phone and email
// aliases moving between users, `AccountRecoverySetting`, and AdminCreateUser's invitation.
import {
  AdminCreateUserCommand,
  type AdminCreateUserCommandInput,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browser } from "./browser.ts";
import {
  adminSignIn,
  attribute,
  createUser,
  expectError,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  TEMPORARY,
  tokensOf,
  unique,
} from "./harness.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"] as const;
const NOT_AN_ADDRESS = "Username should be either an email or a phone number.";
let target: Target;
/** Email as the username, open sign-up, email auto-verified. */
let emailPool: string;
let emailClient: string;

beforeAll(async () => {
  target = await openTarget();
  emailPool = await target.createPool({
    UsernameAttributes: ["email"],
    AutoVerifiedAttributes: ["email"],
  });
  emailClient = await target.createClient(emailPool, { ExplicitAuthFlows: [...FLOWS] });
}, 30_000);

afterAll(() => target?.stop());

const adminCreate = (UserPoolId: string, input: Partial<AdminCreateUserCommandInput>) =>
  target.admin.send(
    new AdminCreateUserCommand({
      UserPoolId,
      Username: unique("user-"),
      MessageAction: "SUPPRESS",
      TemporaryPassword: TEMPORARY,
      ...input,
    }),
  );
const phoneNumber = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
const lastMessage = async (destination: string) => {
  const messages = (await target.outbox()).filter((m) => m.destination === destination);
  const last = messages.at(-1);
  if (!last) throw new Error(`nothing was sent to ${destination}`);
  return last;
};

describe("UsernameAttributes: email", () => {
  it("makes the username a generated UUID (the sub) and keeps the address in email", async () => {
    const email = `${unique("mail")}@example.com`;
    const { User } = await adminCreate(emailPool, { Username: email });
    const sub = attribute(User?.Attributes, "sub");
    expect(User?.Username).toMatch(UUID);
    expect(User?.Username).toBe(sub);
    expect(attribute(User?.Attributes, "email")).toBe(email);
    const read = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: emailPool, Username: email }),
    );
    expect(read.Username).toBe(sub);
  });

  it("refuses a username that is not an email, a different email attribute and a taken address", async () => {
    await expectError(
      adminCreate(emailPool, { Username: unique("plain-") }),
      "InvalidParameterException",
      NOT_AN_ADDRESS,
    );
    const email = `${unique("mail")}@example.com`;
    await expectError(
      adminCreate(emailPool, {
        Username: email,
        UserAttributes: [{ Name: "email", Value: `other-${email}` }],
      }),
      "InvalidParameterException",
    );
    await adminCreate(emailPool, { Username: email });
    await expectError(
      adminCreate(emailPool, { Username: email }),
      "AliasExistsException",
      "An account with the given email already exists.",
    );
  });

  it("signs in by the address; the tokens name the UUID username", async () => {
    const email = `${unique("mail")}@example.com`;
    const created = await createUser(target, emailPool, { username: email, email: null });
    const tokens = await tokensOf(adminSignIn(target, emailPool, emailClient, email, PASSWORD));
    const claims = decodeJwt(tokens.access);
    expect(claims.username).toBe(created.sub);
    expect(claims.sub).toBe(created.sub);
    expect(decodeJwt(tokens.id).email).toBe(email);
    const password = await target.admin.send(
      new InitiateAuthCommand({
        ClientId: emailClient,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email.toUpperCase(), PASSWORD },
      }),
    );
    expect(password.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });

  it("signs in with SRP by the address (identity-js), which answers as the UUID username", async () => {
    const srpClient = await target.createClient(emailPool, {
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const email = `${unique("srp")}@example.com`;
    const created = await createUser(target, emailPool, { username: email, email: null });
    const web = browser(target, emailPool, srpClient);
    const { session } = await web.signIn(email, PASSWORD);
    expect(session.getAccessToken().decodePayload().username).toBe(created.sub);
    expect(session.getIdToken().decodePayload().email).toBe(email);
    await expectError(web.signIn(email, "Wrong-Passw0rd!"), "NotAuthorizedException");
    // identity-js computes SRP in plain JavaScript, twice here: seconds on a loaded machine.
  }, 30_000);

  it("lets SignUp take the address: a code to it, a UUID username, one account per address", async () => {
    const email = `${unique("signup")}@example.com`;
    const signedUp = await target.admin.send(
      new SignUpCommand({ ClientId: emailClient, Username: email, Password: PASSWORD }),
    );
    expect(signedUp.UserConfirmed).toBe(false);
    expect(signedUp.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    const user = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: emailPool, Username: email }),
    );
    expect(user.Username).toBe(signedUp.UserSub);
    expect(user.UserStatus).toBe("UNCONFIRMED");
    await expectError(
      target.admin.send(
        new SignUpCommand({ ClientId: emailClient, Username: email, Password: PASSWORD }),
      ),
      "UsernameExistsException",
    );
    await expectError(
      target.admin.send(
        new SignUpCommand({ ClientId: emailClient, Username: unique("x"), Password: PASSWORD }),
      ),
      "InvalidParameterException",
      NOT_AN_ADDRESS,
    );
  });

  it.skipIf(onAws)(
    "confirms by the code sent, then ForgotPassword works by the address",
    async () => {
      const email = `${unique("flow")}@example.com`;
      await target.admin.send(
        new SignUpCommand({ ClientId: emailClient, Username: email, Password: PASSWORD }),
      );
      const code = (await lastMessage(email)).code;
      await target.admin.send(
        new ConfirmSignUpCommand({
          ClientId: emailClient,
          Username: email,
          ConfirmationCode: code,
        }),
      );
      const user = await target.admin.send(
        new AdminGetUserCommand({ UserPoolId: emailPool, Username: email }),
      );
      expect(user.UserStatus).toBe("CONFIRMED");
      expect(attribute(user.UserAttributes, "email_verified")).toBe("true");

      const forgot = await target.admin.send(
        new ForgotPasswordCommand({ ClientId: emailClient, Username: email }),
      );
      expect(forgot.CodeDeliveryDetails?.AttributeName).toBe("email");
      const reset = await lastMessage(email);
      expect(reset.reason).toBe("ForgotPassword");
      await target.admin.send(
        new ConfirmForgotPasswordCommand({
          ClientId: emailClient,
          Username: email,
          ConfirmationCode: reset.code,
          Password: "Another-Passw0rd!",
        }),
      );
      await tokensOf(adminSignIn(target, emailPool, emailClient, email, "Another-Passw0rd!"));
    },
  );

  it("keeps one user per address when an email is changed", async () => {
    const first = `${unique("one")}@example.com`;
    const second = `${unique("two")}@example.com`;
    await adminCreate(emailPool, { Username: first });
    await adminCreate(emailPool, { Username: second });
    await expectError(
      target.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: emailPool,
          Username: second,
          UserAttributes: [{ Name: "email", Value: first }],
        }),
      ),
      "AliasExistsException",
    );
  });
});

describe("UsernameAttributes: phone_number", () => {
  it("takes an E.164 number as the username and signs in by it", async () => {
    const pool = await target.createPool({ UsernameAttributes: ["phone_number"] });
    const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
    const phone = phoneNumber();
    const created = await createUser(target, pool, { username: phone, email: null });
    const read = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: pool, Username: phone }),
    );
    expect(read.Username).toBe(created.sub);
    expect(attribute(read.UserAttributes, "phone_number")).toBe(phone);
    const tokens = await tokensOf(adminSignIn(target, pool, client, phone, PASSWORD));
    expect(decodeJwt(tokens.access).username).toBe(created.sub);
    for (const Username of [`${unique("mail")}@example.com`, "5550100", unique("name-")]) {
      await expectError(
        adminCreate(pool, { Username }),
        "InvalidParameterException",
        // A phone-only pool may word it for phone numbers alone.
        /^Username should be .*phone number\.$/,
      );
    }
    await expectError(
      adminCreate(pool, { Username: phone }),
      "AliasExistsException",
      "An account with the given phone_number already exists.",
    );
  });
});

describe("aliases", () => {
  it("signs in by a verified phone number alias, held by one user", async () => {
    const pool = await target.createPool({ AliasAttributes: ["phone_number"] });
    const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
    const phone = phoneNumber();
    const verified = [
      { Name: "phone_number", Value: phone },
      { Name: "phone_number_verified", Value: "true" },
    ];
    const holder = await createUser(target, pool, { email: null, attributes: verified });
    const tokens = await tokensOf(adminSignIn(target, pool, client, phone, PASSWORD));
    expect(decodeJwt(tokens.access).username).toBe(holder.username);
    await expectError(
      adminCreate(pool, { UserAttributes: verified }),
      "AliasExistsException",
      "An account with the given phone_number already exists.",
    );
    await expectError(adminCreate(pool, { Username: phoneNumber() }), "InvalidParameterException");
    const moved = await adminCreate(pool, { UserAttributes: verified, ForceAliasCreation: true });
    const old = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: pool, Username: holder.username }),
    );
    expect(attribute(old.UserAttributes, "phone_number_verified")).toBe("false");
    const read = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: pool, Username: phone }),
    );
    expect(read.Username).toBe(moved.User?.Username);
  });

  it("signs in by a preferred_username alias, held by one user", async () => {
    const pool = await target.createPool({
      AliasAttributes: ["preferred_username"],
      UsernameConfiguration: { CaseSensitive: false },
    });
    const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
    const nickname = unique("Nick");
    const holder = await createUser(target, pool, {
      email: null,
      attributes: [{ Name: "preferred_username", Value: nickname }],
    });
    const tokens = await tokensOf(
      adminSignIn(target, pool, client, nickname.toLowerCase(), PASSWORD),
    );
    expect(decodeJwt(tokens.access).username).toBe(holder.username);
    await expectError(
      adminCreate(pool, { UserAttributes: [{ Name: "preferred_username", Value: nickname }] }),
      "AliasExistsException",
    );
  });

  it.skipIf(onAws)(
    "moves an email alias on confirmation only with ForceAliasCreation",
    async () => {
      const pool = await target.createPool({
        AliasAttributes: ["email"],
        AutoVerifiedAttributes: ["email"],
      });
      const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
      const holder = await createUser(target, pool);
      const Username = unique("claimant-");
      await target.admin.send(
        new SignUpCommand({
          ClientId: client,
          Username,
          Password: PASSWORD,
          UserAttributes: [{ Name: "email", Value: holder.email }],
        }),
      );
      const code = (await lastMessage(holder.email)).code;
      const confirm = (ForceAliasCreation: boolean) =>
        target.admin.send(
          new ConfirmSignUpCommand({
            ClientId: client,
            Username,
            ConfirmationCode: code,
            ForceAliasCreation,
          }),
        );
      await expectError(
        confirm(false),
        "AliasExistsException",
        "An account with the given email already exists.",
      );
      await confirm(true);
      const read = await target.admin.send(
        new AdminGetUserCommand({ UserPoolId: pool, Username: holder.email }),
      );
      expect(read.Username).toBe(Username);
      await tokensOf(adminSignIn(target, pool, client, holder.email, PASSWORD));
    },
  );
});

describe("AccountRecoverySetting", () => {
  it("admin_only: ForgotPassword is refused", async () => {
    const pool = await target.createPool({
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "admin_only", Priority: 1 }] },
    });
    const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
    const user = await createUser(target, pool);
    await expectError(
      target.admin.send(new ForgotPasswordCommand({ ClientId: client, Username: user.username })),
      "NotAuthorizedException",
      "Contact administrator to reset password.",
    );
  });

  it.skipIf(onAws)(
    "sends the code to the mechanism of first priority that is verified",
    async () => {
      const pool = await target.createPool({
        AccountRecoverySetting: {
          RecoveryMechanisms: [
            { Name: "verified_phone_number", Priority: 1 },
            { Name: "verified_email", Priority: 2 },
          ],
        },
      });
      const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
      const phone = phoneNumber();
      const user = await createUser(target, pool, {
        attributes: [
          { Name: "phone_number", Value: phone },
          { Name: "phone_number_verified", Value: "true" },
        ],
      });
      const forgot = await target.admin.send(
        new ForgotPasswordCommand({ ClientId: client, Username: user.username }),
      );
      expect(forgot.CodeDeliveryDetails).toMatchObject({
        DeliveryMedium: "SMS",
        AttributeName: "phone_number",
        Destination: expect.stringMatching(new RegExp(`^\\+\\*+${phone.slice(-4)}$`)),
      });
      expect((await lastMessage(phone)).reason).toBe("ForgotPassword");
    },
  );
});

describe.skipIf(onAws)("AdminCreateUser's invitation", () => {
  it("sends the temporary password with the pool's template unless SUPPRESS; RESEND renews it", async () => {
    const pool = await target.createPool({
      AdminCreateUserConfig: {
        InviteMessageTemplate: {
          EmailSubject: "Welcome",
          EmailMessage: "Hello {username}, your password is {####} — welcome.",
        },
      },
    });
    const client = await target.createClient(pool, { ExplicitAuthFlows: [...FLOWS] });
    const Username = unique("invited-");
    const email = `${Username}@example.com`;
    await target.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool,
        Username,
        DesiredDeliveryMediums: ["EMAIL"],
        UserAttributes: [{ Name: "email", Value: email }],
      }),
    );
    const invitation = await lastMessage(email);
    expect(invitation).toMatchObject({
      reason: "Invitation",
      subject: "Welcome",
      username: Username,
    });
    expect(invitation.message).toBe(
      `Hello ${Username}, your password is ${invitation.code} — welcome.`,
    );
    const challenge = await adminSignIn(target, pool, client, Username, invitation.code);
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");

    await target.admin.send(
      new AdminCreateUserCommand({ UserPoolId: pool, Username, MessageAction: "RESEND" }),
    );
    const again = await lastMessage(email);
    expect(again.code).not.toBe(invitation.code);
    expect((await adminSignIn(target, pool, client, Username, again.code)).ChallengeName).toBe(
      "NEW_PASSWORD_REQUIRED",
    );
    await expectError(
      adminSignIn(target, pool, client, Username, invitation.code),
      "NotAuthorizedException",
    );

    const before = (await target.outbox()).length;
    await adminCreate(pool, {
      UserAttributes: [{ Name: "email", Value: `${unique("s")}@example.com` }],
    });
    expect((await target.outbox()).length).toBe(before);
  });
});
