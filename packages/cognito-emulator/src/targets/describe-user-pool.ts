import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { describePool } from "../pools.ts";
import type { Services } from "../services.ts";

export const describeUserPool =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => ({
    UserPool: describePool(requirePool(store, input.string("UserPoolId", 55))),
  });
