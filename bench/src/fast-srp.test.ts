import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  clientKey,
  derivedKey,
  g,
  k,
  mod,
  modPowN,
  N,
  newEphemeral,
  passwordExponent,
  srpTimestamp,
} from "./fast-srp.ts";

// identity-js's own helper, reached through its CommonJS files (its typings omit it).
interface JsbnInteger {
  toString(radix: number): string;
}
interface IdentityHelper {
  k: JsbnInteger;
  smallAValue: JsbnInteger;
  largeAValue: JsbnInteger;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    B: JsbnInteger,
    salt: JsbnInteger,
    callback: (err: unknown, key: Uint8Array) => void,
  ): void;
}
const require = createRequire(import.meta.url);
const { default: AuthenticationHelper } =
  require("amazon-cognito-identity-js/lib/AuthenticationHelper.js") as {
    default: new (poolName: string) => IdentityHelper;
  };
const { default: JsbnBigInteger } = require("amazon-cognito-identity-js/lib/BigInteger.js") as {
  default: new (value: string, radix: number) => JsbnInteger;
};

const big = (n: JsbnInteger) => BigInt(`0x${n.toString(16)}`);

function identityKey(
  helper: IdentityHelper,
  userId: string,
  password: string,
  B: bigint,
  saltHex: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    helper.getPasswordAuthenticationKey(
      userId,
      password,
      new JsbnBigInteger(B.toString(16), 16),
      new JsbnBigInteger(saltHex, 16),
      (err, key) => (err ? reject(err) : resolve(Buffer.from(key))),
    ),
  );
}

describe("fast SRP client", () => {
  it("derives the same k, A and password key as identity-js, and the key a server derives", async () => {
    const poolName = "gatehouse";
    const userId = "0b9f6a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
    const password = "Bench-Passw0rd!";
    const helper = new AuthenticationHelper(poolName);
    expect(k).toBe(big(helper.k));

    const ephemeral = { a: big(helper.smallAValue), A: big(helper.largeAValue) };
    expect(modPowN(g, ephemeral.a)).toBe(ephemeral.A);

    // A salt with a leading zero byte: identity-js drops it before hashing, so must we.
    const saltHex = `00${randomBytes(15).toString("hex")}`;
    const x = passwordExponent(poolName, userId, password, saltHex);
    const v = modPowN(g, x);
    const b = BigInt(`0x${randomBytes(32).toString("hex")}`);
    const B = mod(k * v + modPowN(g, b), N);

    const ours = clientKey(ephemeral, B, x);
    expect(ours.key).toEqual(await identityKey(helper, userId, password, B, saltHex));

    const serverS = modPowN(mod(ephemeral.A * modPowN(v, ours.u), N), b);
    expect(serverS).toBe(ours.S);
    expect(derivedKey(serverS, ours.u)).toEqual(ours.key);
  });

  it("draws a fresh secret every time", () => {
    const one = newEphemeral();
    const two = newEphemeral();
    expect(one.a).not.toBe(two.a);
    expect(modPowN(g, one.a)).toBe(one.A);
  });

  it("writes TIMESTAMP as identity-js does", () => {
    expect(srpTimestamp(new Date(Date.UTC(2024, 0, 5, 3, 4, 5)))).toBe(
      "Fri Jan 5 03:04:05 UTC 2024",
    );
    expect(srpTimestamp(new Date(Date.UTC(2031, 11, 31, 23, 59, 0)))).toBe(
      "Wed Dec 31 23:59:00 UTC 2031",
    );
  });
});
