// Node's HTTP parser refuses some requests before any route runs (headers over its 16 KiB limit,
// malformed HTTP, headers that arrive too slowly). Fastify's own answer to those is plain JSON;
// this one is a problem response like every other error, and the connection is then closed.
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { PROBLEM_TYPE, Problem } from "./problems.ts";

function problemFor(error: NodeJS.ErrnoException): Problem {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new Problem(
        "headers_too_large",
        "The request's headers are larger than this API accepts (16 KiB in all).",
      );
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new Problem("request_timeout", "The request's headers took too long to arrive.");
    default:
      return new Problem("validation_failed", "The request is not valid HTTP/1.1.");
  }
}

/**
 * How long a refused connection is still read, what arrives thrown away, before it is let go. A
 * connection closed with part of the request unread is reset by the kernel, and the reset can
 * overtake the answer: a client still sending (a 1 MB header) would then see no answer at all.
 */
export const LINGER_MS = 2_000;

/** Connections answered already: the parser reports each later chunk of a refused request too. */
const answered = new WeakSet<Duplex>();

/** Fastify's `clientErrorHandler`. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (answered.has(socket)) return;
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const problem = problemFor(error);
  const body = JSON.stringify(problem.body());
  answered.add(socket);
  // The answer, then our end of the connection closed (FIN), the rest of the request read and
  // dropped until the client closes its end or LINGER_MS passes.
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
      `content-type: ${PROBLEM_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      "connection: close\r\n\r\n" +
      body,
  );
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once("close", () => clearTimeout(linger));
}
