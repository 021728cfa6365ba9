import { emailToVerify, requireVerifiable, withAttributeCode } from "../attribute-verification.ts";
import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken } from "../user-tokens.ts";

/** A fresh code for the signed-in user's email; it replaces any earlier one. */
export const getUserAttributeVerificationCode =
  (deps: Pick<Services, "store" | "clock" | "signer" | "outbox" | "config">) => (input: Input) => {
    const token = input.string("AccessToken", 16_384);
    const name = input.string("AttributeName", 32);
    input.stringMap("ClientMetadata");
    const { pool, user } = authenticateAccessToken(deps, token);
    requireVerifiable(name);
    const { user: next, delivery } = withAttributeCode(deps, pool, user, emailToVerify(user));
    deps.store.putUser(next);
    return { CodeDeliveryDetails: delivery };
  };
