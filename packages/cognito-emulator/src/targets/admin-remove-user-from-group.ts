import { requireGroup } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";

export const adminRemoveUserFromGroup =
  ({ store, clock }: Pick<Services, "store" | "clock">) =>
  (input: Input) => {
    const username = input.string("Username", 128);
    const name = input.string("GroupName", 128);
    const pool = requirePool(store, input.string("UserPoolId", 55));
    requireGroup(pool, name);
    const user = requireUser(pool, username);
    if (user.groups.includes(name)) {
      store.putUser({
        ...user,
        groups: user.groups.filter((group) => group !== name),
        updatedAt: clock.now(),
      });
    }
    return {};
  };
