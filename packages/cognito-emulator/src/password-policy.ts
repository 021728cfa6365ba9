import { InvalidPasswordException } from "./errors.ts";

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

/** Cognito's defaults when a pool gives none. */
export const defaultPasswordPolicy: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

// Cognito's symbol set: ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + - and space.
const SYMBOLS = new Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ");

export function policyOf(settings: Record<string, unknown>): PasswordPolicy {
  const given = (settings.Policies as { PasswordPolicy?: Partial<PasswordPolicy> } | undefined)
    ?.PasswordPolicy;
  return { ...defaultPasswordPolicy, ...given };
}

/** Every rule `password` breaks, in Cognito's words ("Password not long enough", ...). */
export function brokenRules(policy: PasswordPolicy, password: string): string[] {
  const broken: string[] = [];
  if ([...password].length < policy.MinimumLength) broken.push("Password not long enough");
  if (policy.RequireLowercase && !/[a-z]/.test(password)) {
    broken.push("Password must have lowercase characters");
  }
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) {
    broken.push("Password must have uppercase characters");
  }
  if (policy.RequireNumbers && !/[0-9]/.test(password)) {
    broken.push("Password must have numeric characters");
  }
  if (policy.RequireSymbols && ![...password].some((c) => SYMBOLS.has(c))) {
    broken.push("Password must have symbol characters");
  }
  return broken;
}

/** Throws InvalidPasswordException naming the first rule broken, as Cognito does. */
export function enforcePolicy(policy: PasswordPolicy, password: string): void {
  if (password.length > 256) {
    throw new InvalidPasswordException(
      "Password did not conform with policy: Password is too long",
    );
  }
  const [first] = brokenRules(policy, password);
  if (first) throw new InvalidPasswordException(`Password did not conform with policy: ${first}`);
}
