import { withAttributeCode } from "../attribute-verification.ts";
import { applyAttributeWrites } from "../attributes.ts";
import { NotAuthorizedException } from "../errors.ts";
import type { Input } from "../input.ts";
import type { CodeDelivery } from "../outbox.ts";
import type { Services } from "../services.ts";
import type { ClientRecord, PoolState, UserRecord } from "../store.ts";
import { authenticateAccessToken } from "../user-tokens.ts";
import { claimAlias } from "../users.ts";

/** Refuses attributes the app client may not write (its `WriteAttributes`, when it names some). */
export function requireWritable(client: ClientRecord, names: readonly string[]): void {
  const writable = client.settings.WriteAttributes;
  if (!Array.isArray(writable)) return;
  if (names.some((name) => !writable.includes(name))) {
    throw new NotAuthorizedException("A client attempted to write unauthorized attribute");
  }
}

const autoVerifies = (pool: PoolState, name: string) => {
  const auto = pool.record.settings.AutoVerifiedAttributes;
  return Array.isArray(auto) && auto.includes(name);
};

/** Whether a new email waits for its code before it replaces a verified one. */
function holdsEmailUntilVerified(pool: PoolState): boolean {
  const settings = pool.record.settings.UserAttributeUpdateSettings as
    | { AttributesRequireVerificationBeforeUpdate?: unknown }
    | undefined;
  const held = settings?.AttributesRequireVerificationBeforeUpdate;
  return Array.isArray(held) && held.includes("email");
}

/**
 * The signed-in user changes their attributes. A new email (or phone number) is unverified and,
 * when the pool auto-verifies it, gets a code (one code: the email's when both change); in a pool whose `UserAttributeUpdateSettings` hold email until
 * verified, a verified email stays (and keeps signing in) until VerifyUserAttribute redeems the code
 * sent to the new one.
 */
export const updateUserAttributes =
  (deps: Pick<Services, "store" | "clock" | "signer" | "outbox" | "config">) => (input: Input) => {
    const token = input.string("AccessToken", 16_384);
    const changes = input.attributes("UserAttributes");
    input.stringMap("ClientMetadata");
    const { pool, client, user } = authenticateAccessToken(deps, token);
    requireWritable(
      client,
      changes.map((change) => change.Name),
    );
    const attributes = applyAttributeWrites(pool, user.attributes, changes, {
      caller: "user",
      creating: false,
    });
    const now = deps.clock.now();
    let next: UserRecord = { ...user, attributes, updatedAt: now };
    const newEmail = attributes.email;
    const deliveries: CodeDelivery[] = [];
    if (newEmail !== undefined && newEmail !== user.attributes.email) {
      const hold = holdsEmailUntilVerified(pool) && user.attributes.email_verified === "true";
      if (hold) {
        // The verified address stays until the new one is proved.
        next.attributes = {
          ...attributes,
          email: user.attributes.email ?? newEmail,
          email_verified: "true",
        };
        next.pendingEmail = newEmail;
      } else {
        next.pendingEmail = null;
      }
      if (hold || autoVerifies(pool, "email")) {
        const sent = withAttributeCode(deps, pool, next, { attribute: "email", value: newEmail });
        next = sent.user;
        deliveries.push(sent.delivery);
      }
    } else if (attributes.email === undefined) {
      next.pendingEmail = null;
    }
    const newPhone = attributes.phone_number;
    if (
      deliveries.length === 0 &&
      newPhone !== undefined &&
      newPhone !== user.attributes.phone_number &&
      autoVerifies(pool, "phone_number")
    ) {
      const sent = withAttributeCode(deps, pool, next, {
        attribute: "phone_number",
        value: newPhone,
      });
      next = sent.user;
      deliveries.push(sent.delivery);
    }
    claimAlias(deps, pool, next, false);
    deps.store.putUser(next);
    return deliveries.length > 0 ? { CodeDeliveryDetailsList: deliveries } : {};
  };
