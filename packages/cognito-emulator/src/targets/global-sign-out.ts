import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken, signOutEverywhere } from "../user-tokens.ts";

export const globalSignOut =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const { pool, user } = authenticateAccessToken(deps, input.string("AccessToken", 16_384));
    signOutEverywhere(deps, pool, user);
    return {};
  };
