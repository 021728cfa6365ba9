import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import { sendCode } from "../outbox.ts";
import type { Services } from "../services.ts";
import { resetDestination } from "./forgot-password.ts";

/** The password stops working (RESET_REQUIRED) and a code goes out for ConfirmForgotPassword. */
export const adminResetUserPassword =
  (deps: Pick<Services, "store" | "clock" | "outbox" | "config">) => (input: Input) => {
    const username = input.string("Username", 128);
    const pool = requirePool(deps.store, input.string("UserPoolId", 55));
    const user = requireUser(pool, username);
    const address = resetDestination(pool, user, { byAdmin: true });
    const resetCode = {
      ...sendCode(deps, pool, user, address.value, "AdminResetUserPassword"),
      attribute: address.attribute,
    };
    deps.store.putUser({
      ...user,
      status: "RESET_REQUIRED",
      resetCode,
      updatedAt: deps.clock.now(),
    });
    return {};
  };
