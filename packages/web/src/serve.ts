// A small static server for the site: the built pages under the addresses of the route table,
// config.json, and the security headers.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { buildSite, defaultDistDir } from "./build.ts";
import { securityHeaders } from "./headers.ts";
import { objectKeyFor } from "./routes.ts";
import type { SiteConfig } from "./site-config.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

export interface ServeOptions {
  config: SiteConfig;
  port?: number;
  host?: string;
  /** The built site; built first when missing. */
  distDir?: string;
}

export async function serveSite(
  options: ServeOptions,
): Promise<{ url: string; stop(): Promise<void> }> {
  const dist = options.distDir ?? defaultDistDir;
  if (!existsSync(path.join(dist, "index.html"))) await buildSite({ outdir: dist });
  const cognitoOrigin = options.config.cognitoEndpoint
    ? new URL(options.config.cognitoEndpoint).origin
    : `https://cognito-idp.${options.config.region}.amazonaws.com`;
  const headers = securityHeaders({
    connectSources: [new URL(options.config.apiBaseUrl).origin, cognitoOrigin],
  });
  const configJson = JSON.stringify(options.config);
  const server = createServer(async (request, response) => {
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { ...headers, "content-type": type, "cache-control": "no-cache" });
      response.end(body);
    };
    let file: string;
    try {
      file = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "text/plain", "Bad request");
    }
    // The same object keys CloudFront asks S3 for (routes.ts).
    file = `/${objectKeyFor(file)}`;
    if (request.method !== "GET" && request.method !== "HEAD")
      return send(405, "text/plain", "Method not allowed");
    if (file === "/config.json") return send(200, TYPES[".json"] as string, configJson);
    const full = path.resolve(dist, `.${file}`);
    if (!full.startsWith(dist + path.sep)) return send(404, "text/plain", "Not found");
    try {
      send(200, TYPES[path.extname(full)] ?? "application/octet-stream", await readFile(full));
    } catch {
      send(404, "text/plain", "Not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
