import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";
import { signOutEverywhere } from "../user-tokens.ts";

export const adminUserGlobalSignOut =
  (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
    const username = input.string("Username", 128);
    const pool = requirePool(deps.store, input.string("UserPoolId", 55));
    signOutEverywhere(deps, pool, requireUser(pool, username));
    return {};
  };
