// User pools and app clients: identifiers, the settings they report, listing with pages, deletion
// (and deletion protection), client secrets, and updates that replace a client's settings.
import { createHmac } from "node:crypto";
import {
  AdminInitiateAuthCommand,
  CreateUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  type ListUserPoolsCommandInput,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUser,
  expectError,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  tokensOf,
  unique,
} from "./harness.ts";

let target: Target;
let region: string;

beforeAll(async () => {
  target = await openTarget();
  region = target.region;
}, 30_000);

afterAll(() => target?.stop());

const describePool = (UserPoolId: string) =>
  target.admin.send(new DescribeUserPoolCommand({ UserPoolId }));
const describeClient = (UserPoolId: string, ClientId: string) =>
  target.admin.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId }));
const missingPool = () => `${region}_NoSuchPo0l`;

describe("user pools", () => {
  it("CreateUserPool gives Cognito's id form and reports the settings it was given", async () => {
    const name = unique("settings");
    const poolId = await target.createPool({
      PoolName: name,
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ["email"],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireUppercase: false,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 3,
        },
      },
    });
    expect(poolId).toMatch(new RegExp(`^${region}_[0-9a-zA-Z]{9}$`));
    const { UserPool } = await describePool(poolId);
    expect(UserPool).toMatchObject({
      Id: poolId,
      Name: name,
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ["email"],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireUppercase: false,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 3,
        },
      },
    });
    expect(UserPool?.Arn).toMatch(
      new RegExp(`^arn:aws:cognito-idp:${region}:\\d{12}:userpool/${poolId}$`),
    );
    expect(UserPool?.CreationDate).toBeInstanceOf(Date);
    expect(UserPool?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it("fills in Cognito's defaults for settings not given", async () => {
    const { UserPool } = await describePool(await target.createPool({}));
    expect(UserPool?.Policies?.PasswordPolicy).toMatchObject({
      MinimumLength: 8,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 7,
    });
    expect(UserPool?.AdminCreateUserConfig?.AllowAdminCreateUserOnly).toBe(false);
    expect(UserPool?.DeletionProtection).toBe("INACTIVE");
    expect(UserPool?.MfaConfiguration).toBe("OFF");
    expect(UserPool?.EstimatedNumberOfUsers).toBe(0);
  });

  it("refuses conflicting sign-in settings and an unknown pool", async () => {
    await expectError(
      target.createPool({ AliasAttributes: ["email"], UsernameAttributes: ["email"] }),
      "InvalidParameterException",
    );
    await expectError(
      describePool(missingPool()),
      "ResourceNotFoundException",
      `User pool ${missingPool()} does not exist.`,
    );
  });

  it("ListUserPools pages through every pool", async () => {
    const mine = [await target.createPool({}), await target.createPool({})];
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await target.admin.send(new ListUserPoolsCommand({ MaxResults: 1, NextToken }));
      expect((page.UserPools ?? []).length).toBeLessThanOrEqual(1);
      for (const pool of page.UserPools ?? []) {
        seen.push(pool.Id ?? "");
        expect(pool.Name).toEqual(expect.any(String));
        expect(pool.CreationDate).toBeInstanceOf(Date);
      }
      NextToken = page.NextToken;
      pages++;
    } while (NextToken && pages < 1000);
    for (const id of mine) expect(seen.filter((seenId) => seenId === id)).toEqual([id]);
    await expectError(
      target.admin.send(new ListUserPoolsCommand({} as ListUserPoolsCommandInput)),
      "InvalidParameterException",
    );
  });

  it("DeleteUserPool removes the pool, its clients and users", async () => {
    const poolId = await target.createPool({});
    const clientId = await target.createClient(poolId, {
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const { username } = await createUser(target, poolId, { password: "Doomed-Passw0rd!" });
    await target.admin.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    await expectError(describePool(poolId), "ResourceNotFoundException");
    await expectError(describeClient(poolId, clientId), "ResourceNotFoundException");
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: "x" },
        }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: "Doomed-Passw0rd!" },
        }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(new DeleteUserPoolCommand({ UserPoolId: poolId })),
      "ResourceNotFoundException",
    );
  });

  it("refuses to delete a pool with deletion protection", async () => {
    const poolId = await target.createPool({ DeletionProtection: "ACTIVE" });
    expect((await describePool(poolId)).UserPool?.DeletionProtection).toBe("ACTIVE");
    await expectError(
      target.admin.send(new DeleteUserPoolCommand({ UserPoolId: poolId })),
      "InvalidParameterException",
      /deletion protection/i,
    );
    await describePool(poolId);
  });
});

describe("app clients", () => {
  let poolId: string;
  beforeAll(async () => {
    poolId = await target.createPool({ AliasAttributes: ["email"] });
  });

  it("CreateUserPoolClient gives a 26-character id, no secret, and Cognito's defaults", async () => {
    const clientId = await target.createClient(poolId, { ClientName: "browser" });
    expect(clientId).toMatch(/^[0-9a-z]{26}$/);
    const { UserPoolClient } = await describeClient(poolId, clientId);
    expect(UserPoolClient).toMatchObject({
      ClientId: clientId,
      UserPoolId: poolId,
      ClientName: "browser",
    });
    expect(UserPoolClient?.ClientSecret).toBeUndefined();
    expect(UserPoolClient?.PreventUserExistenceErrors).toBe("LEGACY");
    expect(UserPoolClient?.EnableTokenRevocation).toBe(true);
    expect(UserPoolClient?.CreationDate).toBeInstanceOf(Date);
  });

  it("reports the settings it was given", async () => {
    const clientId = await target.createClient(poolId, {
      ClientName: "configured",
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: false,
      AccessTokenValidity: 30,
      TokenValidityUnits: { AccessToken: "minutes" },
    });
    const { UserPoolClient } = await describeClient(poolId, clientId);
    expect(UserPoolClient).toMatchObject({
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: false,
      AccessTokenValidity: 30,
      TokenValidityUnits: { AccessToken: "minutes" },
    });
  });

  it("with GenerateSecret, signs in only with the right SECRET_HASH", async () => {
    const created = await target.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: "server",
        GenerateSecret: true,
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    const clientId = created.UserPoolClient?.ClientId ?? "";
    const secret = created.UserPoolClient?.ClientSecret ?? "";
    expect(secret.length).toBeGreaterThan(20);
    expect((await describeClient(poolId, clientId)).UserPoolClient?.ClientSecret).toBe(secret);
    const { username } = await createUser(target, poolId, { password: "Secret-Passw0rd!" });
    const signIn = (SECRET_HASH?: string) =>
      target.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: {
            USERNAME: username,
            PASSWORD: "Secret-Passw0rd!",
            ...(SECRET_HASH ? { SECRET_HASH } : {}),
          },
        }),
      );
    const hash = (key: string) =>
      createHmac("sha256", key)
        .update(username + clientId)
        .digest("base64");
    await expectError(
      signIn(),
      "NotAuthorizedException",
      `Client ${clientId} is configured for secret but secret was not received`,
    );
    await expectError(
      signIn(hash("wrong-secret")),
      "NotAuthorizedException",
      `Unable to verify secret hash for client ${clientId}`,
    );
    await tokensOf(signIn(hash(secret)));
  });

  it("UpdateUserPoolClient replaces the settings: what is left out returns to its default", async () => {
    const clientId = await target.createClient(poolId, {
      ClientName: "before",
      PreventUserExistenceErrors: "ENABLED",
      AccessTokenValidity: 10,
      TokenValidityUnits: { AccessToken: "minutes" },
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const { UserPoolClient } = await target.admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ClientName: "after",
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    expect(UserPoolClient).toMatchObject({
      ClientId: clientId,
      ClientName: "after",
      PreventUserExistenceErrors: "LEGACY",
    });
    expect(UserPoolClient?.AccessTokenValidity).toBeUndefined();
    const { email } = await createUser(target, poolId);
    const signedIn = await target.admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );
    expect(signedIn.AuthenticationResult?.ExpiresIn).toBe(3600);
    await expectError(
      target.admin.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: "nosuchclient0000000000000a",
          ClientName: "x",
        }),
      ),
      "ResourceNotFoundException",
    );
  });

  it("ListUserPoolClients pages through the pool's clients only", async () => {
    const own = await target.createPool({});
    const ids = [
      await target.createClient(own, { ClientName: "one" }),
      await target.createClient(own, { ClientName: "two" }),
      await target.createClient(own, { ClientName: "three" }),
    ];
    const seen: { ClientId?: string; ClientName?: string; UserPoolId?: string }[] = [];
    let NextToken: string | undefined;
    do {
      const page = await target.admin.send(
        new ListUserPoolClientsCommand({ UserPoolId: own, MaxResults: 2, NextToken }),
      );
      expect((page.UserPoolClients ?? []).length).toBeLessThanOrEqual(2);
      seen.push(...(page.UserPoolClients ?? []));
      NextToken = page.NextToken;
    } while (NextToken && seen.length < 10);
    expect(seen.map((c) => c.ClientId).sort()).toEqual([...ids].sort());
    expect(seen.map((c) => c.ClientName).sort()).toEqual(["one", "three", "two"]);
    expect(seen.every((c) => c.UserPoolId === own)).toBe(true);
    await expectError(
      target.admin.send(
        new ListUserPoolClientsCommand({ UserPoolId: missingPool(), MaxResults: 10 }),
      ),
      "ResourceNotFoundException",
    );
  });

  it("is known only in its own pool", async () => {
    const other = await target.createPool({});
    const clientId = await target.createClient(poolId, {});
    await expectError(
      describeClient(other, clientId),
      "ResourceNotFoundException",
      `User pool client ${clientId} does not exist.`,
    );
    await expectError(describeClient(missingPool(), clientId), "ResourceNotFoundException");
    await expectError(
      target.admin.send(
        new CreateUserPoolClientCommand({ UserPoolId: missingPool(), ClientName: "x" }),
      ),
      "ResourceNotFoundException",
    );
  });
});

describe.skipIf(onAws)("a seed", () => {
  it("creates pools, clients, groups and users with fixed ids at start", async () => {
    const seeded = await openTarget({
      seed: {
        userPools: [
          {
            Id: "us-east-1_seededPool",
            PoolName: "seeded",
            AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
            AliasAttributes: ["email"],
            UsernameConfiguration: { CaseSensitive: false },
            Clients: [
              {
                ClientId: "seededwebclient00000000001",
                ClientName: "web",
                ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                PreventUserExistenceErrors: "ENABLED",
              },
            ],
            Groups: [{ GroupName: "admins", Description: "Administrators" }],
            Users: [
              {
                Username: "alice",
                Attributes: { email: "alice@example.com", email_verified: "true" },
                Password: "Alice-Passw0rd!",
                Groups: ["admins"],
              },
              { Username: "bob", TemporaryPassword: "Bob-Temp-Passw0rd!" },
            ],
          },
        ],
      },
    });
    try {
      const { UserPool } = await seeded.admin.send(
        new DescribeUserPoolCommand({ UserPoolId: "us-east-1_seededPool" }),
      );
      expect(UserPool).toMatchObject({ Name: "seeded", AliasAttributes: ["email"] });
      const signIn = (USERNAME: string, PASSWORD: string) =>
        seeded.admin.send(
          new AdminInitiateAuthCommand({
            UserPoolId: "us-east-1_seededPool",
            ClientId: "seededwebclient00000000001",
            AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME, PASSWORD },
          }),
        );
      const alice = await tokensOf(signIn("ALICE@example.com", "Alice-Passw0rd!"));
      const claims = JSON.parse(
        Buffer.from(alice.access.split(".")[1] ?? "", "base64url").toString("utf8"),
      );
      expect(claims).toMatchObject({ username: "alice", "cognito:groups": ["admins"] });
      expect((await signIn("bob", "Bob-Temp-Passw0rd!")).ChallengeName).toBe(
        "NEW_PASSWORD_REQUIRED",
      );
    } finally {
      await seeded.stop();
    }
  });
});
