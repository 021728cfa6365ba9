import { Duration } from "aws-cdk-lib";
import { HeadersFrameOption, HeadersReferrerPolicy } from "aws-cdk-lib/aws-cloudfront";
import { describe, expect, it } from "vitest";
import { ResponseHeaderError, toResponseHeaderBehaviors } from "./response-headers.ts";

describe("toResponseHeaderBehaviors", () => {
  it("puts the standard security headers in CloudFront's structured form", () => {
    const behaviors = toResponseHeaderBehaviors({
      "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
      "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-XSS-Protection": "0",
    });
    expect(behaviors.customHeadersBehavior).toBeUndefined();
    const security = behaviors.securityHeadersBehavior;
    expect(security?.contentSecurityPolicy).toEqual({
      contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
      override: true,
    });
    expect(security?.strictTransportSecurity?.accessControlMaxAge.toSeconds()).toBe(
      Duration.days(730).toSeconds(),
    );
    expect(security?.strictTransportSecurity).toMatchObject({
      includeSubdomains: true,
      preload: true,
    });
    expect(security?.contentTypeOptions).toEqual({ override: true });
    expect(security?.frameOptions?.frameOption).toBe(HeadersFrameOption.DENY);
    expect(security?.referrerPolicy?.referrerPolicy).toBe(
      HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
    );
    expect(security?.xssProtection).toEqual({ protection: false, override: true });
  });

  it("sends any other header as a custom header, overriding the origin's", () => {
    const behaviors = toResponseHeaderBehaviors({
      "Permissions-Policy": "camera=(), microphone=()",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
    expect(behaviors.customHeadersBehavior?.customHeaders).toEqual([
      { header: "Permissions-Policy", value: "camera=(), microphone=()", override: true },
      { header: "Cross-Origin-Opener-Policy", value: "same-origin", override: true },
    ]);
  });

  it.each([
    ["Strict-Transport-Security", "includeSubDomains"],
    ["X-Frame-Options", "ALLOW-FROM https://example.com"],
    ["Referrer-Policy", "unsafe-url-ish"],
    ["X-Content-Type-Options", "sniff"],
  ])("refuses %s: %s rather than deploying the site without it", (name, value) => {
    expect(() => toResponseHeaderBehaviors({ [name]: value })).toThrow(ResponseHeaderError);
  });
});
