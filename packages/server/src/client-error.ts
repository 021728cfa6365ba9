// Node's HTTP parser refuses some requests before any route runs (headers over its 16 KiB limit,
// malformed HTTP, headers that arrive too slowly). Fastify's own answer to those is plain JSON;
// this one is a problem response like every other error, and the connection is then dropped.
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

/** Fastify's `clientErrorHandler`. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const problem = problemFor(error);
  const body = JSON.stringify(problem.body());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `content-type: ${PROBLEM_TYPE}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        "connection: close\r\n\r\n" +
        body,
    );
  }
  socket.destroy();
}
