import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { checkPoolName, updatedPoolSettings } from "../pools.ts";
import type { Services } from "../services.ts";

/**
 * Replaces the pool's updatable settings, as Cognito does: a setting left out returns to its
 * default. The schema, sign-in attributes and case sensitivity stay as created.
 */
export const updateUserPool = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const name = input.optionalString("PoolName", 128);
  if (name !== undefined) checkPoolName(name);
  const settings = updatedPoolSettings(pool.record.settings, input);
  deps.store.putPool({
    ...pool.record,
    name: name ?? pool.record.name,
    settings,
    updatedAt: deps.clock.now(),
  });
  return {};
};
