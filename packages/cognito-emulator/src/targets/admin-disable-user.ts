import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";

/** A disabled user cannot sign in or refresh ("User is disabled."); enabling undoes it. */
export const setUserEnabled =
  (enabled: boolean) =>
  ({ store, clock }: Pick<Services, "store" | "clock">) =>
  (input: Input) => {
    const username = input.string("Username", 128);
    const user = requireUser(requirePool(store, input.string("UserPoolId", 55)), username);
    store.putUser({ ...user, enabled, updatedAt: clock.now() });
    return {};
  };

export const adminDisableUser = setUserEnabled(false);
