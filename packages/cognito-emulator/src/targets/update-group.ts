import { groupType, requireGroup } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { checkRoleArn } from "../pool-checks.ts";
import type { Services } from "../services.ts";

/** Changes what is given (description, precedence, role); what is left out stays. */
export const updateGroup = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const name = input.string("GroupName", 128);
  const description = input.optionalString("Description", 2048);
  const precedence = input.integer("Precedence", 0, 2_147_483_647);
  checkRoleArn(input.body);
  const roleArn = input.optionalString("RoleArn");
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const group = requireGroup(pool, name);
  const updated = {
    ...group,
    ...(description === undefined ? {} : { description }),
    ...(precedence === undefined ? {} : { precedence }),
    ...(roleArn === undefined ? {} : { roleArn }),
    updatedAt: deps.clock.now(),
  };
  deps.store.putGroup(updated);
  return { Group: groupType(updated) };
};
