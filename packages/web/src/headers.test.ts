import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./headers.ts";

describe("securityHeaders", () => {
  it("lets the pages call only the given origins, with no inline script or style", () => {
    const csp = contentSecurityPolicy({
      connectSources: ["https://api.example.com", "https://cognito-idp.eu-west-1.amazonaws.com"],
    });
    const directives = new Map(
      csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)] as const),
    );
    expect(directives.get("default-src")).toEqual(["'none'"]);
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("style-src")).toEqual(["'self'"]);
    expect(directives.get("connect-src")).toEqual([
      "'self'",
      "https://api.example.com",
      "https://cognito-idp.eu-west-1.amazonaws.com",
    ]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp).not.toContain("unsafe");
  });

  it("passes deploy-time placeholders through untouched", () => {
    // CDK tokens look like `${Token[...]}`; built from pieces so nothing reads them as templates.
    const token = (id: string) => `$${"{"}Token[${id}]}`;
    const placeholder = `https://${token("TOKEN.123")}.execute-api.${token("AWS.Region.4")}.com`;
    const headers = securityHeaders({ connectSources: [placeholder, token("TOKEN.9")] });
    expect(headers["content-security-policy"]).toContain(
      `connect-src 'self' ${placeholder} ${token("TOKEN.9")};`,
    );
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBe("no-referrer");
  });
});
