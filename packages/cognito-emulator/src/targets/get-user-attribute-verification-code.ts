import {
  addressToVerify,
  requireVerifiable,
  withAttributeCode,
} from "../attribute-verification.ts";
import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken } from "../user-tokens.ts";

/** A fresh code for the signed-in user's email or phone number; it replaces any earlier one. */
export const getUserAttributeVerificationCode =
  (deps: Pick<Services, "store" | "clock" | "signer" | "outbox" | "config">) => (input: Input) => {
    const token = input.string("AccessToken", 16_384);
    const name = input.string("AttributeName", 32);
    input.stringMap("ClientMetadata");
    const { pool, user } = authenticateAccessToken(deps, token);
    const address = addressToVerify(user, requireVerifiable(name));
    const { user: next, delivery } = withAttributeCode(deps, pool, user, address);
    deps.store.putUser(next);
    return { CodeDeliveryDetails: delivery };
  };
