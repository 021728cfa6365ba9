import { InvalidParameterException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import type { Services } from "../services.ts";

export const deleteUserPool =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const pool = requirePool(store, input.string("UserPoolId", 55));
    if (pool.record.settings.DeletionProtection === "ACTIVE") {
      throw new InvalidParameterException(
        "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
      );
    }
    store.deletePool(pool.record.id);
    return {};
  };
