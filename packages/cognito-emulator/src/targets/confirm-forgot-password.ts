import { noSuchClientUser } from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { codeMismatch, redeemCode } from "../outbox.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import { withPassword } from "../users.ts";

export const confirmForgotPassword =
  (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
    const login = input.string("Username", 128);
    const code = input.string("ConfirmationCode", 2048);
    const password = input.string("Password", 256);
    const secretHash = input.optionalString("SecretHash", 128);
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    checkSecretHash(client, login, secretHash);
    const user = findUser(pool, login);
    if (!user) throw hidesUsers(client) ? codeMismatch() : noSuchClientUser();
    const now = deps.clock.now();
    redeemCode(deps.store, user, "resetCode", code, now);
    enforcePolicy(policyOf(pool.record.settings), password);
    deps.store.putUser({ ...withPassword(user, password, now), status: "CONFIRMED" });
    return {};
  };
