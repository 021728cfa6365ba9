import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";

export const adminDeleteUser =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const username = input.string("Username", 128);
    const pool = requirePool(store, input.string("UserPoolId", 55));
    const user = requireUser(pool, username);
    store.deleteUser(pool.record.id, pool.userKey(user.username));
    return {};
  };
