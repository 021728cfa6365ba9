import { randomBytes } from "node:crypto";

const ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function randomString(alphabet: string, length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  for (const byte of bytes) {
    if (byte < limit) out += alphabet[byte % alphabet.length];
    if (out.length === length) return out;
  }
  return out + randomString(alphabet, length - out.length);
}

/** `<region>_<9 alphanumerics>`, Cognito's pool id form. */
export const newUserPoolId = (region: string) => `${region}_${randomString(ALPHANUMERIC, 9)}`;
/** 26 lowercase alphanumerics, Cognito's app client id form. */
export const newClientId = () => randomString(ALPHANUMERIC.slice(0, 36), 26);
export const newClientSecret = () => randomString(ALPHANUMERIC, 51);

export const isUserPoolId = (value: string) => /^[\w-]+_[0-9a-zA-Z]+$/.test(value);
export const regionOf = (userPoolId: string) => userPoolId.split("_")[0] ?? "us-east-1";
