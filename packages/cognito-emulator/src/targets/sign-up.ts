import {
  AliasExistsException,
  NotAuthorizedException,
  UsernameExistsException,
} from "../errors.ts";
import type { Input } from "../input.ts";
import { requireClient } from "../lookup.ts";
import { maskAddress, sendCode, verificationAddress } from "../outbox.ts";
import { adminCreateOnly } from "../pools.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import { createUser } from "../users.ts";

/**
 * Self sign-up: an UNCONFIRMED user, and a code to the outbox when the pool auto-verifies the
 * email or phone number given. Where the username is an email or phone number, another user
 * holding that address means the username is taken.
 */
export const signUp =
  (deps: Pick<Services, "store" | "clock" | "outbox" | "config">) => (input: Input) => {
    const username = input.string("Username", 128);
    const password = input.string("Password", 256);
    const attributes = input.attributes("UserAttributes");
    const secretHash = input.optionalString("SecretHash", 128);
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    if (adminCreateOnly(pool)) {
      throw new NotAuthorizedException("SignUp is not permitted for this user pool");
    }
    checkSecretHash(client, username, secretHash);
    if (pool.users.has(pool.userKey(username))) {
      throw new UsernameExistsException("User already exists");
    }
    // Only a code can verify an address a user gave about themselves.
    const claimed = attributes.filter(
      (a) => a.Name !== "email_verified" && a.Name !== "phone_number_verified",
    );
    let user: ReturnType<typeof createUser>;
    try {
      user = createUser(deps, pool, {
        username,
        attributes: claimed,
        password,
        status: "UNCONFIRMED",
        forceAlias: false,
        caller: "user",
      });
    } catch (error) {
      if (error instanceof AliasExistsException && pool.usernameAttributes.length > 0) {
        throw new UsernameExistsException(error.message);
      }
      throw error;
    }
    const address = verificationAddress(pool, user);
    if (!address) return { UserConfirmed: false, UserSub: user.sub };
    const confirmationCode = {
      ...sendCode(deps, pool, user, address.value, "SignUp"),
      attribute: address.attribute,
    };
    deps.store.putUser({ ...user, confirmationCode });
    return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: maskAddress(address) };
  };
