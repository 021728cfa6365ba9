import { createDiffieHellman, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FIXED_BASE_LIMIT, FixedBaseTable } from "./fixed-base.ts";
import { g, gPow, N, prepareFixedBase } from "./srp.ts";

// OpenSSL's answer, independent of the table.
function reference(exponent: bigint): bigint {
  const dh = createDiffieHellman(Buffer.from(N.toString(16), "hex"), Buffer.from([2]));
  let hex = exponent.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  dh.setPrivateKey(Buffer.from(hex, "hex"));
  return BigInt(`0x${dh.generateKeys().toString("hex")}`);
}

describe("fixed-base exponentiation", () => {
  it("agrees with OpenSSL on edge and random exponents", () => {
    prepareFixedBase();
    const edges = [
      1n,
      2n,
      255n,
      256n,
      257n,
      0xffffn,
      FIXED_BASE_LIMIT - 1n,
      FIXED_BASE_LIMIT >> 1n,
      // every byte zero but the top one, and alternating bytes
      0xff00000000000000000000000000000000000000000000000000000000000000n,
      0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ffn,
    ];
    const random = Array.from({ length: 20 }, () => BigInt(`0x${randomBytes(32).toString("hex")}`));
    for (const exponent of [...edges, ...random]) {
      expect(gPow(exponent), exponent.toString(16)).toBe(reference(exponent));
    }
    expect(gPow(0n)).toBe(1n);
  });

  it("falls back beyond 256 bits and refuses them in the table itself", () => {
    prepareFixedBase();
    const big = FIXED_BASE_LIMIT + 12345n;
    expect(gPow(big)).toBe(reference(big));
    const table = new FixedBaseTable(N, g, reference);
    expect(() => table.pow(5n)).toThrow(/not built/);
    while (!table.buildRow()) {}
    expect(table.pow(5n)).toBe(32n);
    expect(() => table.pow(FIXED_BASE_LIMIT)).toThrow(RangeError);
    expect(() => table.pow(-1n)).toThrow(RangeError);
  });
});
