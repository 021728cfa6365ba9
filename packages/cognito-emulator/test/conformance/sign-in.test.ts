// Signing in: the original three-call account creation, the one-call permanent password, SRP by
// email alias, challenge sessions (bound to user, client and challenge; 3 minutes), the flows a
// client allows, PreventUserExistenceErrors both ways, disabled users and case-insensitive names.
// Runs against the emulator by default or real Cognito with CONFORMANCE_TARGET=aws (harness.ts).
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import AuthenticationHelper from "amazon-cognito-identity-js/lib/AuthenticationHelper.js";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, browser } from "./browser.ts";
import {
  adminSignIn,
  createUser,
  expectError,
  GATEHOUSE_PASSWORD_POLICY,
  GATEHOUSE_POOL,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  TEMPORARY,
  tokensOf,
  unique,
  WEB_FLOWS,
} from "./harness.ts";

const INCORRECT = "Incorrect username or password.";
let target: Target;
/** The production pool's settings: admin-only creation, email alias, case-insensitive names. */
let poolId: string;
/** ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH; hides users. */
let clientId: string;
/** Same flows plus ALLOW_USER_PASSWORD_AUTH, existence errors not prevented (LEGACY). */
let legacyId: string;
let web: Browser;

beforeAll(async () => {
  target = await openTarget();
  poolId = await target.createPool({
    ...GATEHOUSE_POOL,
    AutoVerifiedAttributes: ["email"],
    Policies: {
      PasswordPolicy: { ...GATEHOUSE_PASSWORD_POLICY, TemporaryPasswordValidityDays: 7 },
    },
  });
  clientId = await target.createClient(poolId, {
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "ENABLED",
    EnableTokenRevocation: true,
  });
  legacyId = await target.createClient(poolId, {
    ClientName: "legacy",
    ExplicitAuthFlows: [
      "ALLOW_USER_SRP_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    ],
    PreventUserExistenceErrors: "LEGACY",
  });
  web = browser(target, poolId, clientId);
}, 30_000);

afterAll(() => target?.stop());

const status = async (username: string) =>
  (await target.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username })))
    .UserStatus;

const answerNewPassword = (
  session: string | undefined,
  username: string,
  password: string,
  client = clientId,
) =>
  target.admin.send(
    new AdminRespondToAuthChallengeCommand({
      UserPoolId: poolId,
      ClientId: client,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: password },
    }),
  );

/** Starts USER_SRP_AUTH with a valid A from identity-js's own helper; returns the challenge. */
async function srpChallenge(login: string, client = clientId) {
  const helper = new AuthenticationHelper(poolId.split("_")[1] ?? "");
  const A = await new Promise<string>((resolve, reject) =>
    helper.getLargeAValue((error, value) => (error ? reject(error) : resolve(value.toString(16)))),
  );
  return target.admin.send(
    new InitiateAuthCommand({
      ClientId: client,
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: login, SRP_A: A },
    }),
  );
}

/** Runs `body` while recording the JSON bodies identity-js sends, by operation. */
async function recordingBrowserRequests<T>(
  body: () => Promise<T>,
): Promise<{ result: T; sent: { operation: string; body: Record<string, unknown> }[] }> {
  const sent: { operation: string; body: Record<string, unknown> }[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const operation = (headers.get("x-amz-target") ?? "").split(".").pop() ?? "";
    if (typeof init?.body === "string") sent.push({ operation, body: JSON.parse(init.body) });
    return original(input, init);
  };
  try {
    return { result: await body(), sent };
  } finally {
    globalThis.fetch = original;
  }
}

describe("the original three-call account creation", () => {
  it("AdminCreateUser(SUPPRESS) → AdminInitiateAuth(ADMIN_NO_SRP_AUTH) → AdminRespondToAuthChallenge", async () => {
    const { username, email } = await createUser(target, poolId, { permanent: false });
    expect(await status(username)).toBe("FORCE_CHANGE_PASSWORD");

    const started = await adminSignIn(
      target,
      poolId,
      clientId,
      username,
      TEMPORARY,
      "ADMIN_NO_SRP_AUTH",
    );
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(started.AuthenticationResult).toBeUndefined();
    expect(started.Session).toEqual(expect.any(String));
    expect(started.ChallengeParameters?.USER_ID_FOR_SRP).toBe(username);
    expect(JSON.parse(started.ChallengeParameters?.requiredAttributes ?? "")).toEqual([]);
    expect(JSON.parse(started.ChallengeParameters?.userAttributes ?? "")).toMatchObject({ email });

    const done = await answerNewPassword(started.Session, username, PASSWORD);
    expect(done.ChallengeName).toBeUndefined();
    expect(done.AuthenticationResult).toMatchObject({
      TokenType: "Bearer",
      ExpiresIn: 3600,
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
    });
    expect(decodeJwt(done.AuthenticationResult?.AccessToken ?? "").username).toBe(username);
    expect(await status(username)).toBe("CONFIRMED");

    // The temporary password is gone; the new one works in the browser, by email.
    await expectError(
      adminSignIn(target, poolId, clientId, username, TEMPORARY),
      "NotAuthorizedException",
      INCORRECT,
    );
    const { session } = await web.signIn(email, PASSWORD);
    expect(session.isValid()).toBe(true);
  });

  it("accepts ADMIN_USER_PASSWORD_AUTH for the same step, and keeps the session through a weak answer", async () => {
    const { username } = await createUser(target, poolId, { permanent: false });
    const started = await adminSignIn(target, poolId, clientId, username, TEMPORARY);
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    await expectError(
      answerNewPassword(started.Session, username, "short1A"),
      "InvalidPasswordException",
      "Password did not conform with policy: Password not long enough",
    );
    await expectError(
      answerNewPassword(started.Session, username, "alllowercase123"),
      "InvalidPasswordException",
      "Password did not conform with policy: Password must have uppercase characters",
    );
    expect(await status(username)).toBe("FORCE_CHANGE_PASSWORD");
    await tokensOf(answerNewPassword(started.Session, username, PASSWORD));
    // A session is spent once answered.
    await expectError(
      answerNewPassword(started.Session, username, "Another-Passw0rd"),
      "NotAuthorizedException",
    );
  });

  it("never answers a wrong temporary password with a challenge", async () => {
    const { username, email } = await createUser(target, poolId, { permanent: false });
    for (const client of [clientId, legacyId]) {
      for (const flow of ["ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"] as const) {
        await expectError(
          adminSignIn(target, poolId, client, username, "Wrong-Passw0rd", flow),
          "NotAuthorizedException",
          INCORRECT,
        );
      }
    }
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: legacyId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: "Wrong-Passw0rd" },
        }),
      ),
      "NotAuthorizedException",
      INCORRECT,
    );
    await expectError(web.signIn(email, "Wrong-Passw0rd"), "NotAuthorizedException", INCORRECT);
    expect(await status(username)).toBe("FORCE_CHANGE_PASSWORD");
  });

  it("binds a challenge session to its user and its client", async () => {
    const first = await createUser(target, poolId, { permanent: false });
    const second = await createUser(target, poolId, { permanent: false });
    const started = await adminSignIn(target, poolId, clientId, first.username, TEMPORARY);
    // Another user's name with this session: refused, and nobody's password changes.
    await expectError(
      answerNewPassword(started.Session, second.username, PASSWORD),
      "NotAuthorizedException",
    );
    expect(await status(second.username)).toBe("FORCE_CHANGE_PASSWORD");
    // The same session through another app client of the pool.
    await expectError(
      answerNewPassword(started.Session, first.username, PASSWORD, legacyId),
      "NotAuthorizedException",
    );
    // A made-up session, and none at all.
    await expectError(
      answerNewPassword("bogus-session-value", first.username, PASSWORD),
      "NotAuthorizedException",
    );
    await expectError(
      answerNewPassword(undefined, first.username, PASSWORD),
      "NotAuthorizedException",
    );
    // Nor as the answer to another challenge: this session is no SRP secret block, and an SRP
    // secret block is no new-password session.
    await expectError(
      target.admin.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: "PASSWORD_VERIFIER",
          Session: started.Session,
          ChallengeResponses: {
            USERNAME: first.username,
            PASSWORD_CLAIM_SECRET_BLOCK: started.Session ?? "",
            PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32, 1).toString("base64"),
            TIMESTAMP: "Wed Nov 25 4:00:00 UTC 2026",
          },
        }),
      ),
      "NotAuthorizedException",
    );
    const srp = await srpChallenge(first.username);
    await expectError(
      answerNewPassword(srp.ChallengeParameters?.SECRET_BLOCK, first.username, PASSWORD),
      "NotAuthorizedException",
    );
    // A confirmed user cannot be given a password through someone's challenge either.
    const confirmed = await createUser(target, poolId);
    await expectError(
      answerNewPassword(started.Session, confirmed.username, "Hijacked-Passw0rd"),
      "NotAuthorizedException",
    );
    await tokensOf(adminSignIn(target, poolId, clientId, confirmed.username, PASSWORD));
    // The rightful answer still works.
    await tokensOf(answerNewPassword(started.Session, first.username, PASSWORD));
  });

  it.skipIf(onAws)("expires a challenge session after 3 minutes", async () => {
    const { username } = await createUser(target, poolId, { permanent: false });
    const fresh = await adminSignIn(target, poolId, clientId, username, TEMPORARY);
    const stale = await adminSignIn(target, poolId, clientId, username, TEMPORARY);
    await target.later(3 * 60_000 + 1_000, () =>
      expectError(
        answerNewPassword(stale.Session, username, PASSWORD),
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
      ),
    );
    await target.later(2 * 60_000 + 50_000, async () => {
      await tokensOf(answerNewPassword(fresh.Session, username, PASSWORD));
    });
  });

  it.skipIf(onAws)(
    "refuses a temporary password older than TemporaryPasswordValidityDays",
    async () => {
      const { username } = await createUser(target, poolId, { permanent: false });
      await target.later(7 * 86_400_000 + 60_000, () =>
        expectError(
          adminSignIn(target, poolId, clientId, username, TEMPORARY),
          "NotAuthorizedException",
          "Temporary password has expired and must be reset by an administrator.",
        ),
      );
      expect((await adminSignIn(target, poolId, clientId, username, TEMPORARY)).ChallengeName).toBe(
        "NEW_PASSWORD_REQUIRED",
      );
    },
  );

  it("completes the new-password challenge in the browser (identity-js, SRP by email)", async () => {
    const { username, email } = await createUser(target, poolId, { permanent: false });
    const { session, userAttributes } = await web.signInWithNewPassword(email, TEMPORARY, PASSWORD);
    expect(userAttributes).toMatchObject({ email });
    expect(session.isValid()).toBe(true);
    expect(session.getAccessToken().decodePayload().username).toBe(username);
    expect(await status(username)).toBe("CONFIRMED");
  });
});

describe("AdminSetUserPassword", () => {
  it("Permanent: true confirms the user in one call: no challenge, the temporary password is void", async () => {
    const { username } = await createUser(target, poolId);
    expect(await status(username)).toBe("CONFIRMED");
    const signedIn = await adminSignIn(target, poolId, clientId, username, PASSWORD);
    expect(signedIn.ChallengeName).toBeUndefined();
    await tokensOf(signedIn);
    await expectError(
      adminSignIn(target, poolId, clientId, username, TEMPORARY),
      "NotAuthorizedException",
      INCORRECT,
    );
  });

  it("Permanent: false sets a temporary password that leads to NEW_PASSWORD_REQUIRED", async () => {
    const { username } = await createUser(target, poolId);
    await target.admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: username,
        Password: "Handed-Over-Passw0rd",
        Permanent: false,
      }),
    );
    expect(await status(username)).toBe("FORCE_CHANGE_PASSWORD");
    await expectError(
      adminSignIn(target, poolId, clientId, username, PASSWORD),
      "NotAuthorizedException",
      INCORRECT,
    );
    const started = await adminSignIn(target, poolId, clientId, username, "Handed-Over-Passw0rd");
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  });

  it("checks the pool's password policy and the user's existence", async () => {
    const { username } = await createUser(target, poolId);
    await expectError(
      target.admin.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: username,
          Password: "Short1",
          Permanent: true,
        }),
      ),
      "InvalidPasswordException",
      "Password did not conform with policy: Password not long enough",
    );
    await expectError(
      target.admin.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: username,
          Password: "NODIGITS-PASSWORD",
          Permanent: true,
        }),
      ),
      "InvalidPasswordException",
      /^Password did not conform with policy: Password must have (lowercase|numeric) characters$/,
    );
    await expectError(
      target.admin.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: unique("ghost"),
          Password: PASSWORD,
          Permanent: true,
        }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
  });
});

describe("SRP sign-in (identity-js's default flow)", () => {
  it("signs in by email alias in any case; the challenge names the real username", async () => {
    const { username, email } = await createUser(target, poolId);
    const challenge = await srpChallenge(email.toUpperCase());
    expect(challenge.ChallengeName).toBe("PASSWORD_VERIFIER");
    const parameters = challenge.ChallengeParameters ?? {};
    expect(parameters.USER_ID_FOR_SRP).toBe(username);
    expect(parameters.USERNAME).toBe(username);
    expect(parameters.SALT).toMatch(/^[0-9a-f]+$/);
    expect(parameters.SRP_B).toMatch(/^[0-9a-f]+$/);
    expect(Buffer.from(parameters.SECRET_BLOCK ?? "", "base64").length).toBeGreaterThan(0);

    const { result, sent } = await recordingBrowserRequests(() =>
      web.signIn(email.toUpperCase(), PASSWORD),
    );
    const answer = sent.find((request) => request.operation === "RespondToAuthChallenge");
    expect(answer?.body.ChallengeResponses).toMatchObject({ USERNAME: username });
    expect(result.session.getAccessToken().decodePayload().username).toBe(username);
    expect(result.session.getIdToken().decodePayload()["cognito:username"]).toBe(username);

    // The recorded answer cannot be replayed: each SECRET_BLOCK is answered once.
    await expectError(
      target.admin.send(new RespondToAuthChallengeCommand(answer?.body as never)),
      "NotAuthorizedException",
    );
  });

  it("signs in by username in another case, and refuses a wrong password or an unverified email", async () => {
    const { username, email } = await createUser(target, poolId, {
      username: unique("Mixed-Case-"),
    });
    await web.signIn(username.toLowerCase(), PASSWORD);
    await expectError(web.signIn(email, "Wrong-Passw0rd1"), "NotAuthorizedException", INCORRECT);

    const address = `${unique("unverified")}@example.com`;
    const unverified = await createUser(target, poolId, {
      email: null,
      attributes: [{ Name: "email", Value: address }],
    });
    await web.signIn(unverified.username, PASSWORD);
    await expectError(
      adminSignIn(target, poolId, clientId, address, PASSWORD),
      "NotAuthorizedException",
      INCORRECT,
    );
  });

  it("refuses an SRP_A that is 0 mod N, and an answer with a forged signature", async () => {
    const { email } = await createUser(target, poolId);
    const N = (
      new AuthenticationHelper("x") as unknown as { N: { toString(radix: number): string } }
    ).N;
    for (const A of ["0", "00", N.toString(16)]) {
      await expectError(
        target.admin.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: "USER_SRP_AUTH",
            AuthParameters: { USERNAME: email, SRP_A: A },
          }),
        ),
        "InvalidParameterException",
      );
    }
    const challenge = await srpChallenge(email);
    const parameters = challenge.ChallengeParameters ?? {};
    await expectError(
      target.admin.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: "PASSWORD_VERIFIER",
          ChallengeResponses: {
            USERNAME: parameters.USER_ID_FOR_SRP ?? "",
            PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK ?? "",
            PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32, 7).toString("base64"),
            TIMESTAMP: "Wed Nov 25 4:00:00 UTC 2026",
          },
        }),
      ),
      "NotAuthorizedException",
      INCORRECT,
    );
  });

  it("is refused for the admin flows and for unknown flows", async () => {
    const { username } = await createUser(target, poolId);
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "ADMIN_NO_SRP_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      ),
      "InvalidParameterException",
      "Initiate Auth method not supported.",
    );
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "NO_SUCH_FLOW" as never,
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      ),
      "InvalidParameterException",
    );
  });
});

describe("the flows an app client allows (ExplicitAuthFlows)", () => {
  const passwordAuth = (client: string, login: string, password: string) =>
    target.admin.send(
      new InitiateAuthCommand({
        ClientId: client,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: login, PASSWORD: password },
      }),
    );

  it("gives a client that names none SRP and refresh only", async () => {
    const bare = await target.createClient(poolId, { ClientName: "bare" });
    const { username, email } = await createUser(target, poolId);
    await expectError(
      passwordAuth(bare, username, PASSWORD),
      "InvalidParameterException",
      "USER_PASSWORD_AUTH flow not enabled for this client",
    );
    await expectError(
      adminSignIn(target, poolId, bare, username, PASSWORD),
      "InvalidParameterException",
      /flow not enabled for this client$/,
    );
    const viaBare = browser(target, poolId, bare);
    const { user, session } = await viaBare.signIn(email, PASSWORD);
    await viaBare.refresh(user, session);
  });

  it("refuses SRP on a client that allows only the password flows, which identity-js can use instead", async () => {
    const passwordOnly = await target.createClient(poolId, {
      ClientName: "password-only",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const { email } = await createUser(target, poolId);
    await expectError(
      srpChallenge(email, passwordOnly),
      "InvalidParameterException",
      "USER_SRP_AUTH flow not enabled for this client",
    );
    await expectError(
      adminSignIn(target, poolId, passwordOnly, email, PASSWORD),
      "InvalidParameterException",
      /flow not enabled for this client$/,
    );
    const { session } = await browser(target, poolId, passwordOnly).signIn(
      email,
      PASSWORD,
      "USER_PASSWORD_AUTH",
    );
    expect(session.isValid()).toBe(true);
  });

  it("keeps the legacy names working (ADMIN_NO_SRP_AUTH) and refuses mixing them with ALLOW_*", async () => {
    const legacy = await target.createClient(poolId, {
      ClientName: "legacy-names",
      ExplicitAuthFlows: ["ADMIN_NO_SRP_AUTH"],
    });
    const { username } = await createUser(target, poolId);
    await tokensOf(adminSignIn(target, poolId, legacy, username, PASSWORD, "ADMIN_NO_SRP_AUTH"));
    await tokensOf(
      adminSignIn(target, poolId, legacy, username, PASSWORD, "ADMIN_USER_PASSWORD_AUTH"),
    );
    await expectError(
      passwordAuth(legacy, username, PASSWORD),
      "InvalidParameterException",
      "USER_PASSWORD_AUTH flow not enabled for this client",
    );
    await expectError(
      target.createClient(poolId, {
        ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ADMIN_NO_SRP_AUTH"],
      }),
      "InvalidParameterException",
    );
    await expectError(
      target.createClient(poolId, { ExplicitAuthFlows: ["ALLOW_EVERYTHING" as never] }),
      "InvalidParameterException",
    );
  });

  it("applies an UpdateUserPoolClient at once", async () => {
    const changing = await target.createClient(poolId, {
      ClientName: "changing",
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const { username } = await createUser(target, poolId);
    await expectError(passwordAuth(changing, username, PASSWORD), "InvalidParameterException");
    await target.admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: changing,
        ClientName: "changing",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    await tokensOf(passwordAuth(changing, username, PASSWORD));
    await expectError(srpChallenge(username, changing), "InvalidParameterException");
  });
});

describe("PreventUserExistenceErrors", () => {
  const ghost = () => `${unique("ghost")}@example.com`;

  it("ENABLED: an unknown user is a wrong password, in every sign-in flow", async () => {
    await expectError(
      adminSignIn(target, poolId, clientId, ghost(), PASSWORD),
      "NotAuthorizedException",
      INCORRECT,
    );
    await expectError(
      adminSignIn(target, poolId, clientId, unique("ghost"), PASSWORD),
      "NotAuthorizedException",
      INCORRECT,
    );
    // SRP hands out a challenge that cannot be answered, so the browser sees the same refusal.
    const challenge = await srpChallenge(ghost());
    expect(challenge.ChallengeName).toBe("PASSWORD_VERIFIER");
    await expectError(web.signIn(ghost(), PASSWORD), "NotAuthorizedException", INCORRECT);
  });

  it("LEGACY: an unknown user is UserNotFoundException", async () => {
    await expectError(
      adminSignIn(target, poolId, legacyId, ghost(), PASSWORD),
      "UserNotFoundException",
      "User does not exist.",
    );
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: legacyId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: unique("ghost"), PASSWORD },
        }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
    await expectError(
      srpChallenge(ghost(), legacyId),
      "UserNotFoundException",
      "User does not exist.",
    );
    await expectError(
      browser(target, poolId, legacyId).signIn(ghost(), PASSWORD),
      "UserNotFoundException",
      "User does not exist.",
    );
  });

  it("follows the client's setting as it is updated", async () => {
    const switching = await target.createClient(poolId, {
      ClientName: "switching",
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "LEGACY",
    });
    await expectError(
      adminSignIn(target, poolId, switching, ghost(), PASSWORD),
      "UserNotFoundException",
    );
    await target.admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: switching,
        ClientName: "switching",
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "ENABLED",
      }),
    );
    await expectError(
      adminSignIn(target, poolId, switching, ghost(), PASSWORD),
      "NotAuthorizedException",
      INCORRECT,
    );
  });
});

describe("disabled users", () => {
  it("cannot sign in, refresh or use their tokens until enabled again", async () => {
    const { username, email } = await createUser(target, poolId);
    const before = await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    await target.admin.send(
      new AdminDisableUserCommand({ UserPoolId: poolId, Username: username }),
    );
    const got = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
    );
    expect(got.Enabled).toBe(false);
    expect(got.UserStatus).toBe("CONFIRMED");

    const disabled = "User is disabled.";
    await expectError(
      adminSignIn(target, poolId, clientId, email, PASSWORD),
      "NotAuthorizedException",
      disabled,
    );
    await expectError(web.signIn(email, PASSWORD), "NotAuthorizedException", disabled);
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: before.refresh },
        }),
      ),
      "NotAuthorizedException",
      disabled,
    );

    await target.admin.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: username }));
    await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    await web.signIn(email, PASSWORD);
  });

  it("refuses to disable or enable someone who does not exist", async () => {
    for (const Command of [AdminDisableUserCommand, AdminEnableUserCommand]) {
      await expectError(
        target.admin.send(new Command({ UserPoolId: poolId, Username: unique("ghost") })),
        "UserNotFoundException",
        "User does not exist.",
      );
    }
  });
});

describe("unknown pools and clients", () => {
  it("are ResourceNotFoundException", async () => {
    await expectError(
      target.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: "nosuchclient0000000000000a",
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "x", PASSWORD },
        }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: "nosuchclient0000000000000a",
          AuthFlow: "USER_SRP_AUTH",
          AuthParameters: { USERNAME: "x", SRP_A: "02" },
        }),
      ),
      "ResourceNotFoundException",
    );
    const [region] = poolId.split("_");
    await expectError(
      target.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: `${region}_NoSuchPo0l`,
          ClientId: clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "x", PASSWORD },
        }),
      ),
      "ResourceNotFoundException",
      `User pool ${region}_NoSuchPo0l does not exist.`,
    );
  });
});
