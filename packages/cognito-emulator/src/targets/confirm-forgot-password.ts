import {
  CodeMismatchException,
  ExpiredCodeException,
  LimitExceededException,
  UserNotFoundException,
} from "../errors.ts";
import type { Input } from "../input.ts";
import { findUser, hidesUsers, requireClient } from "../lookup.ts";
import { checkCode } from "../outbox.ts";
import { enforcePolicy, policyOf } from "../password-policy.ts";
import type { Services } from "../services.ts";
import { checkSecretHash } from "../sign-in.ts";
import { withPassword } from "../users.ts";

export const codeMismatch = () =>
  new CodeMismatchException("Invalid verification code provided, please try again.");
export const attemptLimit = () =>
  new LimitExceededException("Attempt limit exceeded, please try after some time.");
export const expiredCode = () =>
  new ExpiredCodeException("Invalid code provided, please request a code again.");

export const confirmForgotPassword =
  (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
    const login = input.string("Username", 128);
    const code = input.string("ConfirmationCode", 2048);
    const password = input.string("Password", 256);
    const secretHash = input.optionalString("SecretHash", 128);
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    checkSecretHash(client, login, secretHash);
    const user = findUser(pool, login);
    if (!user) {
      if (hidesUsers(client)) throw codeMismatch();
      throw new UserNotFoundException("Username/client id combination not found.");
    }
    const now = deps.clock.now();
    const pending = user.resetCode;
    if (!pending) throw codeMismatch();
    switch (checkCode(pending, code, now)) {
      case "exhausted":
        throw attemptLimit();
      case "mismatch":
        deps.store.putUser({ ...user, resetCode: { ...pending, attempts: pending.attempts + 1 } });
        throw codeMismatch();
      case "expired":
        throw expiredCode();
      case "ok":
        break;
    }
    enforcePolicy(policyOf(pool.record.settings), password);
    deps.store.putUser({ ...withPassword(user, password, now), status: "CONFIRMED" });
    return {};
  };
