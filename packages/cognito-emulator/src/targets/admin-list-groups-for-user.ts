import { groupType } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import { page } from "../pools.ts";
import type { Services } from "../services.ts";

export const adminListGroupsForUser =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const username = input.string("Username", 128);
    const pool = requirePool(store, input.string("UserPoolId", 55));
    const user = requireUser(pool, username);
    const groups = user.groups.flatMap((name) => pool.groups.get(name) ?? []);
    const { slice, next } = page(groups, input, "Limit", "NextToken", 60);
    return { Groups: slice.map(groupType), ...next };
  };
