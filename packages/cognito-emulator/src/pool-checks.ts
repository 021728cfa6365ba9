// The checks CreateUserPool and UpdateUserPool make of the settings they are given, with Cognito's
// validation messages (a member's path, its value and the constraint it broke).
import { InvalidParameterException } from "./errors.ts";
import { validationError } from "./input.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const absent = (value: unknown) => value === undefined || value === null;
const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** Typed reads of one nested object of a request, naming members by their path on failure. */
class Member {
  constructor(
    private readonly value: Json,
    private readonly path: string,
  ) {}

  static of(parent: Json, name: string, path: string): Member | undefined {
    const value = parent[name];
    if (absent(value)) return undefined;
    if (!isObject(value)) throw validationError(path, value, "Member must be an object");
    return new Member(value, path);
  }

  private at(name: string) {
    return this.path === "" ? camel(name) : `${this.path}.${camel(name)}`;
  }

  integer(name: string, min: number, max: number): void {
    const value = this.value[name];
    if (absent(value)) return;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw validationError(this.at(name), value, "Member must be an integer");
    }
    if (value < min) {
      throw validationError(
        this.at(name),
        value,
        `Member must have value greater than or equal to ${min}`,
      );
    }
    if (value > max) {
      throw validationError(
        this.at(name),
        value,
        `Member must have value less than or equal to ${max}`,
      );
    }
  }

  boolean(name: string): void {
    const value = this.value[name];
    if (!absent(value) && typeof value !== "boolean") {
      throw validationError(this.at(name), value, "Member must be a boolean");
    }
  }

  string(name: string, min: number, max: number, required = false): string | undefined {
    const value = this.value[name];
    if (absent(value)) {
      if (required) throw validationError(this.at(name), value, "Member must not be null");
      return undefined;
    }
    if (typeof value !== "string") {
      throw validationError(this.at(name), value, "Member must be a string");
    }
    this.lengthWithin(name, value, min, max);
    return value;
  }

  /** A string's or list's length within Cognito's bounds for the member. */
  private lengthWithin(name: string, value: string | unknown[], min: number, max: number): void {
    if (value.length < min) {
      throw validationError(
        this.at(name),
        value,
        `Member must have length greater than or equal to ${min}`,
      );
    }
    if (value.length > max) {
      throw validationError(
        this.at(name),
        value,
        `Member must have length less than or equal to ${max}`,
      );
    }
  }

  oneOf(name: string, allowed: readonly string[]): string | undefined {
    const value = this.value[name];
    if (absent(value)) return undefined;
    if (typeof value !== "string" || !allowed.includes(value)) {
      throw validationError(
        this.at(name),
        value,
        `Member must satisfy enum value set: [${allowed.join(", ")}]`,
      );
    }
    return value;
  }

  arn(name: string, required = false): void {
    const value = this.string(name, 20, 2048, required);
    if (value !== undefined && !ARN.test(value)) {
      throw validationError(
        this.at(name),
        value,
        `Member must satisfy regular expression pattern: ${ARN_PATTERN}`,
      );
    }
  }

  object(name: string): Member | undefined {
    return Member.of(this.value, name, this.at(name));
  }

  list(name: string, min: number, max: number): unknown[] | undefined {
    const value = this.value[name];
    if (absent(value)) return undefined;
    if (!Array.isArray(value)) throw validationError(this.at(name), value, "Member must be a list");
    this.lengthWithin(name, value, min, max);
    return value;
  }

  enumList(name: string, allowed: readonly string[]): void {
    const list = this.list(name, 0, allowed.length * 4) ?? [];
    for (const item of list) {
      if (typeof item !== "string" || !allowed.includes(item)) {
        throw validationError(
          this.at(name),
          list,
          `Member must satisfy constraint: [Member must satisfy enum value set: [${allowed.join(", ")}]]`,
        );
      }
    }
  }

  stringMap(name: string): void {
    const value = this.value[name];
    if (absent(value)) return;
    if (!isObject(value) || !Object.values(value).every((item) => typeof item === "string")) {
      throw validationError(this.at(name), value, "Member must be a map of strings");
    }
  }
}

export const ARN_PATTERN =
  "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?";
const ARN = new RegExp(`^${ARN_PATTERN}$`);

/** An IAM role ARN as Cognito takes one (CreateGroup, UpdateGroup): 20 to 2048 characters, an ARN. */
export function checkRoleArn(body: Json, name = "RoleArn"): void {
  new Member(body, "").arn(name);
}

const RECOVERY = ["verified_email", "verified_phone_number", "admin_only"] as const;

/**
 * Checks the settings CreateUserPool and UpdateUserPool share; throws InvalidParameterException
 * naming the first member that is wrong.
 */
export function checkPoolSettings(body: Json): void {
  const top = new Member(body, "");
  const at = (name: string) => top.object(name);

  const policies = at("Policies");
  const password = policies?.object("PasswordPolicy");
  if (password) {
    password.integer("MinimumLength", 6, 99);
    for (const rule of [
      "RequireUppercase",
      "RequireLowercase",
      "RequireNumbers",
      "RequireSymbols",
    ]) {
      password.boolean(rule);
    }
    password.integer("PasswordHistorySize", 0, 24);
    password.integer("TemporaryPasswordValidityDays", 0, 365);
  }

  top.oneOf("MfaConfiguration", ["OFF", "ON", "OPTIONAL"]);
  top.oneOf("DeletionProtection", ["ACTIVE", "INACTIVE"]);
  top.oneOf("UserPoolTier", ["LITE", "ESSENTIALS", "PLUS"]);
  top.enumList("AutoVerifiedAttributes", ["phone_number", "email"]);
  top.stringMap("UserPoolTags");
  top.string("SmsVerificationMessage", 6, 140);
  top.string("EmailVerificationMessage", 6, 20_000);
  top.string("EmailVerificationSubject", 1, 140);
  top.string("SmsAuthenticationMessage", 6, 140);

  const sms = at("SmsConfiguration");
  if (sms) {
    sms.arn("SnsCallerArn", true);
    sms.string("ExternalId", 0, 2048);
    sms.string("SnsRegion", 5, 32);
  }

  const email = at("EmailConfiguration");
  if (email) {
    email.arn("SourceArn");
    email.oneOf("EmailSendingAccount", ["COGNITO_DEFAULT", "DEVELOPER"]);
    email.string("ReplyToEmailAddress", 0, 2048);
    email.string("From", 0, 2048);
    email.string("ConfigurationSet", 1, 64);
  }

  const verification = at("VerificationMessageTemplate");
  if (verification) {
    verification.oneOf("DefaultEmailOption", ["CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE"]);
    verification.string("SmsMessage", 6, 140);
    verification.string("EmailMessage", 6, 20_000);
    verification.string("EmailSubject", 1, 140);
    verification.string("EmailMessageByLink", 6, 20_000);
    verification.string("EmailSubjectByLink", 1, 140);
  }

  const admin = at("AdminCreateUserConfig");
  if (admin) {
    admin.boolean("AllowAdminCreateUserOnly");
    admin.integer("UnusedAccountValidityDays", 0, 365);
    const invite = admin.object("InviteMessageTemplate");
    if (invite) {
      const emailMessage = invite.string("EmailMessage", 6, 20_000);
      invite.string("EmailSubject", 1, 140);
      const smsMessage = invite.string("SMSMessage", 6, 140);
      for (const [member, message] of [
        ["EmailMessage", emailMessage],
        ["SMSMessage", smsMessage],
      ] as const) {
        if (
          message !== undefined &&
          !(message.includes("{username}") && message.includes("{####}"))
        ) {
          throw new InvalidParameterException(
            `The invitation's ${member} must contain the placeholders {username} and {####}.`,
          );
        }
      }
    }
  }

  const recovery = at("AccountRecoverySetting");
  if (recovery) {
    const mechanisms = recovery.list("RecoveryMechanisms", 1, 2) ?? [];
    const names = new Set<string>();
    const priorities = new Set<number>();
    for (const [index, raw] of mechanisms.entries()) {
      const mechanism = Member.of(
        { m: raw },
        "m",
        `accountRecoverySetting.recoveryMechanisms.${index + 1}.member`,
      );
      if (!mechanism) {
        throw validationError(
          `accountRecoverySetting.recoveryMechanisms`,
          raw,
          "Member must not be null",
        );
      }
      const name = mechanism.oneOf("Name", RECOVERY);
      mechanism.integer("Priority", 1, 2);
      const priority = (raw as Json).Priority;
      if (name === undefined || typeof priority !== "number") {
        throw new InvalidParameterException(
          "Each account recovery mechanism needs a Name and a Priority.",
        );
      }
      if (names.has(name) || priorities.has(priority)) {
        throw new InvalidParameterException(
          "Invalid account recovery setting: mechanisms and priorities must not repeat.",
        );
      }
      names.add(name);
      priorities.add(priority);
    }
    if (names.has("admin_only") && names.size > 1) {
      throw new InvalidParameterException(
        "Invalid account recovery setting: admin_only cannot be combined with another recovery mechanism.",
      );
    }
  }

  const updates = at("UserAttributeUpdateSettings");
  updates?.enumList("AttributesRequireVerificationBeforeUpdate", ["phone_number", "email"]);
}

/** The recovery mechanisms a pool uses, by priority; null when it gives none (legacy behaviour). */
export function recoveryMechanisms(settings: Json): string[] | null {
  const setting = settings.AccountRecoverySetting;
  if (!isObject(setting) || !Array.isArray(setting.RecoveryMechanisms)) return null;
  return (setting.RecoveryMechanisms as { Name: string; Priority: number }[])
    .slice()
    .sort((a, b) => a.Priority - b.Priority)
    .map((mechanism) => mechanism.Name);
}
