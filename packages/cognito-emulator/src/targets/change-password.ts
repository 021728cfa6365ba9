import { incorrectCredentials } from "../errors.ts";
import type { Input } from "../input.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken } from "../user-tokens.ts";
import { passwordMatches, withPassword } from "../users.ts";

export const changePassword =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const token = input.string("AccessToken", 16_384);
    const previous = input.string("PreviousPassword", 256);
    const proposed = input.string("ProposedPassword", 256);
    const { pool, user } = authenticateAccessToken(deps, token);
    if (!passwordMatches(user, previous)) throw incorrectCredentials();
    enforcePolicy(policyOf(pool.record.settings), proposed);
    deps.store.putUser(withPassword(user, proposed, deps.clock.now()));
    return {};
  };
