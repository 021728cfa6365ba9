// A pool's attribute schema (the standard attributes plus its `custom:` ones) and the one place every
// write or deletion of user attributes is checked against it, whoever makes it: an administrator
// (AdminCreateUser, AdminUpdateUserAttributes, AdminDeleteUserAttributes, seeds) or the user
// (SignUp, the NEW_PASSWORD_REQUIRED answer, the access-token operations).
import { InvalidParameterException, NotAuthorizedException } from "./errors.ts";
import type { AttributeType } from "./input.ts";
import { validationError } from "./input.ts";
import type { PoolState } from "./store.ts";

export type AttributeDataType = "String" | "Number" | "DateTime" | "Boolean";
const DATA_TYPES: readonly AttributeDataType[] = ["Boolean", "Number", "String", "DateTime"];

/** Cognito's `SchemaAttributeType`, as DescribeUserPool answers it. */
export interface SchemaAttribute {
  Name: string;
  AttributeDataType: AttributeDataType;
  DeveloperOnlyAttribute: boolean;
  Mutable: boolean;
  Required: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
}

const text = (name: string, min = "0", max = "2048"): SchemaAttribute => ({
  Name: name,
  AttributeDataType: "String",
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
  StringAttributeConstraints: { MinLength: min, MaxLength: max },
});
const flag = (name: string): SchemaAttribute => ({
  Name: name,
  AttributeDataType: "Boolean",
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
});

/** The standard attributes of every pool, in the order and with the constraints Cognito reports. */
export const STANDARD_SCHEMA: readonly SchemaAttribute[] = Object.freeze([
  { ...text("sub", "1"), Mutable: false, Required: true },
  text("name"),
  text("given_name"),
  text("family_name"),
  text("middle_name"),
  text("nickname"),
  text("preferred_username"),
  text("profile"),
  text("picture"),
  text("website"),
  text("email"),
  flag("email_verified"),
  text("gender"),
  text("birthdate", "10", "10"),
  text("zoneinfo"),
  text("locale"),
  text("phone_number"),
  flag("phone_number_verified"),
  text("address"),
  {
    Name: "updated_at",
    AttributeDataType: "Number",
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    NumberAttributeConstraints: { MinValue: "0" },
  },
  {
    Name: "identities",
    AttributeDataType: "String",
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    StringAttributeConstraints: {},
  },
]);
/** Custom attributes a pool may have (CreateUserPool and AddCustomAttributes together). */
export const MAX_CUSTOM_ATTRIBUTES = 50;

const schemaError = (message: string) =>
  new InvalidParameterException(`Attributes did not conform to the schema: ${message}`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-negative integer given as a string (how Cognito's constraints are typed), or undefined. */
function integerString(
  value: unknown,
  path: string,
  { signed }: { signed: boolean },
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const pattern = signed ? /^-?\d{1,18}$/ : /^\d{1,18}$/;
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new InvalidParameterException(
      `Invalid ${path}: ${JSON.stringify(value)} is not ${signed ? "an integer" : "a non-negative integer"}.`,
    );
  }
  return String(Number(value));
}

function stringConstraints(
  value: unknown,
  name: string,
): SchemaAttribute["StringAttributeConstraints"] {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    throw new InvalidParameterException(`StringAttributeConstraints of ${name} must be an object.`);
  }
  const min = integerString(value.MinLength, `MinLength of ${name}`, { signed: false });
  const max = integerString(value.MaxLength, `MaxLength of ${name}`, { signed: false });
  if (max !== undefined && Number(max) > 2048) {
    throw new InvalidParameterException(
      `Invalid MaxLength of ${name}: a string attribute can hold at most 2048 characters.`,
    );
  }
  if (min !== undefined && max !== undefined && Number(min) > Number(max)) {
    throw new InvalidParameterException(
      `Invalid StringAttributeConstraints of ${name}: MinLength ${min} is greater than MaxLength ${max}.`,
    );
  }
  return {
    ...(min === undefined ? {} : { MinLength: min }),
    ...(max === undefined ? {} : { MaxLength: max }),
  };
}

function numberConstraints(
  value: unknown,
  name: string,
): SchemaAttribute["NumberAttributeConstraints"] {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    throw new InvalidParameterException(`NumberAttributeConstraints of ${name} must be an object.`);
  }
  const min = integerString(value.MinValue, `MinValue of ${name}`, { signed: true });
  const max = integerString(value.MaxValue, `MaxValue of ${name}`, { signed: true });
  if (min !== undefined && max !== undefined && Number(min) > Number(max)) {
    throw new InvalidParameterException(
      `Invalid NumberAttributeConstraints of ${name}: MinValue ${min} is greater than MaxValue ${max}.`,
    );
  }
  return {
    ...(min === undefined ? {} : { MinValue: min }),
    ...(max === undefined ? {} : { MaxValue: max }),
  };
}

/** One custom attribute as declared (CreateUserPool's Schema, AddCustomAttributes), checked. */
function customAttribute(entry: Record<string, unknown>, member: string): SchemaAttribute {
  const given = entry.Name as string;
  const name = `custom:${given}`;
  const type = entry.AttributeDataType ?? "String";
  if (!DATA_TYPES.includes(type as AttributeDataType)) {
    throw validationError(
      `${member}.attributeDataType`,
      type,
      "Member must satisfy enum value set: [Boolean, Number, String, DateTime]",
    );
  }
  if (entry.Required === true) {
    throw new InvalidParameterException("Required custom attributes are not supported currently.");
  }
  if (entry.DeveloperOnlyAttribute === true) {
    throw new InvalidParameterException(
      `${name}: developer-only attributes are deprecated and not supported by this emulator.`,
    );
  }
  const attribute: SchemaAttribute = {
    Name: name,
    AttributeDataType: type as AttributeDataType,
    DeveloperOnlyAttribute: false,
    Mutable: entry.Mutable !== false,
    Required: false,
  };
  if (type === "String") {
    attribute.StringAttributeConstraints = stringConstraints(
      entry.StringAttributeConstraints,
      name,
    );
  }
  if (type === "Number") {
    attribute.NumberAttributeConstraints = numberConstraints(
      entry.NumberAttributeConstraints,
      name,
    );
  }
  return attribute;
}

/** The checked shape of one `SchemaAttributeType` entry in a request, by its position. */
function schemaEntry(entry: unknown, member: string): Record<string, unknown> & { Name: string } {
  if (!isObject(entry)) {
    throw validationError(member, entry, "Member must be a schema attribute");
  }
  const name = entry.Name;
  if (typeof name !== "string" || name.length === 0) {
    throw validationError(`${member}.name`, name, "Member must not be null");
  }
  if (name.length > 20) {
    throw validationError(
      `${member}.name`,
      name,
      "Member must have length less than or equal to 20",
    );
  }
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(name)) {
    throw validationError(
      `${member}.name`,
      name,
      "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    );
  }
  for (const key of ["Mutable", "Required", "DeveloperOnlyAttribute"]) {
    if (entry[key] !== undefined && entry[key] !== null && typeof entry[key] !== "boolean") {
      throw validationError(
        `${member}.${key.charAt(0).toLowerCase()}${key.slice(1)}`,
        entry[key],
        "Member must be a boolean",
      );
    }
  }
  return entry as Record<string, unknown> & { Name: string };
}

function schemaList(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw validationError(field, value, "Member must be a list");
  if (value.length < 1) {
    throw validationError(field, value, "Member must have length greater than or equal to 1");
  }
  if (value.length > max) {
    throw validationError(field, value, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

/**
 * The full schema of a new pool: the standard attributes, with the `Required`/`Mutable` (and string
 * lengths) a request's `Schema` gives them, followed by its custom attributes as `custom:<name>`.
 */
export function buildSchema(given: unknown): SchemaAttribute[] {
  const schema = STANDARD_SCHEMA.map((attribute) => structuredClone(attribute));
  if (given === undefined || given === null) return schema;
  const entries = schemaList(given, "schema", MAX_CUSTOM_ATTRIBUTES + STANDARD_SCHEMA.length);
  const customs: Record<string, unknown>[] = [];
  for (const [index, raw] of entries.entries()) {
    const entry = schemaEntry(raw, `schema.${index + 1}.member`);
    const standard = schema.find((attribute) => attribute.Name === entry.Name);
    if (!standard) {
      customs.push(entry);
      continue;
    }
    if (
      (entry.AttributeDataType !== undefined &&
        entry.AttributeDataType !== null &&
        entry.AttributeDataType !== standard.AttributeDataType) ||
      entry.DeveloperOnlyAttribute === true
    ) {
      throw new InvalidParameterException(
        `You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute ${entry.Name}`,
      );
    }
    if (standard.Name === "sub") continue;
    if (typeof entry.Required === "boolean") standard.Required = entry.Required;
    if (typeof entry.Mutable === "boolean") standard.Mutable = entry.Mutable;
    if (standard.AttributeDataType === "String" && isObject(entry.StringAttributeConstraints)) {
      standard.StringAttributeConstraints = {
        ...standard.StringAttributeConstraints,
        ...stringConstraints(entry.StringAttributeConstraints, standard.Name),
      };
    }
  }
  return withCustomAttributes(schema, customs, "schema");
}

/** The schema with more custom attributes (AddCustomAttributes: 1 to 25): names must be new. */
export function addCustomAttributes(
  schema: readonly SchemaAttribute[],
  given: unknown,
): SchemaAttribute[] {
  return withCustomAttributes(
    schema,
    schemaList(given, "customAttributes", 25),
    "customAttributes",
  );
}

function withCustomAttributes(
  schema: readonly SchemaAttribute[],
  entries: readonly unknown[],
  field: string,
): SchemaAttribute[] {
  const next = [...schema];
  for (const [index, raw] of entries.entries()) {
    const attribute = customAttribute(
      schemaEntry(raw, `${field}.${index + 1}.member`),
      `${field}.${index + 1}.member`,
    );
    if (next.some((existing) => existing.Name === attribute.Name)) {
      throw new InvalidParameterException(
        `${attribute.Name}: Existing attribute already has name ${attribute.Name}.`,
      );
    }
    next.push(attribute);
  }
  if (
    next.filter((attribute) => attribute.Name.startsWith("custom:")).length > MAX_CUSTOM_ATTRIBUTES
  ) {
    throw new InvalidParameterException(
      `A user pool can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`,
    );
  }
  return next;
}

/** A pool's schema as stored; pools kept before the schema was stored get it built from `Schema`. */
export function schemaOf(settings: Record<string, unknown>): SchemaAttribute[] {
  const stored = settings.SchemaAttributes;
  if (Array.isArray(stored)) return stored as SchemaAttribute[];
  try {
    return buildSchema(settings.Schema);
  } catch {
    return STANDARD_SCHEMA.map((attribute) => structuredClone(attribute));
  }
}

// Looked up on every write: built once per version of the pool's record.
const byName = new WeakMap<object, Map<string, SchemaAttribute>>();
export function schemaAttribute(pool: PoolState, name: string): SchemaAttribute | undefined {
  let map = byName.get(pool.record);
  if (!map) {
    map = new Map(schemaOf(pool.record.settings).map((attribute) => [attribute.Name, attribute]));
    byName.set(pool.record, map);
  }
  return map.get(name);
}

export const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** E.164: a plus sign and up to 15 digits, the first not zero. */
export const PHONE_NUMBER = /^\+[1-9]\d{1,14}$/;
const VERIFIED = new Set(["email_verified", "phone_number_verified"]);

/** Who writes: an administrator (IAM-signed calls, seeds) or the user (their own client). */
export type AttributeCaller = "admin" | "user";

export interface AttributeWriteOptions {
  caller: AttributeCaller;
  /** The user is being created (AdminCreateUser, SignUp): immutable attributes may be set once. */
  creating: boolean;
}

const notInSchema = (name: string) =>
  schemaError(`${name}: Attribute does not exist in the schema.\n`);
const immutable = (name: string) =>
  name === "sub"
    ? new InvalidParameterException("Cannot modify an immutable attribute: sub")
    : schemaError(`${name}: Attribute cannot be updated. (changing an immutable attribute)\n`);
const unauthorizedWrite = () =>
  new NotAuthorizedException("A client attempted to write unauthorized attribute");

/** The value as stored (booleans lower-cased), or Cognito's refusal of it. */
function checkedValue(attribute: SchemaAttribute, value: string): string {
  const { Name } = attribute;
  if (value.length > 2048) {
    throw schemaError(`${Name}: String must be no longer than 2048 characters\n`);
  }
  // An empty value clears the attribute; constraints apply to what is kept.
  if (value === "") return value;
  if (Name === "email" && !EMAIL.test(value)) {
    throw new InvalidParameterException("Invalid email address format.");
  }
  if (Name === "phone_number" && !PHONE_NUMBER.test(value)) {
    throw new InvalidParameterException("Invalid phone number format.");
  }
  switch (attribute.AttributeDataType) {
    case "Boolean": {
      const lower = value.toLowerCase();
      if (lower !== "true" && lower !== "false") {
        throw schemaError(`${Name}: Attribute value must be true or false\n`);
      }
      return lower;
    }
    case "Number": {
      if (!/^-?\d+$/.test(value)) throw schemaError(`${Name}: Number is not valid\n`);
      const { MinValue, MaxValue } = attribute.NumberAttributeConstraints ?? {};
      if (MinValue !== undefined && Number(value) < Number(MinValue)) {
        throw schemaError(`${Name}: Number must be no less than ${MinValue}\n`);
      }
      if (MaxValue !== undefined && Number(value) > Number(MaxValue)) {
        throw schemaError(`${Name}: Number must be no greater than ${MaxValue}\n`);
      }
      return value;
    }
    case "String": {
      const { MinLength, MaxLength } = attribute.StringAttributeConstraints ?? {};
      const length = [...value].length;
      if (MinLength !== undefined && length < Number(MinLength)) {
        throw schemaError(`${Name}: String must be no shorter than ${MinLength} characters\n`);
      }
      if (MaxLength !== undefined && length > Number(MaxLength)) {
        throw schemaError(`${Name}: String must be no longer than ${MaxLength} characters\n`);
      }
      return value;
    }
    default:
      return value;
  }
}

function requireKnown(pool: PoolState, name: string, caller: AttributeCaller): SchemaAttribute {
  if (name === "sub") throw immutable(name);
  const attribute = schemaAttribute(pool, name);
  if (!attribute) throw notInSchema(name);
  // Only a code (or an administrator) verifies an address.
  if (caller === "user" && VERIFIED.has(name)) throw unauthorizedWrite();
  return attribute;
}

/**
 * The user's attributes after `changes`, checked against the pool's schema as Cognito checks them:
 * names in the schema (`custom:` ones declared), values of the declared type and length,
 * `email` and `phone_number` well-formed (E.164), booleans in any case, immutable attributes only
 * at creation, required ones present at creation. A changed address is unverified unless its
 * `*_verified` is written too. Throws InvalidParameterException (NotAuthorizedException when a user
 * writes a `*_verified` flag) and changes nothing.
 */
export function applyAttributeWrites(
  pool: PoolState,
  current: Readonly<Record<string, string>>,
  changes: readonly AttributeType[],
  options: AttributeWriteOptions,
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  const given = new Set<string>();
  for (const { Name, Value } of changes) {
    const attribute = requireKnown(pool, Name, options.caller);
    if (!options.creating && !attribute.Mutable) throw immutable(Name);
    const value = checkedValue(attribute, Value);
    given.add(Name);
    if (value === "") delete next[Name];
    else next[Name] = value;
  }
  for (const [address, flagName] of [
    ["email", "email_verified"],
    ["phone_number", "phone_number_verified"],
  ] as const) {
    if (!given.has(address) || given.has(flagName)) continue;
    if (next[address] === undefined) delete next[flagName];
    else if (current[address] !== next[address]) next[flagName] = "false";
  }
  if (options.creating) requirePresent(pool, next);
  return next;
}

/** Throws for the first required attribute (other than `sub`) the user lacks. */
export function requirePresent(
  pool: PoolState,
  attributes: Readonly<Record<string, string>>,
): void {
  for (const attribute of schemaOf(pool.record.settings)) {
    if (!attribute.Required || attribute.Name === "sub") continue;
    if (!attributes[attribute.Name]) {
      throw schemaError(`${attribute.Name}: The attribute is required\n`);
    }
  }
}

/**
 * The user's attributes without `names` (AdminDeleteUserAttributes, DeleteUserAttributes): each must
 * be in the schema, mutable and not required. Deleting an address deletes its `*_verified` flag.
 */
export function applyAttributeDeletes(
  pool: PoolState,
  current: Readonly<Record<string, string>>,
  names: readonly string[],
  { caller }: { caller: AttributeCaller },
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const name of names) {
    const attribute = requireKnown(pool, name, caller);
    if (!attribute.Mutable) throw immutable(name);
    if (attribute.Required) throw schemaError(`${name}: The attribute is required\n`);
    delete next[name];
    if (name === "email") delete next.email_verified;
    if (name === "phone_number") delete next.phone_number_verified;
  }
  return next;
}
