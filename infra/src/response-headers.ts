// CloudFront sets the browser security headers itself (S3 cannot), and it accepts the standard
// ones only in their structured form: a Strict-Transport-Security given as a custom header is
// refused. This turns the site's header list into that form, and fails loudly on a value it
// cannot express rather than deploying the site without it.
import { Duration } from "aws-cdk-lib";
import {
  HeadersFrameOption,
  HeadersReferrerPolicy,
  type ResponseHeadersPolicyProps,
  type ResponseSecurityHeadersBehavior,
} from "aws-cdk-lib/aws-cloudfront";

export class ResponseHeaderError extends Error {
  override readonly name = "ResponseHeaderError";
  readonly code = "unsupported_header_value";
}

type HeaderBehaviors = Pick<
  ResponseHeadersPolicyProps,
  "securityHeadersBehavior" | "customHeadersBehavior"
>;

/** Maps `{ header name: value }` to a response headers policy's behaviors. */
export function toResponseHeaderBehaviors(
  headers: Readonly<Record<string, string>>,
): HeaderBehaviors {
  const security: {
    -readonly [K in keyof ResponseSecurityHeadersBehavior]: ResponseSecurityHeadersBehavior[K];
  } = {};
  const custom: { header: string; value: string; override: boolean }[] = [];
  for (const [name, value] of Object.entries(headers)) {
    switch (name.toLowerCase()) {
      case "content-security-policy":
        security.contentSecurityPolicy = { contentSecurityPolicy: value, override: true };
        break;
      case "strict-transport-security":
        security.strictTransportSecurity = { ...parseHsts(value), override: true };
        break;
      case "x-content-type-options":
        if (value.toLowerCase() !== "nosniff") throw unsupported(name, value);
        security.contentTypeOptions = { override: true };
        break;
      case "x-frame-options":
        security.frameOptions = { frameOption: parseFrameOption(name, value), override: true };
        break;
      case "referrer-policy":
        security.referrerPolicy = {
          referrerPolicy: parseReferrerPolicy(name, value),
          override: true,
        };
        break;
      case "x-xss-protection":
        security.xssProtection = { ...parseXssProtection(name, value), override: true };
        break;
      default:
        custom.push({ header: name, value, override: true });
    }
  }
  return {
    securityHeadersBehavior: security,
    ...(custom.length > 0 ? { customHeadersBehavior: { customHeaders: custom } } : {}),
  };
}

function parseHsts(value: string): {
  accessControlMaxAge: Duration;
  includeSubdomains: boolean;
  preload: boolean;
} {
  const directives = value.split(";").map((part) => part.trim().toLowerCase());
  const maxAge = directives.find((d) => d.startsWith("max-age="))?.slice("max-age=".length);
  if (maxAge === undefined || !/^\d+$/.test(maxAge))
    throw unsupported("Strict-Transport-Security", value);
  return {
    accessControlMaxAge: Duration.seconds(Number(maxAge)),
    includeSubdomains: directives.includes("includesubdomains"),
    preload: directives.includes("preload"),
  };
}

function parseFrameOption(name: string, value: string): HeadersFrameOption {
  switch (value.toUpperCase()) {
    case "DENY":
      return HeadersFrameOption.DENY;
    case "SAMEORIGIN":
      return HeadersFrameOption.SAMEORIGIN;
    default:
      throw unsupported(name, value);
  }
}

function parseReferrerPolicy(name: string, value: string): HeadersReferrerPolicy {
  const policy = Object.values(HeadersReferrerPolicy).find((p) => p === value.toLowerCase());
  if (policy === undefined) throw unsupported(name, value);
  return policy;
}

function parseXssProtection(
  name: string,
  value: string,
): { protection: boolean; modeBlock?: boolean } {
  const normalized = value.replace(/\s+/g, "").toLowerCase();
  if (normalized === "0") return { protection: false };
  if (normalized === "1") return { protection: true };
  if (normalized === "1;mode=block") return { protection: true, modeBlock: true };
  throw unsupported(name, value);
}

function unsupported(name: string, value: string): ResponseHeaderError {
  return new ResponseHeaderError(`CloudFront cannot send ${name}: ${value}`);
}
