import type { SiteConfig } from "../site-config.ts";

/** The pool's password rules as one sentence, shown beside every new-password field. */
export function describePolicy(policy: SiteConfig["passwordPolicy"]): string {
  const rules = [`at least ${policy.minimumLength} characters`];
  if (policy.requireUppercase) rules.push("an uppercase letter");
  if (policy.requireLowercase) rules.push("a lowercase letter");
  if (policy.requireNumbers) rules.push("a number");
  if (policy.requireSymbols) rules.push("a symbol");
  const last = rules.pop() as string;
  return `Use ${rules.length ? `${rules.join(", ")} and ${last}` : last}.`;
}
