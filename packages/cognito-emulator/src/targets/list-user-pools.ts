import type { Input } from "../input.ts";
import { page } from "../pools.ts";
import type { Services } from "../services.ts";

export const listUserPools =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    // MaxResults is required by Cognito.
    if (!input.has("MaxResults")) input.string("MaxResults");
    const { slice, next } = page(store.allPools(), input, "MaxResults", "NextToken", 60);
    return {
      UserPools: slice.map((pool) => ({
        Id: pool.record.id,
        Name: pool.record.name,
        CreationDate: pool.record.createdAt / 1000,
        LastModifiedDate: pool.record.updatedAt / 1000,
      })),
      ...next,
    };
  };
