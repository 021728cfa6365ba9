// Server side of Cognito's SRP-6a variant, exactly as amazon-cognito-identity-js computes it.
// Only the salt and verifier are ever stored; plain passwords are checked by recomputing the verifier.
import {
  createDiffieHellman,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { FIXED_BASE_LIMIT, FixedBaseTable } from "./fixed-base.ts";

const N_HEX =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
  "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
  "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
  "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
  "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;
const N_BUFFER = Buffer.from(N_HEX, "hex");
const G_BUFFER = Buffer.from([2]);

/** Big-endian hex with a leading `00` when the high bit is set (identity-js's signed encoding). */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ("89abcdef".includes(hex[0] ?? "")) hex = `00${hex}`;
  return hex;
}

const sha256 = (data: Buffer | string): Buffer => createHash("sha256").update(data).digest();
/** SHA-256 of the bytes a hex string encodes, as 64 hex digits. */
const hexHash = (hex: string): string => sha256(Buffer.from(hex, "hex")).toString("hex");
const toBuffer = (value: bigint): Buffer => Buffer.from(padHex(value), "hex");

export const k = BigInt(`0x${hexHash(padHex(N) + padHex(g))}`);

function modPowBigInt(base: bigint, exponent: bigint): bigint {
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

/**
 * `base^exponent mod N`. OpenSSL's Diffie-Hellman primitive does this about ten times faster than
 * BigInt; it refuses bases outside (1, N-1), which take the slow path.
 */
export function modPow(base: bigint, exponent: bigint): bigint {
  const b = ((base % N) + N) % N;
  if (b <= 1n || b >= N - 1n || exponent <= 0n) return modPowBigInt(b, exponent);
  const dh = createDiffieHellman(N_BUFFER, G_BUFFER);
  dh.setPrivateKey(toBuffer(exponent));
  return BigInt(`0x${dh.computeSecret(toBuffer(b)).toString("hex")}`);
}

function gPowOpenSsl(exponent: bigint): bigint {
  const dh = createDiffieHellman(N_BUFFER, G_BUFFER);
  dh.setPrivateKey(toBuffer(exponent));
  return BigInt(`0x${dh.generateKeys().toString("hex")}`);
}

const gTable = new FixedBaseTable(N, g, gPowOpenSsl);

/**
 * `g^exponent mod N`: from the fixed-base table (about twice as fast) once it is built, which starts
 * in the background on first use; through OpenSSL until then and for exponents beyond 256 bits.
 */
export function gPow(exponent: bigint): bigint {
  if (gTable.ready && exponent >= 0n && exponent < FIXED_BASE_LIMIT) return gTable.pow(exponent);
  gTable.buildInBackground();
  return gPowOpenSsl(exponent);
}

/** Builds the whole fixed-base table now (a bulk job such as a large seed, or a test). */
export function prepareFixedBase(): void {
  while (!gTable.buildRow()) {}
}

/** The part of a pool id after `_`, which SRP hashes. */
export const srpPoolName = (userPoolId: string): string => userPoolId.split("_")[1] ?? userPoolId;

function computeX(poolName: string, userIdForSrp: string, password: string, saltHex: string) {
  const inner = sha256(`${poolName}${userIdForSrp}:${password}`).toString("hex");
  return BigInt(`0x${hexHash(padHex(BigInt(`0x${saltHex}`)) + inner)}`);
}

export interface Verifier {
  /** Hex, as sent in `SALT`. */
  salt: string;
  /** Hex of `g^x mod N`. */
  verifier: string;
}

export function createVerifier(
  poolName: string,
  userIdForSrp: string,
  password: string,
  salt = randomBytes(16).toString("hex"),
): Verifier {
  const x = computeX(poolName, userIdForSrp, password, salt);
  return { salt, verifier: gPow(x).toString(16) };
}

/** Whether `password` is the one the verifier was made from (constant-time comparison). */
export function checkPassword(
  poolName: string,
  userIdForSrp: string,
  password: string,
  stored: Verifier,
): boolean {
  const candidate = Buffer.from(
    createVerifier(poolName, userIdForSrp, password, stored.salt).verifier,
  );
  const expected = Buffer.from(stored.verifier);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

export interface ServerEphemeral {
  /** The secret exponent; 256 random bits are as strong as the group's ~128-bit security. */
  b: bigint;
  /** `SRP_B`, hex. */
  B: string;
}

export function createServerEphemeral(verifierHex: string, random = randomBytes): ServerEphemeral {
  const v = BigInt(`0x${verifierHex}`);
  for (;;) {
    const b = BigInt(`0x${random(32).toString("hex")}`);
    const B = (k * v + gPow(b)) % N;
    if (B !== 0n && b !== 0n) return { b, B: B.toString(16) };
  }
}

/** Reads a client's `SRP_A`; `null` when it is not valid hex or is 0 mod N (a known attack). */
export function parseClientPublic(hex: string): bigint | null {
  if (!/^[0-9a-fA-F]{1,1600}$/.test(hex)) return null;
  const A = BigInt(`0x${hex}`);
  return A % N === 0n ? null : A;
}

/** The 16-byte key both sides derive: HKDF-SHA256(ikm = pad(S), salt = pad(u), "Caldera Derived Key"). */
export function serverSessionKey(
  A: bigint,
  ephemeral: ServerEphemeral,
  verifierHex: string,
): Buffer {
  const B = BigInt(`0x${ephemeral.B}`);
  const u = BigInt(`0x${hexHash(padHex(A) + padHex(B))}`);
  if (u === 0n) throw new Error("SRP u is zero");
  const v = BigInt(`0x${verifierHex}`);
  const S = modPow((A * modPow(v, u)) % N, ephemeral.b);
  const prk = createHmac("sha256", toBuffer(u)).update(toBuffer(S)).digest();
  const info = Buffer.concat([Buffer.from("Caldera Derived Key", "utf8"), Buffer.from([1])]);
  return createHmac("sha256", prk).update(info).digest().subarray(0, 16);
}

/** The `PASSWORD_CLAIM_SIGNATURE` a client holding the same key must send. */
export function expectedClaimSignature(
  key: Buffer,
  poolName: string,
  userIdForSrp: string,
  secretBlock: string,
  timestamp: string,
): Buffer {
  return createHmac("sha256", key)
    .update(
      Buffer.concat([
        Buffer.from(poolName, "utf8"),
        Buffer.from(userIdForSrp, "utf8"),
        Buffer.from(secretBlock, "base64"),
        Buffer.from(timestamp, "utf8"),
      ]),
    )
    .digest();
}
