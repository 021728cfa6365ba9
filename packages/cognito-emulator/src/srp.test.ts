import { createHash, createHmac } from "node:crypto";
// identity-js's own SRP helper: what the browser runs, used here as the other side of the handshake.
import AuthenticationHelper from "amazon-cognito-identity-js/lib/AuthenticationHelper.js";
import BigInteger from "amazon-cognito-identity-js/lib/BigInteger.js";
import { describe, expect, it } from "vitest";
import {
  createServerEphemeral,
  createVerifier,
  expectedClaimSignature,
  g,
  k,
  N,
  padHex,
  parseClientPublic,
  serverSessionKey,
} from "./srp.ts";

// A second, deliberately plain implementation of the formulas, to check srp.ts against.
const H = (hex: string) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");
function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % N;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % N;
    b = (b * b) % N;
    e >>= 1n;
  }
  return result;
}
const pad = (n: bigint) => {
  const hex = n.toString(16);
  const even = hex.length % 2 ? `0${hex}` : hex;
  return /^[89a-f]/.test(even) ? `00${even}` : even;
};

const POOL = "Ab3dEf9Hi";
const USER = "5f0c3c9e-8d1e-4c1b-9a4e-2f7d6b1a0c33";
const PASSWORD = "Known-Answer-Passw0rd";
const SALT = "8a1b2c3d4e5f60718293a4b5c6d7e8f9";
const a = 0x1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100aabbn;
const b = 0x0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0n;

describe("SRP, known answers", () => {
  it("pads as identity-js does", () => {
    expect(padHex(0x7fn)).toBe("7f");
    expect(padHex(0x80n)).toBe("0080");
    expect(padHex(0xabcn)).toBe("0abc");
  });

  it("derives k, the verifier and B from the formulas", () => {
    expect(k).toBe(BigInt(`0x${H(pad(N) + pad(g))}`));
    const inner = createHash("sha256").update(`${POOL}${USER}:${PASSWORD}`).digest("hex");
    const x = BigInt(`0x${H(pad(BigInt(`0x${SALT}`)) + inner)}`);
    const v = pow(g, x);
    expect(createVerifier(POOL, USER, PASSWORD, SALT).verifier).toBe(v.toString(16));
    const ephemeral = createServerEphemeral(v.toString(16), () =>
      Buffer.from(b.toString(16).padStart(64, "0"), "hex"),
    );
    expect(ephemeral.b).toBe(b);
    expect(BigInt(`0x${ephemeral.B}`)).toBe((k * v + pow(g, b)) % N);
  });

  it("derives the session key and claim signature the client derives", () => {
    const inner = createHash("sha256").update(`${POOL}${USER}:${PASSWORD}`).digest("hex");
    const x = BigInt(`0x${H(pad(BigInt(`0x${SALT}`)) + inner)}`);
    const v = pow(g, x);
    const A = pow(g, a);
    const B = (k * v + pow(g, b)) % N;
    const u = BigInt(`0x${H(pad(A) + pad(B))}`);
    // The client's side: S = (B - k·g^x)^(a + u·x).
    const base = (((B - k * pow(g, x)) % N) + N) % N;
    const S = pow(base, a + u * x);
    const prk = createHmac("sha256", Buffer.from(pad(u), "hex"))
      .update(Buffer.from(pad(S), "hex"))
      .digest();
    const key = createHmac("sha256", prk)
      .update(Buffer.concat([Buffer.from("Caldera Derived Key"), Buffer.from([1])]))
      .digest()
      .subarray(0, 16);
    const server = serverSessionKey(A, { b, B: B.toString(16) }, v.toString(16));
    expect(server.toString("hex")).toBe(key.toString("hex"));
    const block = Buffer.from("secret block").toString("base64");
    const timestamp = "Wed Nov 25 4:00:00 UTC 2026";
    const signature = createHmac("sha256", key)
      .update(
        Buffer.concat([
          Buffer.from(POOL),
          Buffer.from(USER),
          Buffer.from(block, "base64"),
          Buffer.from(timestamp),
        ]),
      )
      .digest();
    expect(expectedClaimSignature(server, POOL, USER, block, timestamp).equals(signature)).toBe(
      true,
    );
  });

  it("refuses a client value that is 0 mod N", () => {
    expect(parseClientPublic("0")).toBeNull();
    expect(parseClientPublic(N.toString(16))).toBeNull();
    expect(parseClientPublic((2n * N).toString(16))).toBeNull();
    expect(parseClientPublic("zz")).toBeNull();
    expect(parseClientPublic("02")).toBe(2n);
  });
});

describe("SRP, round trip with identity-js's AuthenticationHelper", () => {
  it("agrees on the session key for the right password only", async () => {
    const { salt, verifier } = createVerifier(POOL, USER, PASSWORD);
    const helper = new AuthenticationHelper(POOL);
    const A: { toString(radix: number): string } = await new Promise((resolve, reject) =>
      helper.getLargeAValue((error: unknown, value: { toString(radix: number): string }) =>
        error ? reject(error) : resolve(value),
      ),
    );
    const ephemeral = createServerEphemeral(verifier);
    const clientKey = (password: string): Promise<Buffer> =>
      new Promise((resolve, reject) =>
        helper.getPasswordAuthenticationKey(
          USER,
          password,
          new BigInteger(ephemeral.B, 16),
          new BigInteger(salt, 16),
          (error: unknown, key: Buffer) => (error ? reject(error) : resolve(Buffer.from(key))),
        ),
      );
    const server = serverSessionKey(BigInt(`0x${A.toString(16)}`), ephemeral, verifier);
    expect((await clientKey(PASSWORD)).equals(server)).toBe(true);
    expect((await clientKey("Another-Passw0rd")).equals(server)).toBe(false);
  });
});
