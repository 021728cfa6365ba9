import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";
import { cannotConfirm } from "./confirm-sign-up.ts";

/** Confirms without a code; the email stays as verified (or not) as it was. */
export const adminConfirmSignUp =
  ({ store, clock }: Pick<Services, "store" | "clock">) =>
  (input: Input) => {
    const username = input.string("Username", 128);
    const user = requireUser(requirePool(store, input.string("UserPoolId", 55)), username);
    if (user.status !== "UNCONFIRMED") throw cannotConfirm(user);
    store.putUser({ ...user, status: "CONFIRMED", confirmationCode: null, updatedAt: clock.now() });
    return {};
  };
