// Creating an account spans two stores that share no transaction. The steps are ordered so that
// every failure can be undone, and what a crash leaves is found by `reconcile`:
//   row `pending` → Cognito user (id = Username, email unverified) → permanent password →
//   row `unverified` → a code to the email. The account becomes `active` once its owner proves the
//   email (verify-email.ts).
import { randomUUID } from "node:crypto";
import { toProblem } from "../cognito/errors.ts";
import { type Account, EmailTakenError } from "../db/index.ts";
import { checkPassword } from "../password-policy.ts";
import { Problem } from "../problems.ts";
import type { FlowDeps } from "./deps.ts";

export type CreateAccountDeps = Omit<FlowDeps, "evict">;

export interface CreateAccountInput {
  name: string;
  /** Already normalised (email.ts). */
  email: string;
  password: string;
}

export const emailTaken = () =>
  new Problem("email_taken", "An account with this email already exists.");

export async function createAccount(
  deps: CreateAccountDeps,
  input: CreateAccountInput,
): Promise<Account> {
  const broken = checkPassword(deps.policy, input.password);
  if (broken.length > 0) {
    throw new Problem("password_policy", "The password does not meet the policy.", broken);
  }
  const id = randomUUID();
  let row: Account;
  try {
    row = await deps.store.insertPending({ id, email: input.email, name: input.name });
  } catch (error) {
    if (error instanceof EmailTakenError) throw emailTaken();
    throw error;
  }
  const account = await complete(deps, row, input.password);
  // The account exists whether or not the code goes out: the owner can ask for a new one.
  try {
    await deps.identity.sendVerificationCodeAs(account.id, input.password);
  } catch (error) {
    deps.logger.warn(
      { err: error, accountId: account.id },
      "could not send the verification code; the owner can ask for a new one",
    );
  }
  return account;
}

async function complete(deps: CreateAccountDeps, row: Account, password: string): Promise<Account> {
  const { identity, store } = deps;
  let userMayExist = false;
  try {
    // Before the call: a timeout or a lost answer can hide a user that was made all the same.
    userMayExist = true;
    const created = await identity.createUser(row.id, row.email);
    await identity.setPermanentPassword(row.id, password, created.temporaryPassword);
    const unverified = await store.markUnverified(row.id, created.sub);
    if (!unverified) throw new Error("the pending account row disappeared");
    return unverified;
  } catch (error) {
    await undo(deps, row.id, userMayExist);
    const problem = toProblem(error);
    if (problem.code === "internal") deps.logger.error({ err: error }, "account creation failed");
    throw problem;
  }
}

/** Removes what a failed creation made; what it cannot remove, `reconcile` does later. */
async function undo(deps: CreateAccountDeps, id: string, userMayExist: boolean): Promise<void> {
  try {
    // Deleting a user that is not there succeeds; the row stays until the user is surely gone.
    if (userMayExist) await deps.identity.deleteUser(id);
    await deps.store.delete(id);
  } catch (error) {
    deps.logger.error(
      { err: error, accountId: id },
      "could not undo a failed account creation; reconcile will remove it",
    );
  }
}
