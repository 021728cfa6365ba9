// A pass-through in front of the local Cognito that counts what goes through it: JWKS fetches,
// and Cognito calls by their X-Amz-Target. It is how the benchmark knows how many keys a hostile
// token made a server fetch, and how many Cognito calls an account cost.
import { once } from "node:events";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  url: string;
  jwksFetches: number;
  /** Calls by operation name (X-Amz-Target without its prefix). */
  calls: Map<string, number>;
  totalCalls(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (req.url?.endsWith("/.well-known/jwks.json")) proxy.jwksFetches++;
    const operation = req.headers["x-amz-target"];
    if (typeof operation === "string") {
      const name = operation.split(".").pop() ?? operation;
      proxy.calls.set(name, (proxy.calls.get(name) ?? 0) + 1);
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(forwarded);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    jwksFetches: 0,
    calls: new Map(),
    totalCalls: () => [...proxy.calls.values()].reduce((a, b) => a + b, 0),
    reset() {
      proxy.jwksFetches = 0;
      proxy.calls.clear();
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
  return proxy;
}
