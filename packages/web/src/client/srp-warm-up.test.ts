import { afterEach, describe, expect, it, vi } from "vitest";
import { srpValuesOfNextSignIn } from "./identity-js-internals.ts";
import { signInWarm, warmUpSignIn } from "./srp-warm-up.ts";

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("warmUpSignIn", () => {
  it("hands one precomputed, consistent SRP pair to the next sign-in, then never again", () => {
    vi.useFakeTimers();
    expect(signInWarm()).toBe(false);
    warmUpSignIn();
    vi.runAllTimers();
    expect(signInWarm()).toBe(true);

    const first = srpValuesOfNextSignIn();
    expect(signInWarm()).toBe(false);
    expect(first.A).toBe(modPow(first.g, first.a, first.N));

    const second = srpValuesOfNextSignIn();
    expect(second.a).not.toBe(first.a);
    expect(second.A).toBe(modPow(second.g, second.a, second.N));
  });
});
