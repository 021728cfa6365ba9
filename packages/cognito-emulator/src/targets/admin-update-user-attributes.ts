import { applyAttributeWrites } from "../attributes.ts";
import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";
import type { UserRecord } from "../store.ts";
import { claimAlias } from "../users.ts";

/** A changed email is unverified (and no longer signs in) unless `email_verified` is given too. */
export const adminUpdateUserAttributes =
  (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
    const username = input.string("Username", 128);
    const changes = input.attributes("UserAttributes");
    const pool = requirePool(deps.store, input.string("UserPoolId", 55));
    const user = requireUser(pool, username);
    const next: UserRecord = {
      ...user,
      attributes: applyAttributeWrites(pool, user.attributes, changes, {
        caller: "admin",
        creating: false,
      }),
      updatedAt: deps.clock.now(),
    };
    claimAlias(deps, pool, next, false);
    deps.store.putUser(next);
    return {};
  };
