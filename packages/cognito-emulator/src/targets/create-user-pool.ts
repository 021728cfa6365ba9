import { newUserPoolId } from "../ids.ts";
import type { Input } from "../input.ts";
import { describePool, upsertPool } from "../pools.ts";
import type { Services } from "../services.ts";

export const createUserPool =
  (deps: Pick<Services, "store" | "clock" | "config">) => (input: Input) => ({
    UserPool: describePool(upsertPool(deps, newUserPoolId(deps.config.region), input)),
  });
