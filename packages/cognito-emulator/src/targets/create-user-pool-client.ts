import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { describeClient, upsertClient } from "../pools.ts";
import type { Services } from "../services.ts";

export const createUserPoolClient = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  return { UserPoolClient: describeClient(upsertClient(deps, pool, input)) };
};
