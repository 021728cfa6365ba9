// Creating an account spans two stores that share no transaction. The steps are ordered so that
// every failure can be undone, and a retry after a crash finishes the job instead of failing:
//   row `pending` → Cognito user (id = Username) → permanent password → row `active`.
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { toProblem } from "../cognito/errors.ts";
import type { Identity } from "../cognito/identity.ts";
import { type Account, type AccountStore, EmailTakenError } from "../db/index.ts";
import { checkPassword, type PasswordPolicy } from "../password-policy.ts";
import { Problem } from "../problems.ts";

export interface CreateAccountDeps {
  store: AccountStore;
  identity: Identity;
  policy: PasswordPolicy;
  logger: FastifyBaseLogger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** A `pending` row untouched this long was left by a crash, not by a request in flight. */
  staleAfterMs?: number;
}

export interface CreateAccountInput {
  name: string;
  email: string;
  password: string;
}

/**
 * A `pending` row untouched this long is not a request in flight: every Cognito call ends within
 * its deadline (cognito/client.ts), so a whole creation takes well under this.
 */
const STALE_AFTER_MS = 30_000;
const staleAfter = (deps: CreateAccountDeps) => deps.staleAfterMs ?? STALE_AFTER_MS;

const emailTaken = () => new Problem("email_taken", "An account with this email already exists.");

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
    if (error instanceof EmailTakenError) return resumeStale(deps, input);
    throw error;
  }
  return complete(deps, row, input.password, false);
}

/** The email has a row. A stale `pending` one is finished with this request's details. */
async function resumeStale(deps: CreateAccountDeps, input: CreateAccountInput): Promise<Account> {
  const existing = await deps.store.findByEmail(input.email);
  if (existing?.status !== "pending") throw emailTaken();
  const staleBefore = deps.now() - staleAfter(deps);
  if (existing.updatedAt.getTime() >= staleBefore) throw emailTaken();
  // Claim it atomically, so two retries cannot both resume it.
  const claimed = await deps.store.claimStalePending(
    existing.id,
    new Date(staleBefore),
    input.name,
  );
  if (!claimed) throw emailTaken();
  deps.logger.info({ accountId: claimed.id }, "resuming an account creation a crash left pending");
  return complete(deps, claimed, input.password, true);
}

async function complete(
  deps: CreateAccountDeps,
  row: Account,
  password: string,
  resumed: boolean,
): Promise<Account> {
  const { identity, store } = deps;
  let userMayExist = false;
  try {
    const existing = resumed ? await identity.getUser(row.id) : null;
    let sub: string;
    if (existing?.sub) {
      userMayExist = true;
      sub = existing.sub;
      // The temporary password of the interrupted attempt is unknown: set the password directly.
      await identity.setPermanentPassword(row.id, password, null);
    } else {
      // Before the call: a timeout or a lost answer can hide a user that was made all the same.
      userMayExist = true;
      const created = await identity.createUser(row.id, row.email);
      sub = created.sub;
      await identity.setPermanentPassword(row.id, password, created.temporaryPassword);
    }
    const active = await store.activate(row.id, sub);
    if (!active) throw new Error("the pending account row disappeared");
    return active;
  } catch (error) {
    const undone = await undo(deps, row.id, userMayExist);
    const problem = toProblem(error);
    if (problem.code === "internal") deps.logger.error({ err: error }, "account creation failed");
    if (undone || problem.code !== "identity_unavailable") throw problem;
    // The row stays (pending) until the user is surely gone, and holds the email meanwhile: a
    // client that waits as told finds it stale, and its retry finishes the account.
    throw new Problem(problem.code, problem.detail, [], Math.ceil(staleAfter(deps) / 1000) + 1);
  }
}

/**
 * Removes what a failed creation made; false when something is left (for a retry or `reconcile`).
 */
async function undo(deps: CreateAccountDeps, id: string, userMayExist: boolean): Promise<boolean> {
  try {
    // Deleting a user that is not there succeeds; the row stays until the user is surely gone.
    if (userMayExist) await deps.identity.deleteUser(id);
    await deps.store.delete(id);
    return true;
  } catch (error) {
    deps.logger.error(
      { err: error, accountId: id },
      "could not undo a failed account creation; a retry or `npm run reconcile` will repair it",
    );
    return false;
  }
}
