import { NotAuthorizedException, UserNotFoundException } from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { checkCode } from "../outbox.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import type { UserRecord } from "../store.ts";
import { claimAlias } from "../users.ts";
import { attemptLimit, codeMismatch, expiredCode } from "./confirm-forgot-password.ts";

export const cannotConfirm = (user: UserRecord) =>
  new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);

/** The code proves the email: the user is CONFIRMED with `email_verified: true`. */
export const confirmSignUp = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const login = input.string("Username", 128);
  const code = input.string("ConfirmationCode", 2048);
  const secretHash = input.optionalString("SecretHash", 128);
  const forceAlias = input.boolean("ForceAliasCreation") ?? false;
  const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
  checkSecretHash(client, login, secretHash);
  const user = findUser(pool, login);
  if (!user) {
    if (hidesUsers(client)) throw codeMismatch();
    throw new UserNotFoundException("Username/client id combination not found.");
  }
  if (user.status !== "UNCONFIRMED") throw cannotConfirm(user);
  const pending = user.confirmationCode;
  if (!pending) throw codeMismatch();
  const now = deps.clock.now();
  switch (checkCode(pending, code, now)) {
    case "exhausted":
      throw attemptLimit();
    case "mismatch":
      deps.store.putUser({
        ...user,
        confirmationCode: { ...pending, attempts: pending.attempts + 1 },
      });
      throw codeMismatch();
    case "expired":
      throw expiredCode();
    case "ok":
      break;
  }
  const confirmed: UserRecord = {
    ...user,
    attributes: { ...user.attributes, email_verified: "true" },
    status: "CONFIRMED",
    confirmationCode: null,
    updatedAt: now,
  };
  claimAlias(deps, pool, confirmed, forceAlias);
  deps.store.putUser(confirmed);
  return {};
};
