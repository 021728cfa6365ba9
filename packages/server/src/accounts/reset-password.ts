// "Forgot your password?" through the API, so that the reset ends every earlier session: Cognito's
// ConfirmForgotPassword alone leaves refresh tokens working, and access tokens valid at any API
// that verifies them locally.
import { credentialProblem, isTransient, toProblem } from "../cognito/errors.ts";
import { checkPassword } from "../password-policy.ts";
import { Problem } from "../problems.ts";
import type { FlowDeps } from "./deps.ts";
import { endEverySession } from "./sign-out.ts";

type Deps = Pick<FlowDeps, "store" | "identity" | "policy" | "now" | "evict" | "logger">;

/**
 * Sends a reset code when the email signs an account in. Cognito is asked with the email itself
 * (the alias of a proven email), and hides whether anyone has it; so does this answer.
 */
export async function requestPasswordReset(deps: Deps, email: string): Promise<void> {
  try {
    await deps.identity.forgotPassword(email);
  } catch (error) {
    if (isTransient(error)) throw toProblem(error);
    const problem = credentialProblem(error);
    if (problem.code === "too_many_attempts") throw problem;
    // No such user, no verified email, a disabled user: the same answer as a code sent.
    deps.logger.info({ err: error }, "password reset asked for an email that cannot reset");
  }
}

export interface ConfirmResetInput {
  email: string;
  code: string;
  password: string;
}

/** Sets the new password with the emailed code, then ends every session from before it. */
export async function confirmPasswordReset(deps: Deps, input: ConfirmResetInput): Promise<void> {
  const broken = checkPassword(deps.policy, input.password);
  if (broken.length > 0) {
    throw new Problem("password_policy", "The password does not meet the policy.", broken);
  }
  const owner = await deps.store.findActiveByEmail(input.email);
  try {
    // By id when the account is known: the alias could move while the code is in the mail.
    await deps.identity.confirmForgotPassword(owner?.id ?? input.email, input.code, input.password);
  } catch (error) {
    throw credentialProblem(error, { code: "code", password: "password" });
  }
  if (owner) await endEverySession(deps, owner.id, null);
}
