// A declarative description of pools, clients, groups and users, applied idempotently at start so
// a local stack gets the same ids every time. Existing users are left as they are.
import { readFile } from "node:fs/promises";
import { InvalidParameterException } from "./errors.ts";
import { createGroup } from "./groups.ts";
import { Input } from "./input.ts";
import { findUser } from "./lookup.ts";
import { upsertClient, upsertPool } from "./pools.ts";
import type { Services } from "./services.ts";
import { prepareFixedBase } from "./srp.ts";
import { createUser } from "./users.ts";

export interface SeedUser {
  Username: string;
  /** Attribute name → value, e.g. `{ email: "a@example.com", email_verified: "true" }`. */
  Attributes?: Record<string, string>;
  /** A permanent password: the user is CONFIRMED. */
  Password?: string;
  /** A temporary password: the user must set a new one at first sign-in. */
  TemporaryPassword?: string;
  Groups?: string[];
}

export interface SeedClient extends Record<string, unknown> {
  ClientId: string;
  ClientName: string;
}

export interface SeedPool extends Record<string, unknown> {
  /** Fixed pool id, `<region>_<alphanumerics>`. */
  Id: string;
  PoolName: string;
  Clients?: SeedClient[];
  Groups?: { GroupName: string; Description?: string; Precedence?: number }[];
  Users?: SeedUser[];
}

export interface Seed {
  userPools: SeedPool[];
}

export async function readSeed(seed: Seed | string): Promise<Seed> {
  if (typeof seed !== "string") return seed;
  let text: string;
  try {
    text = await readFile(seed, "utf8");
  } catch (error) {
    throw new Error(`Cannot read seed file ${seed}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as Seed;
  } catch (error) {
    throw new Error(`Seed file ${seed} is not valid JSON: ${(error as Error).message}`);
  }
}

export function applySeed(services: Pick<Services, "store" | "clock">, seed: Seed): void {
  if (!seed || !Array.isArray(seed.userPools)) {
    throw new InvalidParameterException("A seed needs a `userPools` list");
  }
  for (const [index, entry] of seed.userPools.entries()) {
    const where = `userPools[${index}]`;
    const { Id, Clients = [], Groups = [], Users = [], ...settings } = entry;
    if (typeof Id !== "string") throw new InvalidParameterException(`${where}.Id is required`);
    const pool = upsertPool(services, Id, new Input(settings));
    for (const client of Clients) {
      if (!/^[0-9a-z]{1,128}$/.test(String(client.ClientId))) {
        throw new InvalidParameterException(`${where}: ClientId must be lowercase alphanumerics`);
      }
      const { ClientId, ...clientSettings } = client;
      upsertClient(services, pool, new Input(clientSettings), ClientId);
    }
    for (const group of Groups) {
      if (pool.groups.has(group.GroupName)) continue;
      createGroup(services, pool, {
        name: group.GroupName,
        description: group.Description ?? null,
        precedence: group.Precedence ?? null,
        roleArn: null,
      });
    }
    // Each new user's verifier is an exponentiation: past a handful, the table pays for itself.
    // A user is found by username, or by the address that stands in for one (UsernameAttributes).
    const missing = Users.filter((user) => !findUser(pool, user.Username));
    if (missing.length > 64) prepareFixedBase();
    for (const user of Users) {
      if (findUser(pool, user.Username)) continue;
      const groups = user.Groups ?? [];
      for (const group of groups) {
        if (!pool.groups.has(group)) {
          throw new InvalidParameterException(
            `${where}: user ${user.Username} names unknown group ${group}`,
          );
        }
      }
      const created = createUser(services, pool, {
        username: user.Username,
        attributes: Object.entries(user.Attributes ?? {}).map(([Name, Value]) => ({ Name, Value })),
        password: user.Password ?? user.TemporaryPassword ?? null,
        status: user.Password === undefined ? "FORCE_CHANGE_PASSWORD" : "CONFIRMED",
        forceAlias: false,
        caller: "admin",
      });
      if (groups.length > 0) services.store.putUser({ ...created, groups });
    }
  }
}
