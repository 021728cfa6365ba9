// A pool's attribute schema: the standard attributes every pool reports, custom attributes (types,
// lengths, ranges, mutability) from CreateUserPool and AddCustomAttributes, invalid schemas refused,
// and every write of attributes checked against the schema.
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CreateUserPoolCommandInput,
  DescribeUserPoolCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attribute,
  expectError,
  openTarget,
  PASSWORD,
  type Target,
  TEMPORARY,
  unique,
} from "./harness.ts";

let target: Target;
/** email required; custom tenant (immutable), code (2–5 characters), level (1–10), beta (Boolean). */
let poolId: string;

const SCHEMA: CreateUserPoolCommandInput["Schema"] = [
  { Name: "email", AttributeDataType: "String", Required: true, Mutable: true },
  { Name: "tenant", AttributeDataType: "String", Mutable: false },
  {
    Name: "code",
    AttributeDataType: "String",
    Mutable: true,
    StringAttributeConstraints: { MinLength: "2", MaxLength: "5" },
  },
  {
    Name: "level",
    AttributeDataType: "Number",
    Mutable: true,
    NumberAttributeConstraints: { MinValue: "1", MaxValue: "10" },
  },
  { Name: "beta", AttributeDataType: "Boolean", Mutable: true },
];

beforeAll(async () => {
  target = await openTarget();
  poolId = await target.createPool({ Schema: SCHEMA });
}, 30_000);

afterAll(() => target?.stop());

const schemaOf = async (UserPoolId: string) =>
  (await target.admin.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool
    ?.SchemaAttributes ?? [];
const create = (attributes: AttributeType[], Username = unique("schema-")) =>
  target.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username,
      MessageAction: "SUPPRESS",
      TemporaryPassword: TEMPORARY,
      UserAttributes: attributes,
    }),
  );
const withEmail = (...more: AttributeType[]) => [
  { Name: "email", Value: `${unique("schema")}@example.com` },
  ...more,
];
const update = (Username: string, UserAttributes: AttributeType[]) =>
  target.admin.send(
    new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username, UserAttributes }),
  );
const read = async (Username: string) =>
  (await target.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username })))
    .UserAttributes;

describe("the schema a pool reports", () => {
  it("lists the standard attributes with their types and constraints", async () => {
    const schema = await schemaOf(await target.createPool({}));
    const names = schema.map((a) => a.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        "sub",
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
        "email_verified",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "phone_number",
        "phone_number_verified",
        "address",
        "updated_at",
      ]),
    );
    const byName = (name: string) => schema.find((a) => a.Name === name);
    expect(byName("sub")).toEqual({
      Name: "sub",
      AttributeDataType: "String",
      DeveloperOnlyAttribute: false,
      Mutable: false,
      Required: true,
      StringAttributeConstraints: { MinLength: "1", MaxLength: "2048" },
    });
    expect(byName("email")).toMatchObject({
      AttributeDataType: "String",
      Mutable: true,
      Required: false,
      StringAttributeConstraints: { MinLength: "0", MaxLength: "2048" },
    });
    expect(byName("email_verified")).toMatchObject({ AttributeDataType: "Boolean", Mutable: true });
    expect(byName("birthdate")?.StringAttributeConstraints).toEqual({
      MinLength: "10",
      MaxLength: "10",
    });
    expect(byName("updated_at")).toMatchObject({
      AttributeDataType: "Number",
      NumberAttributeConstraints: { MinValue: "0" },
    });
  });

  it("includes custom attributes as custom:<name> and the standard ones as declared", async () => {
    const schema = await schemaOf(poolId);
    const byName = (name: string) => schema.find((a) => a.Name === name);
    expect(byName("email")).toMatchObject({ Required: true, Mutable: true });
    expect(byName("custom:tenant")).toMatchObject({
      AttributeDataType: "String",
      Mutable: false,
      Required: false,
    });
    expect(byName("custom:code")?.StringAttributeConstraints).toEqual({
      MinLength: "2",
      MaxLength: "5",
    });
    expect(byName("custom:level")?.NumberAttributeConstraints).toEqual({
      MinValue: "1",
      MaxValue: "10",
    });
    expect(byName("custom:beta")?.AttributeDataType).toBe("Boolean");
  });

  it("refuses invalid schemas", async () => {
    for (const Schema of [
      [{ Name: "role", AttributeDataType: "String" as const, Required: true }],
      [{ Name: "role", AttributeDataType: "Text" as "String" }],
      [{ Name: "email", AttributeDataType: "Number" as const }],
      [{ Name: "x".repeat(21), AttributeDataType: "String" as const }],
      [
        {
          Name: "role",
          AttributeDataType: "String" as const,
          StringAttributeConstraints: { MinLength: "9", MaxLength: "3" },
        },
      ],
    ]) {
      await expectError(target.createPool({ Schema }), "InvalidParameterException");
    }
  });
});

describe("AddCustomAttributes", () => {
  it("adds custom attributes users can then hold, and refuses a name already taken", async () => {
    const pool = await target.createPool({});
    await target.admin.send(
      new AddCustomAttributesCommand({
        UserPoolId: pool,
        CustomAttributes: [{ Name: "plan", AttributeDataType: "String", Mutable: true }],
      }),
    );
    expect((await schemaOf(pool)).find((a) => a.Name === "custom:plan")).toMatchObject({
      AttributeDataType: "String",
      Mutable: true,
    });
    const Username = unique("plan-");
    await target.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool,
        Username,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "custom:plan", Value: "pro" }],
      }),
    );
    const user = await target.admin.send(new AdminGetUserCommand({ UserPoolId: pool, Username }));
    expect(attribute(user.UserAttributes, "custom:plan")).toBe("pro");
    await expectError(
      target.admin.send(
        new AddCustomAttributesCommand({
          UserPoolId: pool,
          CustomAttributes: [{ Name: "plan", AttributeDataType: "Number" }],
        }),
      ),
      "InvalidParameterException",
      /custom:plan/,
    );
    await expectError(
      target.admin.send(
        new AddCustomAttributesCommand({
          UserPoolId: `${target.region}_NoSuchPo0l`,
          CustomAttributes: [{ Name: "plan", AttributeDataType: "String" }],
        }),
      ),
      "ResourceNotFoundException",
    );
  });
});

describe("writes checked against the schema", () => {
  it("accepts values of the declared types; booleans in any case", async () => {
    const username = unique("typed-");
    await create(
      withEmail(
        { Name: "email_verified", Value: "True" },
        { Name: "custom:tenant", Value: "acme" },
        { Name: "custom:code", Value: "ab" },
        { Name: "custom:level", Value: "10" },
        { Name: "custom:beta", Value: "TRUE" },
        { Name: "phone_number", Value: "+447700900123" },
        { Name: "phone_number_verified", Value: "false" },
      ),
      username,
    );
    const attributes = await read(username);
    expect(attribute(attributes, "email_verified")).toBe("true");
    expect(attribute(attributes, "custom:tenant")).toBe("acme");
    expect(attribute(attributes, "custom:level")).toBe("10");
    expect(attribute(attributes, "phone_number")).toBe("+447700900123");
    await update(username, [{ Name: "email_verified", Value: "FALSE" }]);
    expect(attribute(await read(username), "email_verified")).toBe("false");
  });

  it("refuses attributes outside the schema, ill-formed values and missing required ones", async () => {
    for (const attributes of [
      withEmail({ Name: "shoe_size", Value: "9" }),
      withEmail({ Name: "custom:unknown", Value: "x" }),
      withEmail({ Name: "custom:code", Value: "a" }),
      withEmail({ Name: "custom:code", Value: "abcdef" }),
      withEmail({ Name: "custom:level", Value: "11" }),
      withEmail({ Name: "custom:level", Value: "ten" }),
      withEmail({ Name: "email_verified", Value: "yes" }),
      [{ Name: "given_name", Value: "no email" }],
    ]) {
      await expectError(create(attributes), "InvalidParameterException");
    }
    for (const phone of ["07700900123", "+44 7700 900123", "447700900123"]) {
      await expectError(
        create(withEmail({ Name: "phone_number", Value: phone })),
        "InvalidParameterException",
        "Invalid phone number format.",
      );
    }
  });

  it("sets an immutable custom attribute only at creation", async () => {
    const username = unique("immutable-");
    await create(withEmail({ Name: "custom:tenant", Value: "acme" }), username);
    await expectError(
      update(username, [{ Name: "custom:tenant", Value: "other" }]),
      "InvalidParameterException",
      /custom:tenant/,
    );
    const unset = unique("unset-");
    await create(withEmail(), unset);
    await expectError(
      update(unset, [{ Name: "custom:tenant", Value: "late" }]),
      "InvalidParameterException",
      /custom:tenant/,
    );
    await update(username, [{ Name: "custom:level", Value: "3" }]);
    expect(attribute(await read(username), "custom:tenant")).toBe("acme");
    expect(attribute(await read(username), "custom:level")).toBe("3");
  });

  it("checks SignUp's attributes the same way", async () => {
    const open = await target.createPool({ Schema: SCHEMA });
    const client = await target.createClient(open, {});
    const signUp = (UserAttributes: AttributeType[]) =>
      target.admin.send(
        new SignUpCommand({
          ClientId: client,
          Username: unique("signup-"),
          Password: PASSWORD,
          UserAttributes,
        }),
      );
    await expectError(
      signUp(withEmail({ Name: "nickname2", Value: "x" })),
      "InvalidParameterException",
    );
    await expectError(signUp([{ Name: "name", Value: "no email" }]), "InvalidParameterException");
    await expectError(
      signUp(withEmail({ Name: "custom:level", Value: "0" })),
      "InvalidParameterException",
    );
    const created = await signUp(withEmail({ Name: "custom:tenant", Value: "acme" }));
    expect(created.UserSub).toEqual(expect.any(String));
  });
});
