// A TCP proxy to a service (Redis, PostgreSQL) that a suite can cut and restore, to play the
// service going away under a running API without touching the shared server itself.
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Connections made through it so far. */
  connections(): number;
  /** Drops every open connection; new ones are still accepted. */
  breakConnections(): void;
  /** Drops every connection and stops listening: the service is gone. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let count = 0;
  const makeServer = () =>
    createServer((client) => {
      count++;
      const upstream = connect(targetPort, targetHost);
      sockets.add(client);
      sockets.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", end);
      upstream.on("error", end);
      client.on("close", end);
      upstream.on("close", end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  let server: Server | null = makeServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const port = address.port;
  const breakConnections = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const down = async () => {
    breakConnections();
    if (!server) return;
    const closing = once(server, "close");
    server.close();
    await closing;
    server = null;
  };
  return {
    port,
    connections: () => count,
    breakConnections,
    down,
    async up() {
      if (server) return;
      server = makeServer();
      server.listen(port, "127.0.0.1");
      await once(server, "listening");
    },
    close: down,
  };
}
