import { groupType } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { page } from "../pools.ts";
import type { Services } from "../services.ts";

export const listGroups =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const pool = requirePool(store, input.string("UserPoolId", 55));
    const { slice, next } = page([...pool.groups.values()], input, "Limit", "NextToken", 60);
    return { Groups: slice.map(groupType), ...next };
  };
