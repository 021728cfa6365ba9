import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "./build.ts";
import { serveSite } from "./serve.ts";
import type { SiteConfig } from "./site-config.ts";

const config: SiteConfig = {
  region: "us-east-1",
  userPoolId: "us-east-1_gatehouse",
  clientId: "gatehouselocalwebclient001",
  cognitoEndpoint: "http://127.0.0.1:4555",
  apiBaseUrl: "http://127.0.0.1:4556",
  passwordPolicy: {
    minimumLength: 10,
    requireUppercase: true,
    requireLowercase: true,
    requireNumbers: true,
    requireSymbols: false,
  },
};

let dist: string;
let site: Awaited<ReturnType<typeof serveSite>>;

beforeAll(async () => {
  dist = mkdtempSync(path.join(tmpdir(), "gatehouse-site-"));
  await buildSite({ outdir: dist });
  site = await serveSite({ port: 0, config, distDir: dist });
});

afterAll(async () => {
  await site?.stop();
  rmSync(dist, { recursive: true, force: true });
});

/** A raw request, so paths reach the server exactly as written. */
function get(pathname: string, method = "GET") {
  const { port } = new URL(site.url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: pathname, method }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("serveSite", () => {
  it("serves the sign-in page with a CSP naming only the API and the local Cognito", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("<h1>Sign in</h1>");
    expect(page.headers["content-security-policy"]).toContain(
      "connect-src 'self' http://127.0.0.1:4556 http://127.0.0.1:4555;",
    );
  });

  it("serves config.json and pages without their extension", async () => {
    const served = await get("/config.json");
    expect(JSON.parse(served.body)).toEqual(config);
    expect((await get("/account")).body).toContain("<h1>Your account</h1>");
    const script = await get("/assets/sign-in.js");
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
  });

  it("refuses paths outside the site, malformed paths and writes", async () => {
    expect((await get("/%2e%2e/%2e%2e/package.json")).status).toBe(404);
    expect((await get("/%E0%A4%A")).status).toBe(400);
    expect((await get("/nothing-here")).status).toBe(404);
    expect((await get("/", "POST")).status).toBe(405);
    // Still answering after all of that.
    expect((await get("/")).status).toBe(200);
  });

  it("uses the regional Cognito origin when no local endpoint is configured", async () => {
    const { cognitoEndpoint: _, ...aws } = config;
    const regional = await serveSite({
      port: 0,
      distDir: dist,
      config: { ...aws, region: "eu-west-1" },
    });
    try {
      const response = await fetch(regional.url);
      expect(response.headers.get("content-security-policy")).toContain(
        "https://cognito-idp.eu-west-1.amazonaws.com",
      );
    } finally {
      await regional.stop();
    }
  });
});
