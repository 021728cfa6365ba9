import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken } from "../user-tokens.ts";

/** The signed-in user deletes themself: their refresh tokens go with them, access tokens stop working. */
export const deleteUser =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const { pool, user } = authenticateAccessToken(deps, input.string("AccessToken", 16_384));
    deps.store.deleteUser(pool.record.id, pool.userKey(user.username));
    return {};
  };
