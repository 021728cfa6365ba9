import { InvalidParameterException, UnsupportedUserStateException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";
import { createUser, userType } from "../users.ts";

export const adminCreateUser = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const username = input.string("Username", 128);
  const action = input.optionalString("MessageAction");
  if (action !== undefined && action !== "SUPPRESS" && action !== "RESEND") {
    throw new InvalidParameterException("MessageAction must be SUPPRESS or RESEND");
  }
  const attributes = input.attributes("UserAttributes");
  const password = input.optionalString("TemporaryPassword", 256) ?? null;
  const forceAlias = input.boolean("ForceAliasCreation") ?? false;
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  if (action === "RESEND") {
    // Nothing is sent by this emulator; the user is answered as Cognito answers a resend.
    const user = requireUser(pool, username);
    if (user.status !== "FORCE_CHANGE_PASSWORD") {
      throw new UnsupportedUserStateException(
        "User status must be FORCE_CHANGE_PASSWORD to resend",
      );
    }
    return { User: userType(user) };
  }
  const user = createUser(deps, pool, {
    username,
    attributes,
    password,
    status: "FORCE_CHANGE_PASSWORD",
    forceAlias,
    caller: "admin",
  });
  return { User: userType(user) };
};
