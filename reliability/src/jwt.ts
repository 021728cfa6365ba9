// Building tokens by hand, as an attacker would: any header, any claims, any algorithm, any key.
import { createHmac, type KeyObject, sign } from "node:crypto";

export const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export function parts(token: string): [string, string, string] {
  const [header = "", payload = "", signature = ""] = token.split(".");
  return [header, payload, signature];
}

export type Signer =
  | { alg: "none" }
  | { alg: "HS256"; secret: string | Buffer }
  | { alg: "RS256" | "RS512" | "PS256"; key: KeyObject };

/** A compact JWS over exactly the header and payload text given (no normalisation). */
export function forgeRaw(headerText: string, payloadText: string, signer: Signer): string {
  const input = `${b64url(headerText)}.${b64url(payloadText)}`;
  let signature: Buffer;
  switch (signer.alg) {
    case "none":
      signature = Buffer.alloc(0);
      break;
    case "HS256":
      signature = createHmac("sha256", signer.secret).update(input).digest();
      break;
    case "RS256":
      signature = sign("sha256", Buffer.from(input), signer.key);
      break;
    case "RS512":
      signature = sign("sha512", Buffer.from(input), signer.key);
      break;
    case "PS256":
      signature = sign("sha256", Buffer.from(input), {
        key: signer.key,
        padding: 6, // RSA_PKCS1_PSS_PADDING
        saltLength: 32,
      });
      break;
  }
  return `${input}.${b64url(signature)}`;
}

export function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: Signer,
): string {
  return forgeRaw(JSON.stringify(header), JSON.stringify(payload), signer);
}
