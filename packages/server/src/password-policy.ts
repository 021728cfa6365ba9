// The user pool's password policy, checked before anything is written so that a weak password
// leaves no trace. Read from Cognito at start-up, so the two never disagree.
import type { PasswordPolicyType } from "@aws-sdk/client-cognito-identity-provider";
import type { ProblemDetail } from "./problems.ts";

export interface PasswordPolicy {
  minimumLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

const CONTROL = /\p{Cc}/u;
const SYMBOLS = new Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ");

export function fromCognito(policy: PasswordPolicyType | undefined): PasswordPolicy {
  return {
    minimumLength: policy?.MinimumLength ?? 8,
    requireUppercase: policy?.RequireUppercase ?? true,
    requireLowercase: policy?.RequireLowercase ?? true,
    requireNumbers: policy?.RequireNumbers ?? true,
    requireSymbols: policy?.RequireSymbols ?? true,
  };
}

/** One entry per rule the password breaks; empty when it is acceptable. */
export function checkPassword(policy: PasswordPolicy, password: string): ProblemDetail[] {
  const broken: ProblemDetail[] = [];
  const add = (rule: string, message: string) => broken.push({ field: "password", rule, message });
  if ([...password].length < policy.minimumLength) {
    add("minimum_length", `Use at least ${policy.minimumLength} characters.`);
  }
  if (policy.requireLowercase && !/[a-z]/.test(password))
    add("lowercase", "Include a lowercase letter.");
  if (policy.requireUppercase && !/[A-Z]/.test(password))
    add("uppercase", "Include an uppercase letter.");
  if (policy.requireNumbers && !/[0-9]/.test(password)) add("number", "Include a number.");
  if (policy.requireSymbols && ![...password].some((c) => SYMBOLS.has(c))) {
    add("symbol", "Include a symbol such as ! or %.");
  }
  // Control characters cannot be typed and Cognito refuses some of them: say so before any write.
  if (CONTROL.test(password)) add("characters", "Use only letters, digits, spaces and symbols.");
  if (password.trim() !== password) {
    add("whitespace", "Do not start or end the password with a space.");
  }
  return broken;
}
