import { groupType, requireGroup } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import type { Services } from "../services.ts";

export const getGroup =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const name = input.string("GroupName", 128);
    const pool = requirePool(store, input.string("UserPoolId", 55));
    return { Group: groupType(requireGroup(pool, name)) };
  };
