import type { Input } from "../input.ts";
import { requirePoolClient } from "../lookup.ts";
import { describeClient } from "../pools.ts";
import type { Services } from "../services.ts";

export const describeUserPoolClient =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const poolId = input.string("UserPoolId", 55);
    const { client } = requirePoolClient(store, poolId, input.string("ClientId", 128));
    return { UserPoolClient: describeClient(client) };
  };
