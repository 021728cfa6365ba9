import { GroupExistsException, ResourceNotFoundException } from "./errors.ts";
import type { Services } from "./services.ts";
import type { GroupRecord, PoolState } from "./store.ts";

export interface NewGroup {
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
}

export function createGroup(
  deps: Pick<Services, "store" | "clock">,
  pool: PoolState,
  group: NewGroup,
): GroupRecord {
  if (pool.groups.has(group.name)) {
    throw new GroupExistsException("A group with the name already exists.");
  }
  const now = deps.clock.now();
  const record: GroupRecord = { poolId: pool.record.id, ...group, createdAt: now, updatedAt: now };
  deps.store.putGroup(record);
  return record;
}

export function requireGroup(pool: PoolState, name: string): GroupRecord {
  const group = pool.groups.get(name);
  if (!group) throw new ResourceNotFoundException("Group not found.");
  return group;
}

/** Cognito's `GroupType`. */
export function groupType(group: GroupRecord) {
  return {
    GroupName: group.name,
    UserPoolId: group.poolId,
    ...(group.description === null ? {} : { Description: group.description }),
    ...(group.precedence === null ? {} : { Precedence: group.precedence }),
    ...(group.roleArn === null ? {} : { RoleArn: group.roleArn }),
    CreationDate: group.createdAt / 1000,
    LastModifiedDate: group.updatedAt / 1000,
  };
}
