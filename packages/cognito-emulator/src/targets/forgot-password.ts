import { InvalidParameterException, NotAuthorizedException } from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { type Address, deliveryToNobody, maskAddress, sendCode } from "../outbox.ts";
import { recoveryMechanisms } from "../pool-checks.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import type { PoolState, UserRecord } from "../store.ts";
import { assertEnabled } from "../users.ts";

/** Without `AccountRecoverySetting`, Cognito's legacy order: SMS is preferred to email. */
const LEGACY = ["verified_phone_number", "verified_email"];

/**
 * The verified address a reset code goes to, by the pool's `AccountRecoverySetting`, or Cognito's
 * refusal. With `admin_only`, users cannot reset their own password; an administrator's reset
 * (`byAdmin`) still sends the code to a verified address.
 */
export function resetDestination(
  pool: PoolState,
  user: UserRecord,
  { byAdmin }: { byAdmin: boolean },
): Address {
  const configured = recoveryMechanisms(pool.record.settings);
  if (configured?.includes("admin_only") && !byAdmin) {
    throw new NotAuthorizedException("Contact administrator to reset password.");
  }
  if (user.status === "FORCE_CHANGE_PASSWORD") {
    throw new NotAuthorizedException("User password cannot be reset in the current state.");
  }
  const mechanisms = configured?.includes("admin_only") ? LEGACY : (configured ?? LEGACY);
  const { email, email_verified, phone_number, phone_number_verified } = user.attributes;
  for (const mechanism of mechanisms) {
    if (mechanism === "verified_email" && email && email_verified === "true") {
      return { attribute: "email", value: email };
    }
    if (mechanism === "verified_phone_number" && phone_number && phone_number_verified === "true") {
      return { attribute: "phone_number", value: phone_number };
    }
  }
  throw new InvalidParameterException(
    "Cannot reset password for the user as there is no registered/verified email or phone_number",
  );
}

export const forgotPassword =
  (deps: Pick<Services, "store" | "clock" | "outbox" | "config">) => (input: Input) => {
    const login = input.string("Username", 128);
    const secretHash = input.optionalString("SecretHash", 128);
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    checkSecretHash(client, login, secretHash);
    const user = findUser(pool, login);
    // A client that hides users answers as if a code went out.
    if (!user) return deliveryToNobody(hidesUsers(client), login);
    assertEnabled(user);
    const address = resetDestination(pool, user, { byAdmin: false });
    const resetCode = {
      ...sendCode(deps, pool, user, address.value, "ForgotPassword"),
      attribute: address.attribute,
    };
    deps.store.putUser({ ...user, resetCode, updatedAt: deps.clock.now() });
    return { CodeDeliveryDetails: maskAddress(address) };
  };
