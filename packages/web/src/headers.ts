// The site's response headers. The values are joined as given, never parsed: the deployment passes
// placeholders that are resolved only at deploy time.

export interface HeaderOptions {
  /** Origins the pages may call: the API and Cognito. */
  connectSources: string[];
}

export function contentSecurityPolicy({ connectSources }: HeaderOptions): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connectSources.join(" ")}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

export function securityHeaders(options: HeaderOptions): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(options),
    // Ignored by browsers over plain http (the local stack); enforced once served over HTTPS.
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
  };
}
