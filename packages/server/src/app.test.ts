// What an operator and a browser see of every response, whatever the route: helmet's security
// headers, and one log line per request with its id, status and time.
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
  it("carries helmet's security headers, on success, refusal and unknown routes alike", async () => {
    for (const [url, status] of [
      ["/healthz", 200],
      ["/me", 401],
      ["/no-such-route", 404],
    ] as const) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(status);
      expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(response.headers["strict-transport-security"]).toBe(
        "max-age=31536000; includeSubDomains",
      );
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(response.headers["cross-origin-opener-policy"]).toBe("same-origin");
      expect(response.headers["referrer-policy"]).toBe("no-referrer");
    }
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
