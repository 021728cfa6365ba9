// The operations beyond the account flows Gatehouse runs: self sign-up and its confirmation, an
// administrator's password reset, groups, and paging through a pool. Driven by the AWS SDK.
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminResetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../index.ts";

const OPEN_POOL = "us-east-1_selfserve1";
const OPEN_CLIENT = "selfserveclient00000000001";
const PASSWORD = "Self-Serve-Passw0rd";
let emulator: RunningEmulator;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startEmulator({
    inMemory: true,
    log: null,
    seed: {
      userPools: [
        {
          Id: OPEN_POOL,
          PoolName: "open",
          AutoVerifiedAttributes: ["email"],
          AliasAttributes: ["email"],
          Clients: [
            {
              ClientId: OPEN_CLIENT,
              ClientName: "web",
              ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
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

const lastCode = (username: string) =>
  emulator
    .outbox()
    .filter((m) => m.username === username)
    .at(-1)?.code ?? "";

const signIn = (username: string, password = PASSWORD) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: OPEN_CLIENT,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

describe("self sign-up", () => {
  it("creates an unconfirmed user who signs in once the emailed code confirms them", async () => {
    const signedUp = await cognito.send(
      new SignUpCommand({
        ClientId: OPEN_CLIENT,
        Username: "lin",
        Password: PASSWORD,
        UserAttributes: [
          { Name: "email", Value: "lin@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    expect(signedUp.UserConfirmed).toBe(false);
    expect(signedUp.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(signedUp.CodeDeliveryDetails).toEqual({
      Destination: "l***@e***",
      DeliveryMedium: "EMAIL",
      AttributeName: "email",
    });
    await expect(signIn("lin")).rejects.toMatchObject({ name: "UserNotConfirmedException" });

    await cognito.send(
      new ResendConfirmationCodeCommand({ ClientId: OPEN_CLIENT, Username: "lin" }),
    );
    const code = lastCode("lin");
    await expect(
      cognito.send(
        new ConfirmSignUpCommand({
          ClientId: OPEN_CLIENT,
          Username: "lin",
          ConfirmationCode: code === "000000" ? "111111" : "000000",
        }),
      ),
    ).rejects.toMatchObject({ name: "CodeMismatchException" });
    await cognito.send(
      new ConfirmSignUpCommand({ ClientId: OPEN_CLIENT, Username: "lin", ConfirmationCode: code }),
    );
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: OPEN_POOL, Username: "lin" }),
    );
    expect(user.UserStatus).toBe("CONFIRMED");
    expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "true" });
    // The verified email is now an alias that signs in.
    expect((await signIn("lin@example.com")).AuthenticationResult?.AccessToken).toBeTruthy();
    await expect(
      cognito.send(
        new ConfirmSignUpCommand({
          ClientId: OPEN_CLIENT,
          Username: "lin",
          ConfirmationCode: code,
        }),
      ),
    ).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "User cannot be confirmed. Current status is CONFIRMED",
    });
  });

  it("refuses a taken username, a weak password and unknown attributes", async () => {
    await expect(
      cognito.send(
        new SignUpCommand({ ClientId: OPEN_CLIENT, Username: "lin", Password: PASSWORD }),
      ),
    ).rejects.toMatchObject({ name: "UsernameExistsException", message: "User already exists" });
    await expect(
      cognito.send(
        new SignUpCommand({ ClientId: OPEN_CLIENT, Username: "weak", Password: "weak" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidPasswordException" });
    await expect(
      cognito.send(
        new SignUpCommand({
          ClientId: OPEN_CLIENT,
          Username: "odd",
          Password: PASSWORD,
          UserAttributes: [{ Name: "favourite_colour", Value: "green" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("lets an administrator confirm without a code", async () => {
    await cognito.send(
      new SignUpCommand({ ClientId: OPEN_CLIENT, Username: "mo", Password: PASSWORD }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: OPEN_POOL, Username: "mo" }));
    expect((await signIn("mo")).AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

describe("an administrator's password reset", () => {
  it("stops the old password and lets the emailed code set a new one", async () => {
    await cognito.send(
      new AdminResetUserPasswordCommand({ UserPoolId: OPEN_POOL, Username: "lin" }),
    );
    await expect(signIn("lin")).rejects.toMatchObject({ name: "PasswordResetRequiredException" });
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: OPEN_CLIENT,
        Username: "lin",
        ConfirmationCode: lastCode("lin"),
        Password: "Brand-New-Passw0rd",
      }),
    );
    expect((await signIn("lin", "Brand-New-Passw0rd")).AuthenticationResult).toBeDefined();
    await expect(signIn("lin")).rejects.toMatchObject({ name: "NotAuthorizedException" });
  });
});

describe("groups", () => {
  it("lists, reads and deletes groups; members follow", async () => {
    for (const GroupName of ["editors", "readers"]) {
      await cognito.send(new CreateGroupCommand({ UserPoolId: OPEN_POOL, GroupName }));
    }
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: OPEN_POOL,
        Username: "mo",
        GroupName: "editors",
      }),
    );
    const listed = await cognito.send(new ListGroupsCommand({ UserPoolId: OPEN_POOL, Limit: 1 }));
    expect(listed.Groups?.map((g) => g.GroupName)).toEqual(["editors"]);
    const rest = await cognito.send(
      new ListGroupsCommand({ UserPoolId: OPEN_POOL, NextToken: listed.NextToken }),
    );
    expect(rest.Groups?.map((g) => g.GroupName)).toEqual(["readers"]);
    expect(
      (await cognito.send(new GetGroupCommand({ UserPoolId: OPEN_POOL, GroupName: "readers" })))
        .Group?.GroupName,
    ).toBe("readers");
    const members = await cognito.send(
      new ListUsersInGroupCommand({ UserPoolId: OPEN_POOL, GroupName: "editors" }),
    );
    expect(members.Users?.map((u) => u.Username)).toEqual(["mo"]);

    await cognito.send(new DeleteGroupCommand({ UserPoolId: OPEN_POOL, GroupName: "editors" }));
    const left = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: OPEN_POOL, Username: "mo" }),
    );
    expect(left.Groups).toEqual([]);
    const tokens = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: OPEN_POOL,
        ClientId: OPEN_CLIENT,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "mo", PASSWORD: PASSWORD },
      }),
    );
    const claims = JSON.parse(
      Buffer.from(
        tokens.AuthenticationResult?.AccessToken?.split(".")[1] ?? "",
        "base64url",
      ).toString(),
    );
    expect(claims["cognito:groups"]).toBeUndefined();
    await expect(
      cognito.send(new GetGroupCommand({ UserPoolId: OPEN_POOL, GroupName: "editors" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("paging through users", () => {
  it("returns every user once, while users come and go between pages", async () => {
    const created: string[] = [];
    for (let i = 0; i < 130; i++) {
      const Username = `page-${String(i).padStart(3, "0")}`;
      created.push(Username);
      await cognito.send(
        new AdminCreateUserCommand({ UserPoolId: OPEN_POOL, Username, MessageAction: "SUPPRESS" }),
      );
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await cognito.send(
        new ListUsersCommand({
          UserPoolId: OPEN_POOL,
          Filter: 'username ^= "page-"',
          Limit: 50,
          PaginationToken: token,
        }),
      );
      seen.push(...(page.Users ?? []).map((u) => u.Username ?? ""));
      token = page.PaginationToken;
      pages++;
      if (pages === 1) {
        // A user already listed goes, and one arrives at the end: neither disturbs the listing.
        await cognito.send(
          new AdminDeleteUserCommand({ UserPoolId: OPEN_POOL, Username: "page-000" }),
        );
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: OPEN_POOL,
            Username: "page-130",
            MessageAction: "SUPPRESS",
          }),
        );
        created.push("page-130");
        // The same token again (a retried request) gives the same page.
        const again = await cognito.send(
          new ListUsersCommand({
            UserPoolId: OPEN_POOL,
            Filter: 'username ^= "page-"',
            Limit: 50,
            PaginationToken: token,
          }),
        );
        expect(again.Users?.[0]?.Username).toBe("page-050");
      }
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);

    const byName = await cognito.send(
      new ListUsersCommand({ UserPoolId: OPEN_POOL, Filter: 'username = "page-007"' }),
    );
    expect(byName.Users?.map((u) => u.Username)).toEqual(["page-007"]);
  });
});
