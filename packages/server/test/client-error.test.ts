// What Node's parser refuses is answered with a problem response (client-error.ts), and the answer
// must reach a client that is still sending: a connection closed with part of a 1 MB header unread
// is reset by the kernel, and the reset can overtake the answer. Against a server in a process of
// its own, as the race needs two event loops.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

const SERVER = `
  const http = await import("node:http");
  const { answerClientError } = await import(${JSON.stringify(
    path.resolve(import.meta.dirname, "../src/client-error.ts"),
  )});
  const server = http.createServer((_request, response) => response.end("ok"));
  server.on("clientError", answerClientError);
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

let server: ChildProcess;
let port = 0;

beforeAll(async () => {
  server = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SERVER], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(server.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  port = Number(line.toString().trim());
}, 30_000);
afterAll(() => {
  server?.kill();
});

/** Writes the request and, busy for `busyMs` meanwhile, reads whatever comes back. */
function send(request: string, busyMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1");
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
    socket.write(request);
    const until = Date.now() + busyMs;
    while (Date.now() < until) {
      // A client slow to read, as on a loaded machine.
    }
  });
}

it("answers every 1 MB header with 431 headers_too_large, even to a client slow to read", async () => {
  const request = `GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${"A".repeat(1024 * 1024)}\r\n\r\n`;
  const answers: string[] = [];
  for (let i = 0; i < 40; i++) answers.push(await send(request, i % 2 === 0 ? 0 : 20));
  const heads = answers.map((answer) => answer.split("\r\n")[0]);
  expect(new Set(heads)).toEqual(new Set(["HTTP/1.1 431 Request Header Fields Too Large"]));
  const [head = "", body = ""] = (answers[0] ?? "").split("\r\n\r\n");
  expect(head).toMatch(/content-type: application\/problem\+json/i);
  expect(JSON.parse(body)).toMatchObject({ status: 431, code: "headers_too_large" });
}, 30_000);
