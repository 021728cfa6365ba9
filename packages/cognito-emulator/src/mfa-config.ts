// The pool's MFA configuration as GetUserPoolMfaConfig / SetUserPoolMfaConfig see it. It is kept
// and reported; this emulator issues no MFA challenge at sign-in.
import { InvalidParameterException } from "./errors.ts";
import { type Input, validationError } from "./input.ts";
import { checkPoolSettings } from "./pool-checks.ts";
import type { PoolState } from "./store.ts";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** GetUserPoolMfaConfig's answer for the pool. */
export function mfaConfigOf(pool: PoolState) {
  const settings = pool.record.settings;
  const sms =
    settings.SmsMfaConfiguration ??
    (settings.SmsConfiguration === undefined
      ? undefined
      : {
          SmsConfiguration: settings.SmsConfiguration,
          ...(settings.SmsAuthenticationMessage === undefined
            ? {}
            : { SmsAuthenticationMessage: settings.SmsAuthenticationMessage }),
        });
  return {
    ...(sms === undefined ? {} : { SmsMfaConfiguration: sms }),
    ...(settings.SoftwareTokenMfaConfiguration === undefined
      ? {}
      : { SoftwareTokenMfaConfiguration: settings.SoftwareTokenMfaConfiguration }),
    ...(settings.EmailMfaConfiguration === undefined
      ? {}
      : { EmailMfaConfiguration: settings.EmailMfaConfiguration }),
    ...(settings.WebAuthnConfiguration === undefined
      ? {}
      : { WebAuthnConfiguration: settings.WebAuthnConfiguration }),
    MfaConfiguration: (settings.MfaConfiguration as string | undefined) ?? "OFF",
  };
}

function object(input: Input, name: string): Json | undefined {
  const value = input.body[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw validationError(
      name.charAt(0).toLowerCase() + name.slice(1),
      value,
      "Member must be an object",
    );
  }
  return value;
}

/** The pool's settings after SetUserPoolMfaConfig, checked as Cognito checks them. */
export function withMfaConfig(pool: PoolState, input: Input): Json {
  const settings = pool.record.settings;
  const sms = object(input, "SmsMfaConfiguration");
  const totp = object(input, "SoftwareTokenMfaConfiguration");
  const email = object(input, "EmailMfaConfiguration");
  const webAuthn = object(input, "WebAuthnConfiguration");
  const mode = input.optionalString("MfaConfiguration", 16);
  checkPoolSettings({
    MfaConfiguration: mode,
    SmsConfiguration: sms?.SmsConfiguration,
    SmsAuthenticationMessage: sms?.SmsAuthenticationMessage,
  });
  if (totp !== undefined && totp.Enabled !== undefined && typeof totp.Enabled !== "boolean") {
    throw validationError(
      "softwareTokenMfaConfiguration.enabled",
      totp.Enabled,
      "Member must be a boolean",
    );
  }
  const smsMessage = sms?.SmsAuthenticationMessage;
  if (typeof smsMessage === "string" && !smsMessage.includes("{####}")) {
    throw new InvalidParameterException(
      "SmsAuthenticationMessage must contain the placeholder {####}.",
    );
  }
  if (
    sms !== undefined &&
    sms.SmsConfiguration === undefined &&
    settings.SmsConfiguration === undefined
  ) {
    throw new InvalidParameterException(
      "SMS MFA needs an SmsConfiguration (an SNS caller role): give one here or in the pool.",
    );
  }
  if (email !== undefined) {
    const sending = (settings.EmailConfiguration as Json | undefined)?.EmailSendingAccount;
    if (sending !== "DEVELOPER") {
      throw new InvalidParameterException(
        "Email MFA needs the pool to send email through Amazon SES (EmailConfiguration.EmailSendingAccount DEVELOPER).",
      );
    }
  }
  const next: Json = { ...settings };
  if (sms !== undefined) next.SmsMfaConfiguration = sms;
  if (totp !== undefined) next.SoftwareTokenMfaConfiguration = { Enabled: totp.Enabled === true };
  if (email !== undefined) next.EmailMfaConfiguration = email;
  if (webAuthn !== undefined) next.WebAuthnConfiguration = webAuthn;
  if (mode !== undefined) next.MfaConfiguration = mode;
  const factors =
    next.SmsMfaConfiguration !== undefined ||
    (next.SoftwareTokenMfaConfiguration as Json | undefined)?.Enabled === true ||
    next.EmailMfaConfiguration !== undefined;
  if ((next.MfaConfiguration === "ON" || next.MfaConfiguration === "OPTIONAL") && !factors) {
    throw new InvalidParameterException(
      "Invalid MFA configuration given, can't turn on MFA without any enabled MFA factor.",
    );
  }
  return next;
}
