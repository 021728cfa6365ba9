import { requireGroup } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import type { Services } from "../services.ts";

/** Members leave the group with it; their next tokens no longer name it. */
export const deleteGroup =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const name = input.string("GroupName", 128);
    const pool = requirePool(store, input.string("UserPoolId", 55));
    requireGroup(pool, name);
    store.deleteGroup(pool.record.id, name);
    return {};
  };
