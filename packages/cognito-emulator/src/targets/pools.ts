// User pools and app clients.
import { clientNotFound, InvalidParameterException } from "../errors.ts";
import { isUserPoolId, newClientId, newClientSecret, newUserPoolId, regionOf } from "../ids.ts";
import type { Input } from "../input.ts";
import { policyOf } from "../password-policy.ts";
import { requirePool, type Services } from "../services.ts";
import type { ClientRecord, PoolRecord, PoolState } from "../store.ts";

type Deps = Pick<Services, "store" | "clock">;

const ALIASES = new Set(["email", "phone_number", "preferred_username"]);
const FLOWS_NEW = new Set([
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_CUSTOM_AUTH",
  "ALLOW_USER_AUTH",
]);
const FLOWS_LEGACY = new Set(["ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"]);

/** Checks the settings Cognito checks and applies its defaults where behaviour depends on them. */
function poolSettings(input: Input): Record<string, unknown> {
  const { PoolName: _name, ...settings } = input.body;
  const aliases = input.stringList("AliasAttributes") ?? [];
  for (const alias of aliases) {
    if (!ALIASES.has(alias)) {
      throw new InvalidParameterException(`Invalid AliasAttributes value: ${alias}`);
    }
  }
  if (aliases.length > 0 && input.has("UsernameAttributes")) {
    throw new InvalidParameterException(
      "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    );
  }
  input.object("Policies");
  input.object("AdminCreateUserConfig");
  input.object("UsernameConfiguration");
  const deletion = input.optionalString("DeletionProtection");
  if (deletion !== undefined && deletion !== "ACTIVE" && deletion !== "INACTIVE") {
    throw new InvalidParameterException("DeletionProtection must be ACTIVE or INACTIVE");
  }
  return settings;
}

export function describePool(pool: PoolState) {
  const { record } = pool;
  return {
    ...record.settings,
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

export const createUserPool =
  ({ store, clock }: Deps, region: string) =>
  (input: Input) => {
    const name = input.string("PoolName", 128);
    if (name.length === 0) throw new InvalidParameterException("PoolName must not be empty");
    const now = clock.now();
    const record: PoolRecord = {
      id: newUserPoolId(region),
      name,
      settings: poolSettings(input),
      createdAt: now,
      updatedAt: now,
    };
    store.putPool(record);
    return { UserPool: describePool(requirePool(store, record.id)) };
  };

/** Creates a pool with a given id, or updates its settings (seed files). */
export function upsertPool(deps: Deps, id: string, input: Input): PoolState {
  if (!isUserPoolId(id)) throw new InvalidParameterException(`Invalid user pool id: ${id}`);
  const existing = deps.store.pool(id);
  const now = deps.clock.now();
  deps.store.putPool({
    id,
    name: input.string("PoolName", 128),
    settings: poolSettings(input),
    createdAt: existing?.record.createdAt ?? now,
    updatedAt: now,
  });
  return requirePool(deps.store, id);
}

export const describeUserPool =
  ({ store }: Deps) =>
  (input: Input) => ({
    UserPool: describePool(requirePool(store, input.string("UserPoolId", 55))),
  });

function page<T>(items: T[], input: Input, limitName: string, tokenName: string, max: number) {
  const limit = input.integer(limitName, 1, max) ?? max;
  const token = input.optionalString(tokenName);
  const start = token === undefined ? 0 : Number.parseInt(token, 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new InvalidParameterException(`Invalid ${tokenName}`);
  }
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : undefined;
  return { slice, next };
}

export const listUserPools =
  ({ store }: Deps) =>
  (input: Input) => {
    if (!input.has("MaxResults")) input.string("MaxResults");
    const { slice, next } = page(store.allPools(), input, "MaxResults", "NextToken", 60);
    return {
      UserPools: slice.map((pool) => ({
        Id: pool.record.id,
        Name: pool.record.name,
        CreationDate: pool.record.createdAt / 1000,
        LastModifiedDate: pool.record.updatedAt / 1000,
      })),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  };

export const deleteUserPool =
  ({ store }: Deps) =>
  (input: Input) => {
    const pool = requirePool(store, input.string("UserPoolId", 55));
    if (pool.record.settings.DeletionProtection === "ACTIVE") {
      throw new InvalidParameterException(
        "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
      );
    }
    store.deletePool(pool.record.id);
    return {};
  };

function clientSettings(input: Input): Record<string, unknown> {
  const { UserPoolId: _pool, ClientId: _id, GenerateSecret: _secret, ...settings } = input.body;
  input.string("ClientName", 128);
  const flows = input.stringList("ExplicitAuthFlows") ?? [];
  for (const flow of flows) {
    if (!FLOWS_NEW.has(flow) && !FLOWS_LEGACY.has(flow)) {
      throw new InvalidParameterException(`Invalid ExplicitAuthFlows value: ${flow}`);
    }
  }
  if (flows.some((f) => FLOWS_NEW.has(f)) && flows.some((f) => FLOWS_LEGACY.has(f))) {
    throw new InvalidParameterException(
      "The combination of legacy and new explicit auth flows is not allowed.",
    );
  }
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
  return settings;
}

export function describeClient(client: ClientRecord) {
  return {
    ...client.settings,
    UserPoolId: client.poolId,
    ClientId: client.clientId,
    ...(client.clientSecret === null ? {} : { ClientSecret: client.clientSecret }),
    PreventUserExistenceErrors: client.settings.PreventUserExistenceErrors ?? "LEGACY",
    CreationDate: client.createdAt / 1000,
    LastModifiedDate: client.updatedAt / 1000,
  };
}

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

export const createUserPoolClient = (deps: Deps) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  return { UserPoolClient: describeClient(upsertClient(deps, pool, input)) };
};

function requirePoolClient(deps: Deps, input: Input): { pool: PoolState; client: ClientRecord } {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const clientId = input.string("ClientId", 128);
  const client = pool.clients.get(clientId);
  if (!client) throw clientNotFound(clientId);
  return { pool, client };
}

export const describeUserPoolClient = (deps: Deps) => (input: Input) => ({
  UserPoolClient: describeClient(requirePoolClient(deps, input).client),
});

export const updateUserPoolClient = (deps: Deps) => (input: Input) => {
  const { pool, client } = requirePoolClient(deps, input);
  return { UserPoolClient: describeClient(upsertClient(deps, pool, input, client.clientId)) };
};

export const listUserPoolClients = (deps: Deps) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const { slice, next } = page([...pool.clients.values()], input, "MaxResults", "NextToken", 60);
  return {
    UserPoolClients: slice.map((client) => ({
      ClientId: client.clientId,
      UserPoolId: client.poolId,
      ClientName: client.settings.ClientName,
    })),
    ...(next === undefined ? {} : { NextToken: next }),
  };
};
