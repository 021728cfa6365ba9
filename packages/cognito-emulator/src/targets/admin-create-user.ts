import { UnsupportedUserStateException } from "../errors.ts";
import { type Input, validationError } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import { sendInvitation } from "../outbox.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import type { Services } from "../services.ts";
import { createUser, temporaryPassword, userType, withPassword } from "../users.ts";

/**
 * A FORCE_CHANGE_PASSWORD user and, unless `MessageAction: SUPPRESS`, an invitation with the
 * temporary password to the outbox. `RESEND` gives an existing such user a new temporary password
 * (the one given, or a random one), restarts its validity and sends the invitation again.
 */
export const adminCreateUser =
  (deps: Pick<Services, "store" | "clock" | "outbox" | "config">) => (input: Input) => {
    const username = input.string("Username", 128);
    const action = input.optionalString("MessageAction");
    if (action !== undefined && action !== "SUPPRESS" && action !== "RESEND") {
      throw validationError(
        "messageAction",
        action,
        "Member must satisfy enum value set: [RESEND, SUPPRESS]",
      );
    }
    const mediums = input.stringList("DesiredDeliveryMediums") ?? ["SMS"];
    if (mediums.some((medium) => medium !== "SMS" && medium !== "EMAIL")) {
      throw validationError(
        "desiredDeliveryMediums",
        mediums,
        "Member must satisfy constraint: [Member must satisfy enum value set: [SMS, EMAIL]]",
      );
    }
    const attributes = input.attributes("UserAttributes");
    const given = input.optionalString("TemporaryPassword", 256);
    const forceAlias = input.boolean("ForceAliasCreation") ?? false;
    input.attributes("ValidationData");
    input.stringMap("ClientMetadata");
    const pool = requirePool(deps.store, input.string("UserPoolId", 55));
    const password = given ?? temporaryPassword(pool);
    if (action === "RESEND") {
      const user = requireUser(pool, username);
      if (user.status !== "FORCE_CHANGE_PASSWORD") {
        throw new UnsupportedUserStateException(
          "User status must be FORCE_CHANGE_PASSWORD to resend",
        );
      }
      enforcePolicy(policyOf(pool.record.settings), password);
      const renewed = withPassword(user, password, deps.clock.now());
      deps.store.putUser(renewed);
      sendInvitation(deps, pool, renewed, { signInName: username, password, mediums });
      return { User: userType(renewed) };
    }
    const user = createUser(deps, pool, {
      username,
      attributes,
      password,
      status: "FORCE_CHANGE_PASSWORD",
      forceAlias,
      caller: "admin",
    });
    if (action !== "SUPPRESS") {
      sendInvitation(deps, pool, user, { signInName: username, password, mediums });
    }
    return { User: userType(user) };
  };
