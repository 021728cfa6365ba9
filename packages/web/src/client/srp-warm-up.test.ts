import * as identity from "amazon-cognito-identity-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signInWarm, warmUpSignIn } from "./srp-warm-up.ts";

interface Helper {
  N: { toString(radix: number): string };
  g: { toString(radix: number): string };
  smallAValue: { toString(radix: number): string };
  largeAValue: { toString(radix: number): string };
}
const AuthenticationHelper = (
  identity as unknown as { AuthenticationHelper: new (pool: string) => Helper }
).AuthenticationHelper;

const big = (value: { toString(radix: number): string }) => BigInt(`0x${value.toString(16)}`);
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

    const first = new AuthenticationHelper("gatehouse");
    expect(signInWarm()).toBe(false);
    const a = big(first.smallAValue);
    expect(big(first.largeAValue)).toBe(modPow(big(first.g), a, big(first.N)));

    const second = new AuthenticationHelper("gatehouse");
    expect(big(second.smallAValue)).not.toBe(a);
    expect(big(second.largeAValue)).toBe(
      modPow(big(second.g), big(second.smallAValue), big(second.N)),
    );
  });
});
