// Ending sessions: at Cognito (refresh tokens, and access tokens at Cognito's own operations) and
// at this API (the account's sign-out watermark; see plugins/authenticate.ts).
import { toProblem } from "../cognito/errors.ts";
import type { FlowDeps } from "./deps.ts";

type Deps = Pick<FlowDeps, "store" | "identity" | "now" | "evict">;

/**
 * `POST /me/sign-out`: Cognito first, so that once the watermark is visible Cognito already
 * refuses every older token and its answer about a token issued near the watermark can be trusted.
 * If Cognito cannot be reached nothing changes, and the caller can try again.
 */
export async function signOut(deps: Deps, id: string, originJti: string | null): Promise<void> {
  try {
    await deps.identity.signOutEverywhere(id);
  } catch (error) {
    throw toProblem(error);
  }
  await deps.store.signOut(id, new Date(deps.now()), originJti);
  deps.evict(id);
}

/**
 * After a change of credentials (the change itself is done): every session from before it ends.
 * The watermark goes first so that the API refuses old tokens even if Cognito cannot be reached,
 * and again after Cognito's sign-out, so that a token Cognito still honoured in between is asked
 * about once more.
 */
export async function endEverySession(
  deps: Deps,
  id: string,
  originJti: string | null,
): Promise<void> {
  await deps.store.signOut(id, new Date(deps.now()), originJti);
  deps.evict(id);
  try {
    await deps.identity.signOutEverywhere(id);
  } catch (error) {
    throw toProblem(error);
  }
  await deps.store.signOut(id, new Date(deps.now()), originJti);
  deps.evict(id);
}
