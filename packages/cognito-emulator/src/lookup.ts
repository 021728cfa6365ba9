// Finding the pool, client and user a request names, with Cognito's errors when they are not there.
import { clientNotFound, incorrectCredentials, poolNotFound, userDoesNotExist } from "./errors.ts";
import type { ClientRecord, PoolState, Store, UserRecord } from "./store.ts";

export function requirePool(store: Store, id: string): PoolState {
  const pool = store.pool(id);
  if (!pool) throw poolNotFound(id);
  return pool;
}

/** A client by id alone, as the unauthenticated (browser) operations name it. */
export function requireClient(
  store: Store,
  clientId: string,
): { pool: PoolState; client: ClientRecord } {
  const pool = store.poolOfClient(clientId);
  const client = pool?.clients.get(clientId);
  if (!pool || !client) throw clientNotFound(clientId);
  return { pool, client };
}

/** A pool and one of its own clients, as the admin operations name them. */
export function requirePoolClient(
  store: Store,
  poolId: string,
  clientId: string,
): { pool: PoolState; client: ClientRecord } {
  const pool = requirePool(store, poolId);
  const client = pool.clients.get(clientId);
  if (!client) throw clientNotFound(clientId);
  return { pool, client };
}

/** A user by username, the address that signs them in (email, phone number) or sub. */
export function findUser(pool: PoolState, login: string): UserRecord | undefined {
  const byName = pool.users.get(pool.userKey(login));
  if (byName) return byName;
  if (login.includes("@") && pool.signsInWith("email")) {
    const key = pool.byEmail.get(login.toLowerCase());
    if (key !== undefined) return pool.users.get(key);
  }
  if (login.startsWith("+") && pool.signsInWith("phone_number")) {
    const key = pool.byPhone.get(login);
    if (key !== undefined) return pool.users.get(key);
  }
  if (pool.signsInWith("preferred_username")) {
    const key = pool.byPreferredUsername.get(pool.userKey(login));
    if (key !== undefined) return pool.users.get(key);
  }
  const subKey = pool.bySub.get(login);
  return subKey === undefined ? undefined : pool.users.get(subKey);
}

export function requireUser(pool: PoolState, username: string): UserRecord {
  const user = findUser(pool, username);
  if (!user) throw userDoesNotExist();
  return user;
}

/** Whether the client hides which users exist (`PreventUserExistenceErrors: ENABLED`). */
export const hidesUsers = (client: ClientRecord) =>
  client.settings.PreventUserExistenceErrors === "ENABLED";

/** The error for an unknown user on a client: a wrong password when the client hides users. */
export function unknownUserError(client: ClientRecord): Error {
  return hidesUsers(client) ? incorrectCredentials() : userDoesNotExist();
}
