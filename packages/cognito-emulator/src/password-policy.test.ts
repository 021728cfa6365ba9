import { describe, expect, it } from "vitest";
import { brokenRules, defaultPasswordPolicy, enforcePolicy, policyOf } from "./password-policy.ts";

describe("the password policy", () => {
  it("takes Cognito's defaults for what a pool leaves out", () => {
    expect(policyOf({})).toEqual(defaultPasswordPolicy);
    expect(
      policyOf({ Policies: { PasswordPolicy: { MinimumLength: 10, RequireSymbols: false } } }),
    ).toMatchObject({ MinimumLength: 10, RequireSymbols: false, RequireUppercase: true });
  });

  it.each([
    ["Sh0rt!", "Password not long enough"],
    ["no-upper-case-1", "Password must have uppercase characters"],
    ["NO-LOWER-CASE-1", "Password must have lowercase characters"],
    ["No-Numbers-Here", "Password must have numeric characters"],
    ["NoSymbols123", "Password must have symbol characters"],
  ])("refuses %j: %s", (password, rule) => {
    expect(() => enforcePolicy(defaultPasswordPolicy, password)).toThrow(
      expect.objectContaining({
        type: "InvalidPasswordException",
        message: `Password did not conform with policy: ${rule}`,
      }),
    );
  });

  it("names the first rule broken, as Cognito does, and lists them all", () => {
    expect(brokenRules(defaultPasswordPolicy, "abc")).toEqual([
      "Password not long enough",
      "Password must have uppercase characters",
      "Password must have numeric characters",
      "Password must have symbol characters",
    ]);
  });

  it("counts any of Cognito's symbols, the space included, and nothing else", () => {
    const policy = { ...defaultPasswordPolicy, RequireSymbols: true };
    for (const symbol of "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ") {
      expect(brokenRules(policy, `Passw0rd${symbol}`)).toEqual([]);
    }
    expect(brokenRules(policy, "Passw0rd§")).toEqual(["Password must have symbol characters"]);
  });

  it("follows a pool's own rules", () => {
    const lenient = {
      ...defaultPasswordPolicy,
      MinimumLength: 6,
      RequireUppercase: false,
      RequireSymbols: false,
    };
    expect(() => enforcePolicy(lenient, "simple1")).not.toThrow();
    expect(() => enforcePolicy(lenient, "simple")).toThrow("Password must have numeric characters");
  });
});
