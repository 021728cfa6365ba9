import { requireVerifiable, verifyAttribute } from "../attribute-verification.ts";
import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken } from "../user-tokens.ts";

/** Redeems the code of GetUserAttributeVerificationCode or UpdateUserAttributes. */
export const verifyUserAttribute =
  (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
    const token = input.string("AccessToken", 16_384);
    const name = input.string("AttributeName", 32);
    const code = input.string("Code", 2048);
    const { pool, user } = authenticateAccessToken(deps, token);
    verifyAttribute(deps, pool, user, requireVerifiable(name), code);
    return {};
  };
