// Changing the password while signed in: Cognito's ChangePassword with the caller's token, then
// every session from before it ends, the caller's included (the site signs in again with the new
// password it still holds).
import { credentialProblem } from "../cognito/errors.ts";
import type { Account } from "../db/index.ts";
import { checkPassword } from "../password-policy.ts";
import { Problem } from "../problems.ts";
import type { FlowDeps } from "./deps.ts";
import { endEverySession } from "./sign-out.ts";

type Deps = Pick<FlowDeps, "store" | "identity" | "policy" | "now" | "evict">;

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

export async function changePassword(
  deps: Deps,
  caller: { account: Account; accessToken: string; originJti: string | null },
  input: ChangePasswordInput,
): Promise<void> {
  const broken = checkPassword(deps.policy, input.newPassword).map((rule) => ({
    ...rule,
    field: "newPassword",
  }));
  if (broken.length > 0) {
    throw new Problem("password_policy", "The password does not meet the policy.", broken);
  }
  try {
    await deps.identity.changePassword(
      caller.accessToken,
      input.currentPassword,
      input.newPassword,
    );
  } catch (error) {
    throw credentialProblem(error, {
      password: "newPassword",
      currentPassword: "currentPassword",
    });
  }
  await endEverySession(deps, caller.account.id, caller.originJti);
}
