import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "./build.ts";
import { defaultRootObject, objectKeyFor, pageRoutes } from "./routes.ts";

const src = path.dirname(fileURLToPath(import.meta.url));
let built: Awaited<ReturnType<typeof buildSite>>;

beforeAll(async () => {
  built = await buildSite({ outdir: mkdtempSync(path.join(tmpdir(), "gatehouse-routes-")) });
});
afterAll(() => rmSync(built.outdir, { recursive: true, force: true }));

/** Every site-relative address a page links or navigates to, e.g. `/account`, `/?notice=x`. */
function addressesUsed(): string[] {
  const found = new Set<string>();
  for (const dir of ["pages", "client"]) {
    for (const file of readdirSync(path.join(src, dir))) {
      if (file.endsWith(".test.ts")) continue;
      const text = readFileSync(path.join(src, dir, file), "utf8");
      for (const match of text.matchAll(
        /(?:href=|location\.(?:assign|replace)\(|location\.href\s*=\s*)["'`](\/[^"'`$]*)/g,
      )) {
        found.add(new URL(match[1] as string, "https://site.example").pathname);
      }
    }
  }
  return [...found].sort();
}

describe("the route table", () => {
  it("gives every page an address, and every address a page that the build writes", () => {
    const pages = built.files.filter((file) => file.endsWith(".html")).sort();
    expect([defaultRootObject, ...Object.values(pageRoutes)].sort()).toEqual(pages);
  });

  it("serves every address the pages link or navigate to", () => {
    const used = addressesUsed();
    expect(used).toContain("/account");
    for (const address of used) {
      expect(built.files, address).toContain(objectKeyFor(address));
    }
  });

  it("maps the root and the extension-less routes, and leaves other paths as their key", () => {
    expect(objectKeyFor("/")).toBe("index.html");
    expect(objectKeyFor("/account")).toBe("account.html");
    expect(objectKeyFor("/assets/sign-in.js")).toBe("assets/sign-in.js");
    expect(objectKeyFor("/account.html")).toBe("account.html");
    expect(objectKeyFor("/nothing-here")).toBe("nothing-here");
    expect(objectKeyFor("/constructor")).toBe("constructor");
  });
});
