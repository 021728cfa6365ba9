// User pools and app clients: their settings as given (checked as Cognito checks them), and the
// shapes DescribeUserPool / DescribeUserPoolClient answer with.
import { buildSchema, type SchemaAttribute, schemaOf } from "./attributes.ts";
import { validateExplicitAuthFlows } from "./auth-flows.ts";
import { InvalidParameterException } from "./errors.ts";
import { isUserPoolId, newClientId, newClientSecret, regionOf } from "./ids.ts";
import { type Input, validationError } from "./input.ts";
import { requirePool } from "./lookup.ts";
import { policyOf } from "./password-policy.ts";
import { checkPoolSettings } from "./pool-checks.ts";
import type { Services } from "./services.ts";
import type { ClientRecord, PoolState } from "./store.ts";

type Deps = Pick<Services, "store" | "clock">;

const ALIASES = new Set(["email", "phone_number", "preferred_username"]);

/** Settings only CreateUserPool sets; UpdateUserPool keeps them. */
const FIXED_AT_CREATION = [
  "SchemaAttributes",
  "UsernameAttributes",
  "AliasAttributes",
  "UsernameConfiguration",
];
/** What SetUserPoolMfaConfig keeps beside the pool's settings (not part of DescribeUserPool). */
export const MFA_SETTINGS = [
  "SmsMfaConfiguration",
  "SoftwareTokenMfaConfiguration",
  "EmailMfaConfiguration",
  "WebAuthnConfiguration",
] as const;
/** The members UpdateUserPool takes besides UserPoolId; each one left out returns to its default. */
const UPDATABLE = [
  "Policies",
  "DeletionProtection",
  "LambdaConfig",
  "AutoVerifiedAttributes",
  "SmsVerificationMessage",
  "EmailVerificationMessage",
  "EmailVerificationSubject",
  "VerificationMessageTemplate",
  "SmsAuthenticationMessage",
  "UserAttributeUpdateSettings",
  "MfaConfiguration",
  "DeviceConfiguration",
  "EmailConfiguration",
  "SmsConfiguration",
  "UserPoolTags",
  "AdminCreateUserConfig",
  "UserPoolAddOns",
  "AccountRecoverySetting",
  "UserPoolTier",
];

const pick = (from: Record<string, unknown>, names: readonly string[]) =>
  Object.fromEntries(
    names.flatMap((name) => (from[name] === undefined ? [] : [[name, from[name]]])),
  );

/** The CreateUserPool settings, checked as Cognito checks them; `Schema` becomes the full schema. */
export function poolSettings(input: Input): Record<string, unknown> {
  const { PoolName: _name, Schema: schema, ...given } = input.body;
  checkPoolSettings(given);
  const aliases = input.stringList("AliasAttributes") ?? [];
  for (const alias of aliases) {
    if (!ALIASES.has(alias)) {
      throw validationError(
        "aliasAttributes",
        aliases,
        "Member must satisfy constraint: [Member must satisfy enum value set: [phone_number, email, preferred_username]]",
      );
    }
  }
  const usernameAttributes = input.stringList("UsernameAttributes") ?? [];
  for (const name of usernameAttributes) {
    if (name !== "email" && name !== "phone_number") {
      throw validationError(
        "usernameAttributes",
        usernameAttributes,
        "Member must satisfy constraint: [Member must satisfy enum value set: [phone_number, email]]",
      );
    }
  }
  if (aliases.length > 0 && usernameAttributes.length > 0) {
    throw new InvalidParameterException(
      "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    );
  }
  const caseSensitive = input.object("UsernameConfiguration")?.CaseSensitive;
  if (caseSensitive !== undefined && typeof caseSensitive !== "boolean") {
    throw validationError(
      "usernameConfiguration.caseSensitive",
      caseSensitive,
      "Member must be a boolean",
    );
  }
  return { ...given, SchemaAttributes: buildSchema(schema) };
}

/** UpdateUserPool's settings: what it takes replaces the old (left out: the default again). */
export function updatedPoolSettings(
  existing: Record<string, unknown>,
  input: Input,
): Record<string, unknown> {
  const given = pick(input.body, UPDATABLE);
  checkPoolSettings(given);
  return {
    ...pick(existing, FIXED_AT_CREATION),
    ...pick(existing, MFA_SETTINGS),
    ...given,
  };
}

export function describePool(pool: PoolState) {
  const { record } = pool;
  const {
    Schema: _given,
    SmsMfaConfiguration: _sms,
    SoftwareTokenMfaConfiguration: _totp,
    EmailMfaConfiguration: _email,
    WebAuthnConfiguration: _webAuthn,
    ...settings
  } = record.settings;
  return {
    ...settings,
    SchemaAttributes: schemaOf(record.settings),
    Id: record.id,
    Name: record.name,
    Arn: `arn:aws:cognito-idp:${regionOf(record.id)}:000000000000:userpool/${record.id}`,
    Policies: { PasswordPolicy: policyOf(record.settings) },
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: false,
      ...(record.settings.AdminCreateUserConfig as object | undefined),
    },
    DeletionProtection: record.settings.DeletionProtection ?? "INACTIVE",
    MfaConfiguration: record.settings.MfaConfiguration ?? "OFF",
    EstimatedNumberOfUsers: pool.users.size,
    CreationDate: record.createdAt / 1000,
    LastModifiedDate: record.updatedAt / 1000,
  };
}

export function checkPoolName(name: string): void {
  if (name.length === 0)
    throw validationError("poolName", name, "Member must have length greater than or equal to 1");
  if (!/^[\w\s+=,.@-]+$/u.test(name)) {
    throw validationError(
      "poolName",
      name,
      "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    );
  }
}

/** Creates a pool with the given id, or replaces its settings (CreateUserPool, seed files). */
export function upsertPool(deps: Deps, id: string, input: Input): PoolState {
  if (!isUserPoolId(id)) throw new InvalidParameterException(`Invalid user pool id: ${id}`);
  const name = input.string("PoolName", 128);
  checkPoolName(name);
  const existing = deps.store.pool(id);
  const settings = poolSettings(input);
  if (existing) {
    // A seed applied again must not drop custom attributes added since (Cognito never removes one).
    const schema = settings.SchemaAttributes as SchemaAttribute[];
    for (const attribute of schemaOf(existing.record.settings)) {
      if (!schema.some((known) => known.Name === attribute.Name)) schema.push(attribute);
    }
  }
  const now = deps.clock.now();
  deps.store.putPool({
    id,
    name,
    settings,
    createdAt: existing?.record.createdAt ?? now,
    updatedAt: now,
  });
  return requirePool(deps.store, id);
}

/** Whether only administrators may create users (`SignUp` is refused). */
export const adminCreateOnly = (pool: PoolState) =>
  (pool.record.settings.AdminCreateUserConfig as { AllowAdminCreateUserOnly?: boolean } | undefined)
    ?.AllowAdminCreateUserOnly === true;

/** Whether the pool sends a code to verify a new user's email. */
export const verifiesEmail = (pool: PoolState) => {
  const auto = pool.record.settings.AutoVerifiedAttributes;
  return Array.isArray(auto) && auto.includes("email");
};

function clientSettings(input: Input): Record<string, unknown> {
  const { UserPoolId: _pool, ClientId: _id, GenerateSecret: _secret, ...settings } = input.body;
  input.string("ClientName", 128);
  validateExplicitAuthFlows(input.stringList("ExplicitAuthFlows") ?? []);
  const prevent = input.optionalString("PreventUserExistenceErrors");
  if (prevent !== undefined && prevent !== "ENABLED" && prevent !== "LEGACY") {
    throw new InvalidParameterException("PreventUserExistenceErrors must be ENABLED or LEGACY");
  }
  for (const [name, max] of [
    ["AccessTokenValidity", 86_400],
    ["IdTokenValidity", 86_400],
    ["RefreshTokenValidity", 315_360_000],
  ] as const) {
    input.integer(name, 1, max);
  }
  input.boolean("EnableTokenRevocation");
  input.object("TokenValidityUnits");
  return settings;
}

export function describeClient(client: ClientRecord) {
  return {
    ...client.settings,
    UserPoolId: client.poolId,
    ClientId: client.clientId,
    ...(client.clientSecret === null ? {} : { ClientSecret: client.clientSecret }),
    PreventUserExistenceErrors: client.settings.PreventUserExistenceErrors ?? "LEGACY",
    EnableTokenRevocation: client.settings.EnableTokenRevocation ?? true,
    CreationDate: client.createdAt / 1000,
    LastModifiedDate: client.updatedAt / 1000,
  };
}

/** Creates a client, or replaces its settings (keeping its secret). */
export function upsertClient(
  { store, clock }: Deps,
  pool: PoolState,
  input: Input,
  clientId = newClientId(),
): ClientRecord {
  const existing = pool.clients.get(clientId);
  if (!existing && store.poolOfClient(clientId)) {
    throw new InvalidParameterException(`Client id ${clientId} is used by another pool`);
  }
  const now = clock.now();
  const record: ClientRecord = {
    poolId: pool.record.id,
    clientId,
    clientSecret:
      existing?.clientSecret ?? (input.boolean("GenerateSecret") ? newClientSecret() : null),
    settings: clientSettings(input),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  store.putClient(record);
  return record;
}

/** One page of a small list (pools, clients, groups): the token is the next index. */
export function page<T>(
  items: T[],
  input: Input,
  limitName: string,
  tokenName: string,
  max: number,
): { slice: T[]; next: Record<string, string> } {
  const limit = input.integer(limitName, 1, max) ?? max;
  const token = input.optionalString(tokenName);
  const start = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new InvalidParameterException(`Invalid ${tokenName}`);
  }
  const end = start + limit;
  return {
    slice: items.slice(start, end),
    next: end < items.length ? { [tokenName]: String(end) } : {},
  };
}
