import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import type { Services } from "../services.ts";
import { withPassword } from "../users.ts";

/** Permanent: the user is CONFIRMED; otherwise the password is temporary (FORCE_CHANGE_PASSWORD). */
export const adminSetUserPassword = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  // Input is checked before anything is looked up, as Cognito does.
  const password = input.string("Password", 256);
  const permanent = input.boolean("Permanent") ?? false;
  const username = input.string("Username", 128);
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const user = requireUser(pool, username);
  enforcePolicy(policyOf(pool.record.settings), password);
  deps.store.putUser({
    ...withPassword(user, password, deps.clock.now()),
    status: permanent ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD",
  });
  return {};
};
