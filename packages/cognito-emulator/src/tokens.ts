// RS256 JSON Web Tokens with Cognito's claims, and the checks Cognito's own APIs apply to them.
import { createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { NotAuthorizedException } from "./errors.ts";
import type { SigningKey } from "./keys.ts";

export type Claims = Record<string, unknown>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

interface LoadedKey {
  key: SigningKey;
  publicKey: KeyObject;
  header: string;
}

export class TokenSigner {
  private loaded: LoadedKey | null = null;
  /**
   * Settles once the key is there. A new key is generated while the server already answers, so
   * start-up does not wait for it; operations that sign or verify wait instead.
   */
  readonly ready: Promise<void>;

  constructor(key: SigningKey | Promise<SigningKey>) {
    this.ready = Promise.resolve(key).then((loaded) => {
      this.loaded = {
        key: loaded,
        publicKey: createPublicKey(loaded.privateKey),
        header: encode({ kid: loaded.kid, alg: "RS256" }),
      };
    });
    // A failure is reported to each request that waits for the key, not as an unhandled rejection.
    this.ready.catch(() => {});
  }

  get isReady(): boolean {
    return this.loaded !== null;
  }

  private get current(): LoadedKey {
    if (this.loaded === null) throw new Error("The signing key is not ready yet");
    return this.loaded;
  }

  get key(): SigningKey {
    return this.current.key;
  }

  /**
   * Signs on libuv's thread pool, so an RSA signature (the costliest step of a sign-in) leaves the
   * event loop free and the two tokens of a sign-in are signed side by side.
   */
  sign(claims: Claims): Promise<string> {
    const { header, key } = this.current;
    const body = `${header}.${encode(claims)}`;
    return new Promise((resolve, reject) => {
      sign("sha256", Buffer.from(body), key.privateKey, (error, signature) => {
        if (error) reject(error);
        else resolve(`${body}.${signature.toString("base64url")}`);
      });
    });
  }

  /**
   * Verifies signature and expiry of an access token this emulator issued. Anything else is
   * Cognito's "Invalid Access Token".
   */
  verifyAccessToken(token: string, nowSeconds: number): Claims {
    const invalid = () => new NotAuthorizedException("Invalid Access Token");
    if (token.length > 16_384) throw invalid();
    const parts = token.split(".");
    if (parts.length !== 3) throw invalid();
    const [header, payload, signature] = parts as [string, string, string];
    let claims: Claims;
    try {
      const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Claims;
      const { key, publicKey } = this.current;
      if (head.alg !== "RS256" || head.kid !== key.kid) throw invalid();
      const ok = verify(
        "sha256",
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, "base64url"),
      );
      if (!ok) throw invalid();
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
    } catch {
      throw invalid();
    }
    if (claims.token_use !== "access") throw invalid();
    if (typeof claims.exp !== "number" || claims.exp <= nowSeconds) {
      throw new NotAuthorizedException("Access Token has expired");
    }
    return claims;
  }
}
