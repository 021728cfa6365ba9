// RS256 JSON Web Tokens with Cognito's claims, and the checks Cognito's own APIs apply to them.
import { createPublicKey, randomUUID, sign, verify } from "node:crypto";
import { NotAuthorizedException } from "./errors.ts";
import type { SigningKey } from "./keys.ts";

export type Claims = Record<string, unknown>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export class TokenSigner {
  private readonly publicKey;
  private readonly header: string;

  constructor(readonly key: SigningKey) {
    this.publicKey = createPublicKey(key.privateKey);
    this.header = encode({ kid: key.kid, alg: "RS256" });
  }

  sign(claims: Claims): string {
    const body = `${this.header}.${encode(claims)}`;
    const signature = sign("sha256", Buffer.from(body), this.key.privateKey);
    return `${body}.${signature.toString("base64url")}`;
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
      if (head.alg !== "RS256" || head.kid !== this.key.kid) throw invalid();
      const ok = verify(
        "sha256",
        Buffer.from(`${header}.${payload}`),
        this.publicKey,
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

export const newJti = (): string => randomUUID();
