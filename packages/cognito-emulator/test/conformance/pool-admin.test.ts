// Administering a pool after it is made: UpdateUserPool (what it replaces, what it keeps, what it
// refuses), DeleteUserPoolClient, AdminDeleteUserAttributes, UpdateGroup, the MFA configuration,
// the checks CreateUserPool makes of its policies, and ListUsers' status filters.
import {
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  CreateGroupCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attribute,
  createUser,
  expectError,
  openTarget,
  PASSWORD,
  type Target,
  unique,
} from "./harness.ts";

let target: Target;
let region: string;
const ROLE = "arn:aws:iam::123456789012:role/gatehouse-conformance";

beforeAll(async () => {
  target = await openTarget();
  region = target.region;
}, 30_000);

afterAll(() => target?.stop());

const describePool = async (UserPoolId: string) =>
  (await target.admin.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool;
const missingPool = () => `${region}_NoSuchPo0l`;

describe("UpdateUserPool", () => {
  it("replaces the updatable settings: one left out returns to its default", async () => {
    const poolId = await target.createPool({
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: [{ Name: "plan", AttributeDataType: "String", Mutable: true }],
    });
    await target.admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        AutoVerifiedAttributes: ["email"],
        UserPoolTags: { team: "gatehouse" },
      }),
    );
    const pool = await describePool(poolId);
    expect(pool?.AutoVerifiedAttributes).toEqual(["email"]);
    expect(pool?.UserPoolTags).toEqual({ team: "gatehouse" });
    expect(pool?.Policies?.PasswordPolicy).toMatchObject({
      MinimumLength: 8,
      RequireSymbols: true,
    });
    expect(pool?.AdminCreateUserConfig?.AllowAdminCreateUserOnly).toBe(false);
    // What only CreateUserPool sets stays.
    expect(pool?.AliasAttributes).toEqual(["email"]);
    expect(pool?.UsernameConfiguration).toEqual({ CaseSensitive: false });
    expect(pool?.SchemaAttributes?.map((a) => a.Name)).toContain("custom:plan");
    expect(pool?.LastModifiedDate?.getTime()).toBeGreaterThanOrEqual(
      pool?.CreationDate?.getTime() ?? Number.POSITIVE_INFINITY,
    );

    await target.admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        Policies: { PasswordPolicy: { MinimumLength: 6, RequireUppercase: false } },
        DeletionProtection: "ACTIVE",
      }),
    );
    const updated = await describePool(poolId);
    expect(updated?.Policies?.PasswordPolicy).toMatchObject({
      MinimumLength: 6,
      RequireUppercase: false,
    });
    expect(updated?.DeletionProtection).toBe("ACTIVE");
    // The harness lifts the protection before it deletes the pool.
  });

  it("refuses policies Cognito refuses, and an unknown pool", async () => {
    const poolId = await target.createPool({});
    for (const MinimumLength of [5, 100]) {
      await expectError(
        target.admin.send(
          new UpdateUserPoolCommand({
            UserPoolId: poolId,
            Policies: { PasswordPolicy: { MinimumLength } },
          }),
        ),
        "InvalidParameterException",
        /policies\.passwordPolicy\.minimumLength/,
      );
    }
    await expectError(
      target.admin.send(
        new UpdateUserPoolCommand({ UserPoolId: poolId, DeletionProtection: "MAYBE" as "ACTIVE" }),
      ),
      "InvalidParameterException",
    );
    await expectError(
      target.admin.send(new UpdateUserPoolCommand({ UserPoolId: missingPool() })),
      "ResourceNotFoundException",
    );
    expect((await describePool(poolId))?.Policies?.PasswordPolicy?.MinimumLength).toBe(8);
  });
});

describe("CreateUserPool's checks", () => {
  it("refuses a password length outside 6–99, a short role ARN and mixed recovery", async () => {
    for (const MinimumLength of [5, 100]) {
      await expectError(
        target.createPool({ Policies: { PasswordPolicy: { MinimumLength } } }),
        "InvalidParameterException",
        /minimumLength/,
      );
    }
    await expectError(
      target.createPool({ SmsConfiguration: { SnsCallerArn: "arn:aws:iam::1:r/x" } }),
      "InvalidParameterException",
      /snsCallerArn.*Member must have length greater than or equal to 20/,
    );
    await expectError(
      target.createPool({
        AccountRecoverySetting: {
          RecoveryMechanisms: [
            { Name: "admin_only", Priority: 1 },
            { Name: "verified_email", Priority: 2 },
          ],
        },
      }),
      "InvalidParameterException",
    );
    await expectError(
      target.createPool({ Policies: { PasswordPolicy: { TemporaryPasswordValidityDays: 366 } } }),
      "InvalidParameterException",
    );
  });
});

describe("DeleteUserPoolClient", () => {
  it("removes the client: every operation then treats its id as unknown", async () => {
    const poolId = await target.createPool({});
    const clientId = await target.createClient(poolId, {
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const user = await createUser(target, poolId);
    await target.admin.send(
      new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
    );
    await expectError(
      target.admin.send(
        new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: user.username, PASSWORD: PASSWORD },
        }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(
        new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
      ),
      "ResourceNotFoundException",
    );
  });
});

describe("AdminDeleteUserAttributes", () => {
  it("removes the named attributes and refuses unknown ones and unknown users", async () => {
    const poolId = await target.createPool({});
    const user = await createUser(target, poolId, {
      attributes: [
        { Name: "given_name", Value: "Grace" },
        { Name: "family_name", Value: "Hopper" },
      ],
    });
    await target.admin.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: poolId,
        Username: user.username,
        UserAttributeNames: ["given_name"],
      }),
    );
    const read = await target.admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: user.username }),
    );
    expect(attribute(read.UserAttributes, "given_name")).toBeUndefined();
    expect(attribute(read.UserAttributes, "family_name")).toBe("Hopper");
    await expectError(
      target.admin.send(
        new AdminDeleteUserAttributesCommand({
          UserPoolId: poolId,
          Username: user.username,
          UserAttributeNames: ["shoe_size"],
        }),
      ),
      "InvalidParameterException",
    );
    await expectError(
      target.admin.send(
        new AdminDeleteUserAttributesCommand({
          UserPoolId: poolId,
          Username: unique("ghost-"),
          UserAttributeNames: ["given_name"],
        }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
  });
});

describe("UpdateGroup", () => {
  it("changes description, precedence and role; refuses a short role ARN and unknown groups", async () => {
    const poolId = await target.createPool({});
    const GroupName = unique("group");
    await target.admin.send(
      new CreateGroupCommand({
        UserPoolId: poolId,
        GroupName,
        Description: "before",
        Precedence: 5,
      }),
    );
    const { Group } = await target.admin.send(
      new UpdateGroupCommand({
        UserPoolId: poolId,
        GroupName,
        Description: "after",
        Precedence: 1,
        RoleArn: ROLE,
      }),
    );
    expect(Group).toMatchObject({ GroupName, Description: "after", Precedence: 1, RoleArn: ROLE });
    const read = await target.admin.send(new GetGroupCommand({ UserPoolId: poolId, GroupName }));
    expect(read.Group).toMatchObject({ Description: "after", Precedence: 1, RoleArn: ROLE });

    for (const send of [
      () =>
        target.admin.send(
          new UpdateGroupCommand({ UserPoolId: poolId, GroupName, RoleArn: "arn:aws:iam::1:r" }),
        ),
      () =>
        target.admin.send(
          new CreateGroupCommand({ UserPoolId: poolId, GroupName: unique("g"), RoleArn: "role" }),
        ),
    ]) {
      await expectError(send(), "InvalidParameterException", /roleArn/);
    }
    await expectError(
      target.admin.send(
        new UpdateGroupCommand({ UserPoolId: poolId, GroupName: unique("none"), Description: "x" }),
      ),
      "ResourceNotFoundException",
    );
  });
});

describe("the MFA configuration", () => {
  it("starts OFF, and Set/Get keep what was set; MFA without a factor is refused", async () => {
    const poolId = await target.createPool({});
    const initial = await target.admin.send(
      new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }),
    );
    expect(initial.MfaConfiguration).toBe("OFF");

    await expectError(
      target.admin.send(
        new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: "ON" }),
      ),
      "InvalidParameterException",
    );
    const set = await target.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: "OPTIONAL",
      }),
    );
    expect(set).toMatchObject({
      MfaConfiguration: "OPTIONAL",
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
    const read = await target.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    expect(read).toMatchObject({
      MfaConfiguration: "OPTIONAL",
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
    expect((await describePool(poolId))?.MfaConfiguration).toBe("OPTIONAL");
    await expectError(
      target.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: missingPool() })),
      "ResourceNotFoundException",
    );
  });
});

describe("ListUsers by status", () => {
  it("compares cognito:user_status and status in any case", async () => {
    const poolId = await target.createPool({});
    const confirmed = await createUser(target, poolId);
    const pending = await createUser(target, poolId, { permanent: false });
    await target.admin.send(
      new AdminDisableUserCommand({ UserPoolId: poolId, Username: pending.username }),
    );
    const names = async (Filter: string) =>
      ((await target.admin.send(new ListUsersCommand({ UserPoolId: poolId, Filter }))).Users ?? [])
        .map((user) => user.Username)
        .sort();
    for (const value of ["CONFIRMED", "confirmed", "Confirmed"]) {
      expect(await names(`cognito:user_status = "${value}"`)).toEqual([confirmed.username]);
    }
    expect(await names('cognito:user_status = "force_change_password"')).toEqual([
      pending.username,
    ]);
    expect(await names('status = "disabled"')).toEqual([pending.username]);
    expect(await names('status = "Enabled"')).toEqual([confirmed.username]);
  });
});
