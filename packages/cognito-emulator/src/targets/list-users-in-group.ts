import { requireGroup } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { page } from "../pools.ts";
import type { Services } from "../services.ts";
import { userType } from "../users.ts";

export const listUsersInGroup =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const name = input.string("GroupName", 128);
    const pool = requirePool(store, input.string("UserPoolId", 55));
    requireGroup(pool, name);
    const members = [...(pool.members.get(name) ?? [])].flatMap((key) => pool.users.get(key) ?? []);
    const { slice, next } = page(members, input, "Limit", "NextToken", 60);
    return { Users: slice.map(userType), ...next };
  };
