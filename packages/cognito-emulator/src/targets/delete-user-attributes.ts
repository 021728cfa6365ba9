import { applyAttributeDeletes } from "../attributes.ts";
import { InvalidParameterException } from "../errors.ts";
import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import type { UserRecord } from "../store.ts";
import { authenticateAccessToken } from "../user-tokens.ts";
import { requireWritable } from "./update-user-attributes.ts";

/** The signed-in user deletes some of their attributes; deleting the email voids its pending code. */
export const deleteUserAttributes =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const token = input.string("AccessToken", 16_384);
    const names = input.stringList("UserAttributeNames");
    if (names === undefined) {
      throw new InvalidParameterException(
        "1 validation error detected: Value at 'userAttributeNames' failed to satisfy constraint: Member must not be null",
      );
    }
    const { pool, client, user } = authenticateAccessToken(deps, token);
    requireWritable(client, names);
    const attributes = applyAttributeDeletes(pool, user.attributes, names, { caller: "user" });
    const next: UserRecord = { ...user, attributes, updatedAt: deps.clock.now() };
    if (attributes.email === undefined) {
      next.verificationCode = null;
      next.pendingEmail = null;
    }
    deps.store.putUser(next);
    return {};
  };
