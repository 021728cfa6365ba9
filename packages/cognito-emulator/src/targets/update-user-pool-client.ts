import { Input } from "../input.ts";
import { requirePoolClient } from "../lookup.ts";
import { describeClient, upsertClient } from "../pools.ts";
import type { Services } from "../services.ts";

/** Replaces the client's settings, as Cognito does: a setting left out returns to its default. */
export const updateUserPoolClient = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const poolId = input.string("UserPoolId", 55);
  const { pool, client } = requirePoolClient(deps.store, poolId, input.string("ClientId", 128));
  // The name alone is kept when not given.
  const settings = input.has("ClientName")
    ? input
    : new Input({ ...input.body, ClientName: client.settings.ClientName });
  return { UserPoolClient: describeClient(upsertClient(deps, pool, settings, client.clientId)) };
};
