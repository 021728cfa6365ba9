import { applyAttributeDeletes } from "../attributes.ts";
import { InvalidParameterException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";

export const adminDeleteUserAttributes =
  (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
    const username = input.string("Username", 128);
    const names = input.stringList("UserAttributeNames");
    if (names === undefined) {
      throw new InvalidParameterException(
        "1 validation error detected: Value null at 'userAttributeNames' failed to satisfy constraint: Member must not be null",
      );
    }
    const pool = requirePool(deps.store, input.string("UserPoolId", 55));
    const user = requireUser(pool, username);
    const attributes = applyAttributeDeletes(pool, user.attributes, names, { caller: "admin" });
    deps.store.putUser({ ...user, attributes, updatedAt: deps.clock.now() });
    return {};
  };
