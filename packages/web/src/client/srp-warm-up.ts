// identity-js spends about 150 ms of the tab's CPU, after "Sign in" is pressed, computing the SRP
// value A = g^a mod N (a 3072-bit exponentiation) before it can send its first request. That value
// depends on nothing the user types, so it is computed ahead, while the page is idle, and handed to
// the next sign-in. Each precomputed pair is used once; without one, identity-js computes its own.
import {
  computeSrpEphemeral,
  type SrpEphemeral,
  supplySrpEphemerals,
} from "./identity-js-internals.ts";

let spare: SrpEphemeral | null = null;

const patched = supplySrpEphemerals(() => {
  const pair = spare;
  spare = null;
  return pair;
});

/** Computes one SRP ephemeral pair when the page is idle, for the next sign-in. */
export function warmUpSignIn(): void {
  if (!patched || spare) return;
  const compute = () => {
    spare ??= computeSrpEphemeral();
  };
  if ("requestIdleCallback" in globalThis) requestIdleCallback(compute, { timeout: 2_000 });
  else setTimeout(compute, 500);
}

/** Whether a precomputed pair is waiting for the next sign-in. */
export function signInWarm(): boolean {
  return spare !== null;
}
