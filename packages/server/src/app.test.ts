// What an operator and a browser see of every response, whatever the route: the API's security
// headers, cross-origin access for the site's origin only, and one log line per request with its
// id, status and time.
import { connect } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";
import type { Identity } from "./cognito/identity.ts";
import type { AccountStore } from "./db/index.ts";
import { loggerOptions } from "./logger.ts";

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
    done();
  },
});

// None of these routes reaches Cognito or the database.
const unused = (what: string) => () =>
  Promise.reject(new Error(`${what} is not part of this test`));
const identity = new Proxy({} as Identity, { get: () => unused("Cognito") });
const store = new Proxy({} as AccountStore, {
  get: (_target, name) => (name === "onChange" ? () => () => {} : unused("the database")),
});

let app: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  app = await buildApp({
    store,
    identity,
    policy: {} as Parameters<typeof buildApp>[0]["policy"],
    userPoolId: "us-east-1_test",
    clientId: "testclient",
    jwks: { keys: [] },
    corsOrigins: ["http://localhost:8080"],
    accountsRateLimitPerMinute: 10,
    redis: null,
    logger: pino({ ...loggerOptions, level: "info" }, sink),
    identityReady: async () => {},
  });
}, 30_000);
afterAll(async () => {
  await app?.close();
});

describe("every response", () => {
  it("carries the API's security headers, on success, refusal and unknown routes alike", async () => {
    for (const [url, status] of [
      ["/healthz", 200],
      ["/me", 401],
      ["/no-such-route", 404],
    ] as const) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(status);
      // Personal data: never stored by a browser or a cache between.
      expect(response.headers["cache-control"]).toBe("no-store");
      // Opened as a page, a response runs nothing and cannot be framed.
      expect(response.headers["content-security-policy"]).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(response.headers["x-frame-options"]).toBe("DENY");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["strict-transport-security"]).toBe(
        "max-age=31536000; includeSubDomains",
      );
    }
  });

  it("lets the site's origin read answers, and no other origin", async () => {
    const site = await app.inject({
      url: "/healthz",
      headers: { origin: "http://localhost:8080" },
    });
    expect(site.headers["access-control-allow-origin"]).toBe("http://localhost:8080");
    expect(site.headers["access-control-expose-headers"]).toBe("retry-after, location");
    const foreign = await app.inject({
      url: "/healthz",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.statusCode).toBe(200);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    // A near miss is another origin: the match is exact.
    const lookalike = await app.inject({
      url: "/healthz",
      headers: { origin: "http://localhost:8080.evil.example" },
    });
    expect(lookalike.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers the site's preflight on any path before authentication, and refuses others'", async () => {
    const preflight = (origin: string | undefined, method: string | undefined) =>
      app.inject({
        method: "OPTIONS",
        url: "/me",
        headers: {
          ...(origin ? { origin } : {}),
          ...(method ? { "access-control-request-method": method } : {}),
          "access-control-request-headers": "authorization",
        },
      });
    const allowed = await preflight("http://localhost:8080", "PATCH");
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers).toMatchObject({
      "access-control-allow-origin": "http://localhost:8080",
      "access-control-allow-methods": "GET, POST, PATCH, DELETE",
      "access-control-allow-headers": "authorization, content-type",
      "access-control-max-age": "600",
    });
    const foreign = await preflight("https://evil.example", "GET");
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    expect(foreign.json()).toMatchObject({ code: "origin_not_allowed" });
    expect(foreign.json().detail).toContain("https://evil.example");
    const incomplete = await preflight("http://localhost:8080", undefined);
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().errors[0].field).toBe("access-control-request-method");
  });

  it("is logged in one line with its request id, status and time, and no token", async () => {
    lines.length = 0;
    const response = await app.inject({
      url: "/me",
      headers: { authorization: "Bearer not.a.token" },
    });
    expect(response.statusCode).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    const requestLines = lines.filter((l) => l.msg === "request");
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      reqId: expect.any(String),
      statusCode: 401,
      url: "/me",
    });
    expect(typeof requestLines[0]?.responseTime).toBe("number");
    // Fastify's own two lines per request are off.
    expect(lines.some((l) => l.msg === "incoming request" || l.msg === "request completed")).toBe(
      false,
    );
    expect(JSON.stringify(lines)).not.toContain("not.a.token");
  });
});

/** Sends raw bytes and reads the whole answer (the server closes the connection after it). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.end(request));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may close while a large request is still being written.
      if (error.code === "ECONNRESET" || error.code === "EPIPE")
        resolve(Buffer.concat(chunks).toString());
      else reject(error);
    });
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe("a request Node's parser refuses before any route", () => {
  let port = 0;
  beforeAll(async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });

  it.each([
    [
      "a 1 MB Authorization header",
      `GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${"A".repeat(1024 * 1024)}\r\n\r\n`,
      431,
      "headers_too_large",
    ],
    ["malformed HTTP", "GET /me HTTP/1.1\r\nHost x\r\n\r\n", 400, "validation_failed"],
  ])("answers %s with a problem response", async (_what, request, status, code) => {
    const answer = await rawExchange(port, request);
    const [head = "", body = ""] = answer.split("\r\n\r\n");
    expect(head.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    const problem = JSON.parse(body) as { status: number; code: string };
    expect(problem).toMatchObject({ status, code });
  });
});
