// One reading of an email address for every route that takes one, so that two spellings of one
// address are one account: Unicode NFC, trimmed, lower case; invisible characters refused.
import { Problem } from "../problems.ts";

/** Control characters and format characters (zero-width space, joiners, direction marks, ...). */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;

const invalid = (field: string, message: string) =>
  new Problem("validation_failed", message, [{ field, message }]);

export function normaliseEmail(raw: string, field = "email"): string {
  const email = raw.normalize("NFC").trim().toLowerCase();
  if (INVISIBLE.test(email)) {
    throw invalid(field, "The email address contains an invisible or control character.");
  }
  if (!EMAIL.test(email) || email.length > 254) {
    throw invalid(field, "Enter a valid email address.");
  }
  return email;
}
