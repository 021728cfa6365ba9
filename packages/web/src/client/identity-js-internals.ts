// The only place the site relies on amazon-cognito-identity-js beyond its typed surface: where
// CognitoUser keeps a signed-in user's tokens, and AuthenticationHelper's SRP ephemeral.
// identity-js-internals.test.ts fails when any other version than WRITTEN_FOR is installed, so an
// upgrade means re-reading the library's source for what this file assumes.
import * as identity from "amazon-cognito-identity-js";

/** The amazon-cognito-identity-js version whose source this file was checked against. */
export const WRITTEN_FOR = "6.3.21";

/**
 * The storage keys under which CognitoUser caches a signed-in user's tokens (its `cacheTokens`
 * and `getSession`), so the site can read them without `getSession`, which refreshes on its own
 * and retries a refused refresh token for seconds.
 */
export function tokenKeys(
  clientId: string,
  username: string,
): { idToken: string; accessToken: string; refreshToken: string } {
  const prefix = `CognitoIdentityServiceProvider.${clientId}.${username}`;
  return {
    idToken: `${prefix}.idToken`,
    accessToken: `${prefix}.accessToken`,
    refreshToken: `${prefix}.refreshToken`,
  };
}

/** An SRP ephemeral pair: `small` is the secret a, `large` is A = g^a mod N (identity-js BigIntegers). */
export interface SrpEphemeral {
  small: unknown;
  large: unknown;
}

interface HelperInternals {
  N?: unknown;
  g?: unknown;
  smallAValue?: unknown;
  largeAValue?: unknown;
  generateRandomSmallA(): unknown;
}
type HelperClass = (new (poolName: string) => HelperInternals) & { prototype: HelperInternals };

// Exported by the package's entry but absent from its type declarations.
const Helper = (identity as unknown as { AuthenticationHelper?: HelperClass }).AuthenticationHelper;
const canPatch = Boolean(Helper && typeof Helper.prototype.generateRandomSmallA === "function");

/** A fresh ephemeral pair, computed as a sign-in would (about 150 ms); null if that is impossible. */
export function computeSrpEphemeral(): SrpEphemeral | null {
  if (!Helper || !canPatch) return null;
  const helper = new Helper("warm-up");
  return helper.smallAValue && helper.largeAValue
    ? { small: helper.smallAValue, large: helper.largeAValue }
    : null;
}

let supplier: (() => SrpEphemeral | null) | null = null;

/**
 * Lets `next` hand the next sign-ins a precomputed ephemeral. AuthenticationHelper's constructor
 * sets `smallAValue = this.generateRandomSmallA()` and then computes `largeAValue` only if it is
 * not set yet, so the patched generator sets both. When `next` returns null, identity-js computes
 * its own. Returns whether the library could be patched.
 */
export function supplySrpEphemerals(next: () => SrpEphemeral | null): boolean {
  if (!Helper || !canPatch) return false;
  if (!supplier) {
    const generate = Helper.prototype.generateRandomSmallA;
    Helper.prototype.generateRandomSmallA = function (this: HelperInternals) {
      const pair = supplier?.() ?? null;
      if (!pair) return generate.call(this);
      this.largeAValue = pair.large;
      return pair.small;
    };
  }
  supplier = next;
  return true;
}

const bigint = (value: unknown) =>
  BigInt(`0x${(value as { toString(radix: number): string }).toString(16)}`);

/**
 * The SRP group and ephemeral of the helper a sign-in would build now, as bigints: for tests that
 * check a supplied pair is the one used and is consistent (A = g^a mod N).
 */
export function srpValuesOfNextSignIn(): { N: bigint; g: bigint; a: bigint; A: bigint } {
  if (!Helper) throw new Error("amazon-cognito-identity-js no longer exports AuthenticationHelper");
  const helper = new Helper("gatehouse");
  return {
    N: bigint(helper.N),
    g: bigint(helper.g),
    a: bigint(helper.smallAValue),
    A: bigint(helper.largeAValue),
  };
}
