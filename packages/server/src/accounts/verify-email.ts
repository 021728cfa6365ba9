// Proving the email. Several registrations of one email may exist (the owner's, and one made by
// someone who typed the owner's address); the first to prove the email owns it. Cognito's
// VerifyUserAttribute checks the code; the database decides between two registrations proving it
// at once (only one active account per email), and the loser is removed from both stores.
import { credentialProblem } from "../cognito/errors.ts";
import { type Account, EmailTakenError } from "../db/index.ts";
import { Problem } from "../problems.ts";
import { emailTaken } from "./create-account.ts";
import { removeRegistration } from "./delete-account.ts";
import type { FlowDeps } from "./deps.ts";

type Deps = Pick<FlowDeps, "store" | "identity" | "now" | "evict" | "logger">;

export interface Caller {
  account: Account;
  accessToken: string;
}

/**
 * Sends a new code. False when there is nothing to prove (the account is active already). A
 * registration whose email another account owns by now is removed, and answered 409.
 */
export async function sendVerificationCode(deps: Deps, caller: Caller): Promise<boolean> {
  if (caller.account.status === "active") return false;
  await refuseIfOwned(deps, caller.account);
  try {
    await deps.identity.sendVerificationCode(caller.accessToken);
  } catch (error) {
    throw credentialProblem(error);
  }
  return true;
}

/** Checks the code with Cognito, then makes the account the email's one active account. */
export async function verifyEmail(deps: Deps, caller: Caller, code: string): Promise<Account> {
  const { account } = caller;
  if (account.status === "active") return account;
  // Before Cognito is asked: a verification there would move the sign-in alias to this user.
  await refuseIfOwned(deps, account);
  try {
    await deps.identity.verifyEmail(caller.accessToken, code);
  } catch (error) {
    const problem = credentialProblem(error, { code: "code" });
    // Another user signs in with this email at Cognito: someone proved it first.
    if (problem.code === "email_taken") return lose(deps, account);
    // A verification whose answer was lost (or whose next step failed) is done at Cognito: the
    // retry's code is spent, but the email is proven.
    if (problem.code !== "code_mismatch" || !(await provenAtCognito(deps, account.id))) {
      throw problem;
    }
  }
  let active: Account | null;
  try {
    active = await deps.store.activate(account.id);
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    // Another registration proved the email first, in the same moment.
    return lose(deps, account);
  }
  deps.evict(account.id);
  if (!active) {
    const now = await deps.store.findById(account.id);
    if (now?.status === "active") return now;
    throw new Problem("unauthorized", "The account no longer exists.");
  }
  await removeOthers(deps, active);
  return active;
}

async function provenAtCognito(deps: Deps, id: string): Promise<boolean> {
  try {
    return (await deps.identity.getUser(id))?.emailVerified === true;
  } catch {
    return false;
  }
}

async function refuseIfOwned(deps: Deps, account: Account): Promise<void> {
  if (await deps.store.findActiveByEmail(account.email)) await lose(deps, account);
}

/** This registration's email belongs to another account: it goes, and its sessions end. */
async function lose(deps: Deps, account: Account): Promise<never> {
  await removeRegistration(deps, account.id);
  const owner = await deps.store.findActiveByEmail(account.email);
  // Cognito may have moved the alias to this registration before the database refused it.
  if (owner) await restoreAlias(deps, owner.id);
  throw emailTaken();
}

/** The others that registered this email: removed from both stores, their sessions ended. */
async function removeOthers(deps: Deps, owner: Account): Promise<void> {
  for (const other of await deps.store.listByEmail(owner.email)) {
    if (other.id === owner.id || other.status !== "unverified") continue;
    try {
      await removeRegistration(deps, other.id);
    } catch (error) {
      // Its tokens are refused already (its watermark, or the email is owned); reconcile finishes.
      deps.logger.warn(
        { err: error, accountId: other.id },
        "could not remove a registration that lost its email; reconcile will",
      );
    }
  }
  await restoreAlias(deps, owner.id);
}

async function restoreAlias(deps: Deps, id: string): Promise<void> {
  try {
    await deps.identity.markEmailVerified(id);
  } catch (error) {
    deps.logger.warn({ err: error, accountId: id }, "could not confirm the email alias");
  }
}
