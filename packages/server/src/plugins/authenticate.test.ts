import { describe, expect, it } from "vitest";
import { againstWatermark } from "./authenticate.ts";

const at = (iso: string) => new Date(iso);
const iat = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const signedOut = { signedOutAt: at("2026-01-01T12:00:10.300Z"), signedOutOriginJti: "session-1" };

describe("a token against the sign-out watermark", () => {
  it("is live when the account never signed out", () => {
    expect(
      againstWatermark(
        { iat: iat("2026-01-01T12:00:00Z"), originJti: "x" },
        { signedOutAt: null, signedOutOriginJti: null },
      ),
    ).toBe("live");
  });

  it("is revoked when it belongs to the session that signed out, whenever it claims to be issued", () => {
    for (const time of ["2026-01-01T12:00:00Z", "2026-01-01T12:00:10Z", "2026-01-01T12:05:00Z"]) {
      expect(againstWatermark({ iat: iat(time), originJti: "session-1" }, signedOut)).toBe(
        "revoked",
      );
    }
  });

  it.each([
    ["2026-01-01T12:00:07Z", "revoked"],
    // Its second ends within the clocks' uncertainty of the watermark.
    ["2026-01-01T12:00:08Z", "ask-cognito"],
    ["2026-01-01T12:00:10Z", "ask-cognito"],
    ["2026-01-01T12:00:12Z", "ask-cognito"],
    ["2026-01-01T12:00:13Z", "live"],
  ])("another session's token issued at %s is %s", (time, standing) => {
    expect(againstWatermark({ iat: iat(time), originJti: "session-2" }, signedOut)).toBe(standing);
  });

  it("treats a token without origin_jti by its time alone", () => {
    expect(
      againstWatermark(
        { iat: iat("2026-01-01T12:00:10Z"), originJti: null },
        {
          signedOutAt: signedOut.signedOutAt,
          signedOutOriginJti: null,
        },
      ),
    ).toBe("ask-cognito");
  });
});
