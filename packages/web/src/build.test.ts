import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "./build.ts";

let built: Awaited<ReturnType<typeof buildSite>>;

beforeAll(async () => {
  built = await buildSite({ outdir: mkdtempSync(path.join(tmpdir(), "gatehouse-build-")) });
});
afterAll(() => rmSync(built.outdir, { recursive: true, force: true }));

const read = (file: string) => readFileSync(path.join(built.outdir, file), "utf8");

describe("buildSite", () => {
  it("writes every page, its script and the stylesheet", () => {
    for (const file of [
      "index.html",
      "create-account.html",
      "account.html",
      "forgot-password.html",
      "assets/sign-in.js",
      "assets/account.js",
      "assets/styles.css",
    ]) {
      expect(built.files).toContain(file);
    }
  });

  it("leaves nothing inline that a strict CSP would block", () => {
    for (const page of built.files.filter((f) => f.endsWith(".html"))) {
      const html = read(page);
      expect(html, page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html, page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
  });

  it("preloads each page's shared chunks and config.json, and every preload exists", () => {
    const html = read("account.html");
    expect(html).toContain('<link rel="preload" href="/config.json" as="fetch" crossorigin>');
    const chunks = [...html.matchAll(/rel="modulepreload" href="\/(assets\/[\w-]+\.js)"/g)].map(
      (m) => m[1],
    );
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(built.files).toContain(chunk);
      expect(read("assets/account.js")).toContain(path.basename(chunk as string));
    }
  });

  it("bundles identity-js so it loads in a browser (no bare `global`)", () => {
    const scripts = built.files.filter((f) => f.endsWith(".js")).map(read);
    expect(scripts.some((js) => js.includes("REFRESH_TOKEN_AUTH"))).toBe(true);
    for (const js of scripts) expect(js).not.toMatch(/\bglobal\.(?!This)/);
  });
});
