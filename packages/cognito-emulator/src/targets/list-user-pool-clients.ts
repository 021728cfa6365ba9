import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { page } from "../pools.ts";
import type { Services } from "../services.ts";

export const listUserPoolClients =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const pool = requirePool(store, input.string("UserPoolId", 55));
    const clients = [...pool.clients.values()];
    const { slice, next } = page(clients, input, "MaxResults", "NextToken", 60);
    return {
      UserPoolClients: slice.map((client) => ({
        ClientId: client.clientId,
        UserPoolId: client.poolId,
        ClientName: client.settings.ClientName,
      })),
      ...next,
    };
  };
