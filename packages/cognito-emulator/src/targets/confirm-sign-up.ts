import { NotAuthorizedException, noSuchClientUser } from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { codeMismatch, redeemCode } from "../outbox.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import type { UserRecord } from "../store.ts";
import { claimAlias } from "../users.ts";

export const cannotConfirm = (user: UserRecord) =>
  new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);

/** The code proves the address it went to: the user is CONFIRMED with it verified. */
export const confirmSignUp = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const login = input.string("Username", 128);
  const code = input.string("ConfirmationCode", 2048);
  const secretHash = input.optionalString("SecretHash", 128);
  const forceAlias = input.boolean("ForceAliasCreation") ?? false;
  const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
  checkSecretHash(client, login, secretHash);
  const user = findUser(pool, login);
  if (!user) throw hidesUsers(client) ? codeMismatch() : noSuchClientUser();
  if (user.status !== "UNCONFIRMED") throw cannotConfirm(user);
  const proved = user.confirmationCode?.attribute ?? "email";
  const now = deps.clock.now();
  redeemCode(deps.store, user, "confirmationCode", code, now);
  const confirmed: UserRecord = {
    ...user,
    attributes: { ...user.attributes, [`${proved}_verified`]: "true" },
    status: "CONFIRMED",
    confirmationCode: null,
    updatedAt: now,
  };
  claimAlias(deps, pool, confirmed, forceAlias);
  deps.store.putUser(confirmed);
  return {};
};
