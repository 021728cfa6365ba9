import { describe, expect, it } from "vitest";
import { ApiError } from "./api.ts";
import { ASKING_FOR_CODES, describeError } from "./messages.ts";
import { noticeText } from "./notices.ts";
import { describePolicy } from "./policy-hint.ts";

const cognitoError = (code: string, message = "") => Object.assign(new Error(message), { code });

describe("describeError", () => {
  it("puts a wrong password beside the password field, without the exception's name", () => {
    const [shown] = describeError(
      cognitoError("NotAuthorizedException", "Incorrect username or password."),
    );
    expect(shown?.field).toBe("password");
    expect(shown?.message).not.toMatch(/Exception|Incorrect username/);
  });

  it("lets a form word an error its own way", () => {
    const [shown] = describeError(cognitoError("NotAuthorizedException"), {
      NotAuthorizedException: { field: "current", message: "That is not your current password." },
    });
    expect(shown).toEqual({ field: "current", message: "That is not your current password." });
  });

  it("lists each broken password rule the API names", () => {
    const [shown] = describeError(
      new ApiError({
        status: 400,
        code: "password_policy",
        detail: "weak",
        errors: [
          { field: "password", message: "Use at least 10 characters." },
          { field: "password", message: "Include a number." },
        ],
      }),
    );
    expect(shown?.field).toBe("password");
    expect(shown?.message).toContain("Use at least 10 characters. Include a number.");
  });

  it("maps a taken email to the email field and unknown failures to the form", () => {
    expect(
      describeError(new ApiError({ status: 409, code: "email_taken", detail: "taken" }))[0]?.field,
    ).toBe("email");
    const [network] = describeError(new TypeError("Failed to fetch"));
    expect(network?.field).toBeNull();
    expect(network?.message).toContain("couldn't reach");
    expect(
      describeError(cognitoError("SomethingNewException", "raw text"))[0]?.message,
    ).not.toContain("raw text");
  });
});

describe("describeError for email verification, password reset and change", () => {
  const problem = (status: number, code: string, errors?: { field?: string; message: string }[]) =>
    new ApiError({ status, code, detail: `raw ${code} detail`, ...(errors ? { errors } : {}) });

  it("puts each code problem beside the code field, each in its own words", () => {
    const shown = ["code_mismatch", "code_expired", "too_many_attempts"].map((code) =>
      describeError(problem(code === "too_many_attempts" ? 429 : 400, code)),
    );
    for (const [entry] of shown) {
      expect(entry?.field).toBe("code");
      expect(entry?.message).not.toMatch(/raw|_/);
    }
    const [mismatch, expired, tooMany] = shown.map(([entry]) => entry?.message ?? "");
    expect(mismatch).toContain("not right");
    expect(expired).toContain("expired");
    expect(expired).toContain("new code");
    expect(tooMany).toContain("Too many");
    expect(new Set([mismatch, expired, tooMany]).size).toBe(3);
  });

  it("puts a wrong current password and a weak new one beside their own fields", () => {
    expect(describeError(problem(400, "current_password_incorrect"))).toEqual([
      { field: "currentPassword", message: "That is not your current password." },
    ]);
    const [weak] = describeError(
      problem(400, "password_policy", [{ field: "newPassword", message: "Include a symbol." }]),
    );
    expect(weak?.field).toBe("newPassword");
    expect(weak?.message).toContain("Include a symbol.");
  });

  it("says an unverified account must confirm its email first", () => {
    const [shown] = describeError(problem(403, "email_unverified"));
    expect(shown?.field).toBeNull();
    expect(shown?.message).toContain("Confirm your email");
  });

  it("lets a form word a problem code its own way", () => {
    const [shown] = describeError(problem(409, "email_taken"), {
      email_taken: { field: "code", message: "Another account has confirmed this email." },
    });
    expect(shown).toEqual({ field: "code", message: "Another account has confirmed this email." });
  });

  it("words too many codes asked for apart from too many wrong ones", () => {
    const [asking] = describeError(problem(429, "too_many_attempts"), ASKING_FOR_CODES);
    const [entering] = describeError(problem(429, "too_many_attempts"));
    expect(asking?.field).toBeNull();
    expect(asking?.message).toContain("several codes");
    expect(entering?.message).toContain("wrong");
  });

  it("names an unanswered Cognito request as a connection problem", () => {
    const [shown] = describeError(cognitoError("NetworkError", "Network error"));
    expect(shown?.message).toContain("couldn't reach");
  });
});

describe("describePolicy", () => {
  it("reads the pool's rules as one sentence", () => {
    expect(
      describePolicy({
        minimumLength: 12,
        requireUppercase: true,
        requireLowercase: false,
        requireNumbers: true,
        requireSymbols: true,
      }),
    ).toBe("Use at least 12 characters, an uppercase letter, a number and a symbol.");
    expect(
      describePolicy({
        minimumLength: 8,
        requireUppercase: false,
        requireLowercase: false,
        requireNumbers: false,
        requireSymbols: false,
      }),
    ).toBe("Use at least 8 characters.");
  });
});

describe("noticeText", () => {
  it("shows only the site's own notices, never text from the address", () => {
    expect(noticeText("signed-out")).toBe("You have signed out.");
    expect(noticeText("Your account is locked, call +1 555 0100")).toBe("");
    expect(noticeText("toString")).toBe("");
    expect(noticeText(null)).toBe("");
  });
});
