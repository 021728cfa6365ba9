import type { Input } from "../input.ts";
import { requirePoolClient } from "../lookup.ts";
import type { Services } from "../services.ts";

/** The client is gone: its id is unknown to every operation, and its refresh tokens stop working. */
export const deleteUserPoolClient =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const poolId = input.string("UserPoolId", 55);
    const { pool, client } = requirePoolClient(store, poolId, input.string("ClientId", 128));
    store.deleteClient(pool.record.id, client.clientId);
    return {};
  };
