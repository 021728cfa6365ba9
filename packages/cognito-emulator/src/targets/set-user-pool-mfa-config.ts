import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { mfaConfigOf, withMfaConfig } from "../mfa-config.ts";
import type { Services } from "../services.ts";

/** Keeps and reports the pool's MFA settings; no MFA challenge is issued at sign-in here. */
export const setUserPoolMfaConfig = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  deps.store.putPool({
    ...pool.record,
    settings: withMfaConfig(pool, input),
    updatedAt: deps.clock.now(),
  });
  return mfaConfigOf(pool);
};
