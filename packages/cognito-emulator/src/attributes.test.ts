import { describe, expect, it } from "vitest";
import {
  addCustomAttributes,
  applyAttributeDeletes,
  applyAttributeWrites,
  buildSchema,
  STANDARD_SCHEMA,
} from "./attributes.ts";
import { PoolState } from "./store.ts";

const poolWith = (schema: unknown) =>
  new PoolState({
    id: "us-east-1_attrs0001",
    name: "attributes",
    settings: { SchemaAttributes: buildSchema(schema) },
    createdAt: 0,
    updatedAt: 0,
  });

const pool = poolWith([
  { Name: "email", Required: true },
  { Name: "tenant", AttributeDataType: "String", Mutable: false },
  {
    Name: "nickname2",
    AttributeDataType: "String",
    StringAttributeConstraints: { MinLength: "2", MaxLength: "5" },
  },
  {
    Name: "level",
    AttributeDataType: "Number",
    NumberAttributeConstraints: { MinValue: "1", MaxValue: "10" },
  },
  { Name: "beta", AttributeDataType: "Boolean" },
  { Name: "joined", AttributeDataType: "DateTime" },
]);
const create = (attributes: Record<string, string>, caller: "admin" | "user" = "admin") =>
  applyAttributeWrites(
    pool,
    {},
    Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    { caller, creating: true },
  );
const update = (current: Record<string, string>, changes: Record<string, string>) =>
  applyAttributeWrites(
    pool,
    current,
    Object.entries(changes).map(([Name, Value]) => ({ Name, Value })),
    { caller: "admin", creating: false },
  );
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error("expected a refusal");
};

describe("the schema", () => {
  it("starts with Cognito's standard attributes, then the custom ones as custom:<name>", () => {
    const schema = buildSchema(undefined);
    expect(schema.map((a) => a.Name)).toEqual(STANDARD_SCHEMA.map((a) => a.Name));
    expect(schema[0]).toEqual({
      Name: "sub",
      AttributeDataType: "String",
      DeveloperOnlyAttribute: false,
      Mutable: false,
      Required: true,
      StringAttributeConstraints: { MinLength: "1", MaxLength: "2048" },
    });
    expect(schema.find((a) => a.Name === "birthdate")?.StringAttributeConstraints).toEqual({
      MinLength: "10",
      MaxLength: "10",
    });
    expect(schema.find((a) => a.Name === "email_verified")?.AttributeDataType).toBe("Boolean");
    expect(schema.find((a) => a.Name === "updated_at")?.NumberAttributeConstraints).toEqual({
      MinValue: "0",
    });
    const custom = buildSchema([{ Name: "tenant", AttributeDataType: "String", Mutable: false }]);
    expect(custom.at(-1)).toEqual({
      Name: "custom:tenant",
      AttributeDataType: "String",
      DeveloperOnlyAttribute: false,
      Mutable: false,
      Required: false,
      StringAttributeConstraints: {},
    });
  });

  it("refuses invalid declarations with Cognito's errors", () => {
    expect(refusal(() => buildSchema([{ Name: "x", AttributeDataType: "Text" }])).message).toBe(
      "1 validation error detected: Value 'Text' at 'schema.1.member.attributeDataType' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]",
    );
    expect(refusal(() => buildSchema([{ Name: "x", Required: true }])).message).toBe(
      "Required custom attributes are not supported currently.",
    );
    expect(
      refusal(() => buildSchema([{ Name: "email", AttributeDataType: "Number" }])).message,
    ).toBe(
      "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
    );
    expect(refusal(() => buildSchema([{ Name: "a".repeat(21) }])).message).toMatch(
      /at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20$/,
    );
    expect(
      refusal(() => buildSchema([{ Name: "x", StringAttributeConstraints: { MaxLength: "2049" } }]))
        .name,
    ).toBe("InvalidParameterException");
    expect(
      refusal(() =>
        buildSchema([
          { Name: "x", StringAttributeConstraints: { MinLength: "5", MaxLength: "2" } },
        ]),
      ).name,
    ).toBe("InvalidParameterException");
    expect(
      refusal(() =>
        buildSchema([
          { Name: "n", AttributeDataType: "Number", NumberAttributeConstraints: { MinValue: "x" } },
        ]),
      ).name,
    ).toBe("InvalidParameterException");
    expect(refusal(() => buildSchema([{ Name: "x" }, { Name: "x" }])).message).toBe(
      "custom:x: Existing attribute already has name custom:x.",
    );
    const many = Array.from({ length: 26 }, (_, i) => ({ Name: `a${i}` }));
    expect(
      refusal(() => addCustomAttributes(buildSchema(many.slice(0, 25)), [{ Name: "a0" }])).message,
    ).toBe("custom:a0: Existing attribute already has name custom:a0.");
    expect(refusal(() => addCustomAttributes(buildSchema(undefined), [])).message).toBe(
      "1 validation error detected: Value '[]' at 'customAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    let schema = buildSchema(undefined);
    for (let i = 0; i < 2; i++) {
      schema = addCustomAttributes(
        schema,
        many.slice(0, 25).map((a) => ({ Name: `${a.Name}b${i}` })),
      );
    }
    expect(refusal(() => addCustomAttributes(schema, [{ Name: "one_more" }])).message).toBe(
      "A user pool can have at most 50 custom attributes.",
    );
  });
});

describe("attribute writes", () => {
  it("keeps what the schema allows, with booleans in any case stored lower-case", () => {
    const attributes = create({
      email: "ada@example.com",
      email_verified: "TRUE",
      phone_number: "+447700900123",
      phone_number_verified: "False",
      "custom:tenant": "t-1",
      "custom:level": "10",
      "custom:beta": "True",
      "custom:joined": "2026-01-01T00:00:00Z",
      birthdate: "1815-12-10",
    });
    expect(attributes).toMatchObject({
      email_verified: "true",
      phone_number_verified: "false",
      "custom:beta": "true",
      "custom:level": "10",
    });
  });

  it("refuses what the schema does not allow, naming the attribute", () => {
    const base = { email: "ada@example.com" };
    expect(refusal(() => create({ ...base, shoe_size: "9" })).message).toBe(
      "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.\n",
    );
    expect(refusal(() => create({ ...base, "custom:unknown": "x" })).name).toBe(
      "InvalidParameterException",
    );
    expect(refusal(() => create({ email: "not-an-email" })).message).toBe(
      "Invalid email address format.",
    );
    for (const phone of ["07700900123", "+0123", "+1 555 0100", "+1234567890123456"]) {
      expect(refusal(() => create({ ...base, phone_number: phone })).message).toBe(
        "Invalid phone number format.",
      );
    }
    expect(refusal(() => create({ ...base, email_verified: "yes" })).name).toBe(
      "InvalidParameterException",
    );
    expect(refusal(() => create({ ...base, "custom:nickname2": "a" })).message).toBe(
      "Attributes did not conform to the schema: custom:nickname2: String must be no shorter than 2 characters\n",
    );
    expect(refusal(() => create({ ...base, "custom:nickname2": "abcdef" })).message).toBe(
      "Attributes did not conform to the schema: custom:nickname2: String must be no longer than 5 characters\n",
    );
    expect(refusal(() => create({ ...base, "custom:level": "11" })).message).toBe(
      "Attributes did not conform to the schema: custom:level: Number must be no greater than 10\n",
    );
    expect(refusal(() => create({ ...base, "custom:level": "0" })).name).toBe(
      "InvalidParameterException",
    );
    expect(refusal(() => create({ ...base, "custom:level": "ten" })).name).toBe(
      "InvalidParameterException",
    );
    expect(refusal(() => create({ ...base, birthdate: "1815" })).name).toBe(
      "InvalidParameterException",
    );
    expect(refusal(() => create({ ...base, sub: "mine" })).name).toBe("InvalidParameterException");
  });

  it("needs required attributes at creation, and sets immutable ones only then", () => {
    expect(refusal(() => create({ name: "Ada" })).message).toBe(
      "Attributes did not conform to the schema: email: The attribute is required\n",
    );
    const user = create({ email: "ada@example.com", "custom:tenant": "t-1" });
    expect(refusal(() => update(user, { "custom:tenant": "t-2" })).message).toMatch(
      /^Attributes did not conform to the schema: custom:tenant: /,
    );
    // Not even when it was never set.
    expect(refusal(() => update({ email: "b@example.com" }, { "custom:tenant": "t" })).name).toBe(
      "InvalidParameterException",
    );
    expect(update(user, { name: "Ada" }).name).toBe("Ada");
  });

  it("unverifies a changed address unless its flag is written too", () => {
    const user = create({ email: "ada@example.com", email_verified: "true" });
    expect(update(user, { email: "lovelace@example.com" }).email_verified).toBe("false");
    expect(update(user, { email: "ada@example.com" }).email_verified).toBe("true");
    expect(
      update(user, { email: "lovelace@example.com", email_verified: "true" }).email_verified,
    ).toBe("true");
  });

  it("lets only an administrator write the verification flags", () => {
    expect(
      refusal(() => create({ email: "a@example.com", email_verified: "true" }, "user")),
    ).toEqual({
      name: "NotAuthorizedException",
      message: "A client attempted to write unauthorized attribute",
    });
  });
});

describe("attribute deletions", () => {
  const user = create({
    email: "ada@example.com",
    phone_number: "+447700900123",
    phone_number_verified: "true",
    "custom:tenant": "t",
    "custom:beta": "true",
  });
  const remove = (...names: string[]) =>
    applyAttributeDeletes(pool, user, names, { caller: "admin" });

  it("removes mutable, optional attributes (an address with its flag)", () => {
    const next = remove("phone_number", "custom:beta");
    expect(next).not.toHaveProperty("phone_number");
    expect(next).not.toHaveProperty("phone_number_verified");
    expect(next).not.toHaveProperty("custom:beta");
    expect(next.email).toBe("ada@example.com");
  });

  it("refuses required, immutable and unknown ones", () => {
    expect(refusal(() => remove("email")).message).toBe(
      "Attributes did not conform to the schema: email: The attribute is required\n",
    );
    expect(refusal(() => remove("custom:tenant")).name).toBe("InvalidParameterException");
    expect(refusal(() => remove("sub")).name).toBe("InvalidParameterException");
    expect(refusal(() => remove("shoe_size")).message).toMatch(/does not exist in the schema/);
  });
});
