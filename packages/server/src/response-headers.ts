// The headers every API response carries, and cross-origin access for the site's origins. Both are
// decided from values computed once at start-up: a request pays for a few property writes, not
// for parsing options or directives again (what @fastify/helmet and @fastify/cors did per request).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Problem } from "./problems.ts";

/**
 * For a JSON API rather than for pages (OWASP's REST set): nothing in a response may be cached (it
 * is personal data), framed, sniffed as another type, or run as a document if a browser is pointed
 * at it, and the API is reached over HTTPS only. Headers that matter to pages (referrer policy,
 * cross-origin isolation and resource policies) are the site's (packages/web/src/headers.ts): the
 * API answers only requests that carry a bearer token, which no cross-site embed can send.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

export interface CorsOptions {
  /** Exact origins (scheme, host and port) whose pages may call the API. */
  origins: readonly string[];
  methods: readonly string[];
  /** Request headers a page may send. */
  allowedHeaders: readonly string[];
  /** Response headers a page may read. */
  exposedHeaders: readonly string[];
  /** How long a browser may keep a preflight's answer. */
  maxAgeSeconds: number;
}

/**
 * Sets the security headers on every response, allows the configured origins, and answers CORS
 * preflights (`OPTIONS` on any path) before any route or authentication runs.
 */
export function responseHeaders(app: FastifyInstance, cors: CorsOptions): void {
  const allowed = new Set(cors.origins);
  const exposed = cors.exposedHeaders.join(", ");
  const methods = cors.methods.join(", ");
  const requestHeaders = cors.allowedHeaders.join(", ");
  const maxAge = String(cors.maxAgeSeconds);
  // The answer differs by Origin, yet needs no `Vary: Origin`: `no-store` forbids any cache to keep
  // it (RFC 9111, 5.2.2.5), and Vary only tells a cache which stored answer fits. Each header is
  // about 0.8 µs of a request's 35 (BENCHMARKS.md), so one that does nothing is left out.
  const always = SECURITY_HEADERS;

  app.addHook("onRequest", (request: FastifyRequest, reply: FastifyReply, done) => {
    reply.headers(always);
    const origin = request.headers.origin;
    if (origin !== undefined && allowed.has(origin)) {
      reply.header("access-control-allow-origin", origin);
      if (request.method !== "OPTIONS") reply.header("access-control-expose-headers", exposed);
    }
    done();
  });

  app.options("*", { schema: { hide: true } }, async (request, reply) => {
    const origin = request.headers.origin;
    const method = request.headers["access-control-request-method"];
    if (origin === undefined || method === undefined) {
      throw new Problem(
        "validation_failed",
        "A CORS preflight needs both Origin and Access-Control-Request-Method headers.",
        [
          {
            field: origin === undefined ? "origin" : "access-control-request-method",
            message: "This header is missing.",
          },
        ],
      );
    }
    if (!allowed.has(origin)) {
      throw new Problem(
        "origin_not_allowed",
        `Pages from ${origin} may not call this API (CORS_ORIGINS lists the origins that may).`,
      );
    }
    reply.headers({
      "access-control-allow-methods": methods,
      "access-control-allow-headers": requestHeaders,
      "access-control-max-age": maxAge,
    });
    reply.code(204);
    return "";
  });
}
