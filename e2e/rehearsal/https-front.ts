// One HTTPS listener on 127.0.0.1 for the AWS hostnames of the rehearsal (the distribution, the
// HTTP API, Cognito's regional endpoint), each answered by its own handler, so the browser sees
// the deployed origins, over TLS, with real CORS between them. Chromium is pointed here with
// --host-resolver-rules; the certificate is a throwaway one made for this run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type Handler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HttpsFront {
  readonly port: number;
  /** Chromium flags that send these hostnames here. */
  readonly chromiumArgs: string[];
  stop(): Promise<void>;
}

function selfSignedCertificate(hosts: string[]): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-rehearsal-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=gatehouse-rehearsal",
        "-addext",
        `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}`,
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "pipe" },
    );
    return {
      key: readFileSync(path.join(dir, "key.pem")),
      cert: readFileSync(path.join(dir, "cert.pem")),
    };
  } catch (error) {
    throw new Error(
      `openssl could not make the rehearsal's certificate (apt-get install -y openssl): ${(error as Error).message}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startHttpsFront(
  hosts: Readonly<Record<string, Handler>>,
): Promise<HttpsFront> {
  const names = Object.keys(hosts);
  const server = createServer(selfSignedCertificate(names), (request, response) => {
    const host = (request.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    const handler = hosts[host];
    if (handler === undefined) {
      response.writeHead(421, { "content-type": "text/plain" });
      response.end(`No rehearsal host ${host}`);
      return;
    }
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`rehearsal: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    chromiumArgs: [
      `--host-resolver-rules=${names.map((name) => `MAP ${name} 127.0.0.1:${port}`).join(", ")}`,
    ],
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
