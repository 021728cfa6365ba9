import { InvalidParameterException, NotAuthorizedException } from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { deliveryToNobody, maskEmail, sendCode } from "../outbox.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import type { UserRecord } from "../store.ts";
import { assertEnabled } from "../users.ts";

/** The verified email a reset code can go to, or Cognito's refusal. */
export function resetDestination(user: UserRecord): string {
  if (user.status === "FORCE_CHANGE_PASSWORD") {
    throw new NotAuthorizedException("User password cannot be reset in the current state.");
  }
  const email = user.attributes.email;
  if (!email || user.attributes.email_verified !== "true") {
    throw new InvalidParameterException(
      "Cannot reset password for the user as there is no registered/verified email or phone_number",
    );
  }
  return email;
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
    const email = resetDestination(user);
    const resetCode = sendCode(deps, pool, user, email, "ForgotPassword");
    deps.store.putUser({ ...user, resetCode, updatedAt: deps.clock.now() });
    return { CodeDeliveryDetails: maskEmail(email) };
  };
