// The RSA key that signs every token: generated once per data directory (file mode 0600), or per
// process in memory. Never shipped, never committed.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
} from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public half as a JWK, as the pool's JWKS serves it. */
  jwk: { kty: "RSA"; alg: "RS256"; use: "sig"; kid: string; n: string; e: string };
}

const generate = promisify(generateKeyPair);

function describe(privateKey: KeyObject): SigningKey {
  const publicJwk = createPublicKey(privateKey).export({ format: "jwk" });
  const n = String(publicJwk.n);
  const e = String(publicJwk.e);
  // RFC 7638 thumbprint: a stable kid that changes only with the key.
  const kid = createHash("sha256")
    .update(JSON.stringify({ e, kty: "RSA", n }))
    .digest("base64url");
  return { kid, privateKey, jwk: { kty: "RSA", alg: "RS256", use: "sig", kid, n, e } };
}

const keyFile = (dataDir: string) => path.join(dataDir, "signing-key.pem");

/** The data directory's key, or null when it has none yet (or in memory). */
export async function readSigningKey(dataDir: string | null): Promise<SigningKey | null> {
  if (dataDir === null) return null;
  try {
    return describe(createPrivateKey(await fs.readFile(keyFile(dataDir), "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** A new key, kept in the data directory (mode 0600, written atomically) unless in memory. */
export async function createSigningKey(dataDir: string | null): Promise<SigningKey> {
  const { privateKey } = await generate("rsa", { modulusLength: 2048 });
  if (dataDir !== null) {
    const file = keyFile(dataDir);
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, pem, { mode: 0o600 });
    await fs.rename(temporary, file);
  }
  return describe(privateKey);
}
