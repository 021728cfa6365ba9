// identity-js spends about 150 ms of the tab's CPU, after "Sign in" is pressed, computing the SRP
// value A = g^a mod N (a 3072-bit exponentiation) before it can send its first request. That value
// depends on nothing the user types, so it is computed ahead, while the page is idle, and handed to
// the next sign-in. Each precomputed pair is used once; without one, identity-js computes its own.
//
// This reaches into AuthenticationHelper (exported but untyped; amazon-cognito-identity-js is
// pinned): its constructor sets `smallAValue = this.generateRandomSmallA()` and then computes
// `largeAValue` only if it is not set yet.
import * as identity from "amazon-cognito-identity-js";

interface HelperInternals {
  smallAValue?: unknown;
  largeAValue?: unknown;
  generateRandomSmallA(): unknown;
}
type HelperClass = (new (poolName: string) => HelperInternals) & { prototype: HelperInternals };

const Helper = (identity as unknown as { AuthenticationHelper?: HelperClass }).AuthenticationHelper;
let spare: { small: unknown; large: unknown } | null = null;

if (Helper && typeof Helper.prototype.generateRandomSmallA === "function") {
  const generate = Helper.prototype.generateRandomSmallA;
  Helper.prototype.generateRandomSmallA = function (this: HelperInternals) {
    const pair = spare;
    spare = null;
    if (!pair) return generate.call(this);
    this.largeAValue = pair.large;
    return pair.small;
  };
}

/** Computes one SRP ephemeral pair when the page is idle, for the next sign-in. */
export function warmUpSignIn(): void {
  if (!Helper || spare) return;
  const compute = () => {
    if (spare) return;
    const helper = new Helper("warm-up");
    if (helper.smallAValue && helper.largeAValue) {
      spare = { small: helper.smallAValue, large: helper.largeAValue };
    }
  };
  if ("requestIdleCallback" in globalThis) requestIdleCallback(compute, { timeout: 2_000 });
  else setTimeout(compute, 500);
}

/** Whether a precomputed pair is waiting for the next sign-in. */
export function signInWarm(): boolean {
  return spare !== null;
}
