import { createGroup as addGroup, groupType } from "../groups.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { checkRoleArn } from "../pool-checks.ts";
import type { Services } from "../services.ts";

export const createGroup = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const name = input.string("GroupName", 128);
  const description = input.optionalString("Description") ?? null;
  const precedence = input.integer("Precedence", 0, 2_147_483_647) ?? null;
  checkRoleArn(input.body);
  const roleArn = input.optionalString("RoleArn") ?? null;
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  return { Group: groupType(addGroup(deps, pool, { name, description, precedence, roleArn })) };
};
