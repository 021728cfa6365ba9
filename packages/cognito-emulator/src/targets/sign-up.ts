import { NotAuthorizedException, UsernameExistsException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requireClient } from "../lookup.ts";
import { maskEmail, sendCode } from "../outbox.ts";
import { adminCreateOnly, verifiesEmail } from "../pools.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import { createUser } from "../users.ts";

/** Self sign-up: an UNCONFIRMED user, and a code to the outbox when the pool verifies email. */
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
    // Only a code can verify an email a user gave about themselves.
    const claimed = attributes.filter((a) => a.Name !== "email_verified");
    const user = createUser(deps, pool, {
      username,
      attributes: claimed,
      password,
      status: "UNCONFIRMED",
      forceAlias: false,
      caller: "user",
    });
    const email = user.attributes.email;
    if (!email || !verifiesEmail(pool)) return { UserConfirmed: false, UserSub: user.sub };
    const confirmationCode = sendCode(deps, pool, user, email, "SignUp");
    deps.store.putUser({ ...user, confirmationCode });
    return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: maskEmail(email) };
  };
