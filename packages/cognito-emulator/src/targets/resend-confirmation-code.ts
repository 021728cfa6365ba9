import { InvalidParameterException } from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { deliveryToNobody, maskAddress, sendCode, verificationAddress } from "../outbox.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";

export const resendConfirmationCode =
  (deps: Pick<Services, "store" | "clock" | "outbox" | "config">) => (input: Input) => {
    const login = input.string("Username", 128);
    const secretHash = input.optionalString("SecretHash", 128);
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    checkSecretHash(client, login, secretHash);
    const user = findUser(pool, login);
    // A client that hides users answers as if a code went out.
    if (!user) return deliveryToNobody(hidesUsers(client), login);
    if (user.status !== "UNCONFIRMED") {
      throw new InvalidParameterException("User is already confirmed.");
    }
    // Where the sign-up code went, or else where the pool would send one.
    const previous = user.confirmationCode?.attribute;
    const value = previous === undefined ? undefined : user.attributes[previous];
    const address =
      previous !== undefined && value !== undefined
        ? { attribute: previous, value }
        : (verificationAddress(pool, user) ??
          (user.attributes.email
            ? { attribute: "email" as const, value: user.attributes.email }
            : null));
    if (!address) {
      throw new InvalidParameterException("Cannot resend codes. Auto verification not turned on.");
    }
    const confirmationCode = {
      ...sendCode(deps, pool, user, address.value, "ResendCode"),
      attribute: address.attribute,
    };
    deps.store.putUser({ ...user, confirmationCode, updatedAt: deps.clock.now() });
    return { CodeDeliveryDetails: maskAddress(address) };
  };
