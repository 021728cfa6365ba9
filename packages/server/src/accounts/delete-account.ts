// Deleting an account, from both stores, its sessions ended first.
import { toProblem } from "../cognito/errors.ts";
import type { FlowDeps } from "./deps.ts";

type Deps = Pick<FlowDeps, "store" | "identity" | "now" | "evict">;

/** `DELETE /me`. */
export async function deleteAccount(
  deps: Deps,
  id: string,
  originJti: string | null,
): Promise<void> {
  await removeFromBothStores(deps, id, originJti, false);
}

/**
 * Removes a registration that lost its email to the account that proved it. Only while it is
 * still `unverified`: the database already made sure it can no longer become active.
 */
export async function removeRegistration(deps: Deps, id: string): Promise<void> {
  await removeFromBothStores(deps, id, null, true);
}

async function removeFromBothStores(
  deps: Deps,
  id: string,
  originJti: string | null,
  onlyUnverified: boolean,
): Promise<void> {
  const { store, identity } = deps;
  // Signed out here first: should a later step fail, the old tokens are refused all the same.
  await store.signOut(id, new Date(deps.now()), originJti);
  deps.evict(id);
  try {
    await identity.signOutEverywhere(id);
    await identity.deleteUser(id);
  } catch (error) {
    throw toProblem(error);
  }
  // The watermark before the row goes: should the delete fail, the row left for `reconcile`
  // lets no token through in the meantime.
  try {
    await store.signOut(id, new Date(deps.now()), originJti);
    await (onlyUnverified ? store.deleteUnverified(id) : store.delete(id));
  } finally {
    deps.evict(id);
  }
}
