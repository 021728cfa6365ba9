// An HTTP proxy between the API and the local Cognito: it counts every request by operation (or
// path, for key fetches) and, when a suite asks, answers in Cognito's ways of failing instead of
// passing the call on.
import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ProxiedCall {
  /** The X-Amz-Target operation (`AdminCreateUser`), or `GET <path>`. */
  name: string;
  body: string;
}

export type Fault =
  | { kind: "pass" }
  /** Answered here as Cognito answers a failure (e.g. 400 TooManyRequestsException). */
  | { kind: "error"; status: number; type: string; message: string }
  /** Held without an answer for `ms`, then the connection is dropped (a timeout). */
  | { kind: "hang"; ms: number }
  /** The connection is dropped before the call reaches Cognito. */
  | { kind: "reset" }
  /** Cognito does the work, and its answer is lost on the way back. */
  | { kind: "lose-answer" }
  /** Cognito does the work; `run` happens before the answer goes back (if it still can). */
  | { kind: "then"; run: () => Promise<void> };

export interface CognitoProxy {
  url: string;
  /** Requests seen, by name. */
  counts(): Map<string, number>;
  count(name: string): number;
  /** Decides what happens to each call; `pass` when unset. */
  setPolicy(policy: ((call: ProxiedCall) => Fault) | null): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export async function startCognitoProxy(upstream: () => string): Promise<CognitoProxy> {
  const counts = new Map<string, number>();
  let policy: ((call: ProxiedCall) => Fault) | null = null;
  const sockets = new Set<Socket>();

  const server = createServer(async (request, response) => {
    const body = await readBody(request).catch(() => Buffer.alloc(0));
    const target = String(request.headers["x-amz-target"] ?? "");
    const name = target
      ? (target.split(".").pop() ?? target)
      : `${request.method} ${request.url ?? ""}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const fault = policy ? policy({ name, body: body.toString() }) : ({ kind: "pass" } as Fault);
    if (fault.kind === "error") {
      const payload = JSON.stringify({ __type: fault.type, message: fault.message });
      response.writeHead(fault.status, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-errortype": fault.type,
      });
      response.end(payload);
      return;
    }
    if (fault.kind === "reset") {
      request.socket.destroy();
      return;
    }
    if (fault.kind === "hang") {
      setTimeout(() => request.socket.destroy(), fault.ms).unref();
      return;
    }
    const base = new URL(upstream());
    const headers = { ...request.headers, host: base.host };
    const forward = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.url,
        headers,
        agent: false,
      },
      async (answer) => {
        const answerBody = await readBody(answer).catch(() => Buffer.alloc(0));
        if (fault.kind === "lose-answer") {
          request.socket.destroy();
          return;
        }
        if (fault.kind === "then") {
          await fault.run().catch(() => {});
          if (request.socket.destroyed) return;
        }
        const { "content-length": _ignored, "transfer-encoding": _te, ...rest } = answer.headers;
        response.writeHead(answer.statusCode ?? 502, {
          ...rest,
          "content-length": answerBody.length,
        });
        response.end(answerBody);
      },
    );
    forward.on("error", () => request.socket.destroy());
    forward.end(body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => new Map(counts),
    count: (name) => counts.get(name) ?? 0,
    setPolicy(next) {
      policy = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close").catch(() => {});
    },
  };
}
