// The client half of Cognito's SRP (USER_SRP_AUTH → PASSWORD_VERIFIER), computing what
// amazon-cognito-identity-js computes but with node:crypto's Diffie-Hellman and a fixed-base table
// for the 3072-bit modular exponentiations. identity-js spends ~90 ms of CPU per sign-in in its own
// BigInteger; measured here that would be the client's cost, not the server's.
import { createDiffieHellman, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { g, gPow, N } from "@gatehouse/cognito-emulator/srp";

// The group (RFC 3526's 3072-bit prime, g = 2) and g^x from the emulator's fixed-base table;
// everything else below is this client's own, checked against identity-js in fast-srp.test.ts.
export { g, N };

const N_BYTES = Buffer.from(N.toString(16), "hex");

// One DH object serves every exponentiation: setPrivateKey + computeSecret is synchronous, so
// no two computations can interleave on it.
const dh = createDiffieHellman(N_BYTES, Buffer.from([2]));

function toBytes(n: bigint): Buffer {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex");
}

function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

/** `base^exponent mod N`; the base must lie in [2, N − 2], which OpenSSL checks. */
export function modPowN(base: bigint, exponent: bigint): bigint {
  dh.setPrivateKey(toBytes(exponent));
  return fromBytes(dh.computeSecret(toBytes(base)));
}

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** identity-js's `padHex` for non-negative values: even length, `00` first when the top bit is set. */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hexHash(hex: string): string {
  return sha256Hex(Buffer.from(hex, "hex"));
}

export const k = BigInt(`0x${hexHash(padHex(N) + padHex(g))}`);

/** `x = H(pad(salt) | H(poolName | userId | ":" | password))`, the salt given as hex. */
export function passwordExponent(
  poolName: string,
  userId: string,
  password: string,
  saltHex: string,
): bigint {
  const inner = sha256Hex(`${poolName}${userId}:${password}`);
  // identity-js parses SALT into a BigInteger before padding it, so leading zeros drop out.
  return BigInt(`0x${hexHash(padHex(BigInt(`0x${saltHex}`)) + inner)}`);
}

export interface Ephemeral {
  a: bigint;
  A: bigint;
}

/**
 * A fresh client secret `a` and `A = g^a mod N`. identity-js draws 128 bytes; 32 (RFC 5054's
 * floor of 256 bits) halves the client's share of each sign-in, and the server cannot tell.
 */
export function newEphemeral(bytes = 32): Ephemeral {
  const a = fromBytes(randomBytes(bytes));
  return { a, A: gPow(a) };
}

/** The 16-byte key both sides derive: HKDF-SHA256(ikm = pad(S), salt = pad(u), "Caldera Derived Key"). */
export function derivedKey(S: bigint, u: bigint): Buffer {
  return Buffer.from(
    hkdfSync(
      "sha256",
      Buffer.from(padHex(S), "hex"),
      Buffer.from(padHex(u), "hex"),
      Buffer.from("Caldera Derived Key", "utf8"),
      16,
    ),
  );
}

/** The client's key for a server challenge: `S = (B − k·g^x)^(a + u·x) mod N`. */
export function clientKey(
  ephemeral: Ephemeral,
  B: bigint,
  x: bigint,
): { key: Buffer; u: bigint; S: bigint } {
  if (mod(B, N) === 0n) throw new Error("SRP_B mod N is zero");
  const u = BigInt(`0x${hexHash(padHex(ephemeral.A) + padHex(B))}`);
  if (u === 0n) throw new Error("SRP u is zero");
  const base = mod(B - k * gPow(x), N);
  const S = modPowN(base, ephemeral.a + u * x);
  return { key: derivedKey(S, u), u, S };
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** identity-js's TIMESTAMP form, "ddd MMM d HH:mm:ss UTC yyyy" (day of month not padded). */
export function srpTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${two(
    date.getUTCHours(),
  )}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

export interface SrpChallenge {
  SRP_B: string;
  SALT: string;
  SECRET_BLOCK: string;
  USER_ID_FOR_SRP: string;
}

/** The PASSWORD_VERIFIER answer identity-js would send for this challenge. */
export function passwordVerifierResponses(
  poolId: string,
  password: string,
  ephemeral: Ephemeral,
  challenge: SrpChallenge,
  now: Date,
): Record<string, string> {
  const poolName = poolId.slice(poolId.indexOf("_") + 1);
  const userId = challenge.USER_ID_FOR_SRP;
  const x = passwordExponent(poolName, userId, password, challenge.SALT);
  const { key } = clientKey(ephemeral, BigInt(`0x${challenge.SRP_B}`), x);
  const timestamp = srpTimestamp(now);
  const signature = createHmac("sha256", key)
    .update(
      Buffer.concat([
        Buffer.from(poolName, "utf8"),
        Buffer.from(userId, "utf8"),
        Buffer.from(challenge.SECRET_BLOCK, "base64"),
        Buffer.from(timestamp, "utf8"),
      ]),
    )
    .digest("base64");
  return {
    USERNAME: userId,
    PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: signature,
  };
}
