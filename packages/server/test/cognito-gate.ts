// An HTTP gate between the API and the emulator that can make Cognito refuse connections, hang,
// throttle, or do a call and lose its answer, so the real SDK's retries and timeouts are exercised.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  /** The connection is cut before anything reaches Cognito. */
  | "refuse"
  /** The request is held and never answered. */
  | "hang"
  /** Cognito answers TooManyRequestsException without doing anything. */
  | "throttle"
  /** Cognito does the call, but its answer is lost (the connection is cut instead). */
  | "lose-answer";

interface Rule {
  /** The operation (X-Amz-Target suffix), or "*" for every one. */
  operation: string;
  fault: Fault;
  /** How many more requests this rule applies to. */
  remaining: number;
}

export interface CognitoGate {
  url: string;
  /** Apply `fault` to the next `times` requests for `operation` (default: every request). */
  fail(operation: string, fault: Fault, times?: number): void;
  /** Let everything through again. */
  heal(): void;
  /** Operations that reached the gate, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startCognitoGate(target: string): Promise<CognitoGate> {
  let rules: Rule[] = [];
  const seen: string[] = [];
  const held = new Set<http.ServerResponse>();

  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    seen.push(operation);
    const rule = rules.find(
      (r) => (r.operation === operation || r.operation === "*") && r.remaining > 0,
    );
    if (rule) rule.remaining--;
    switch (rule?.fault) {
      case "refuse":
        request.socket.destroy();
        return;
      case "hang":
        held.add(response);
        return;
      case "throttle":
        response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        response.end(
          JSON.stringify({ __type: "TooManyRequestsException", message: "Rate exceeded" }),
        );
        return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) {
        headers[name] = value;
      }
    }
    const answer = await fetch(`${target}${request.url ?? "/"}`, {
      method: request.method ?? "GET",
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const text = Buffer.from(await answer.arrayBuffer());
    if (rule?.fault === "lose-answer") {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "application/json",
    });
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const gate: CognitoGate = {
    url: `http://127.0.0.1:${port}`,
    seen,
    fail(operation, fault, times = Number.POSITIVE_INFINITY) {
      rules.push({ operation, fault, remaining: times });
    },
    heal() {
      rules = [];
      for (const response of held) response.socket?.destroy();
      held.clear();
    },
    async close() {
      gate.heal();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return gate;
}
