import { runInNewContext } from "node:vm";
import { pageRoutes } from "@gatehouse/web";
import { describe, expect, it } from "vitest";
import { viewerRequestCode } from "./viewer-request-function.ts";

interface Request {
  uri: string;
  method: string;
  querystring: Record<string, { value: string }>;
}

/** Runs the function's code as CloudFront does: a fresh context, `handler(event)` per request. */
function viewerRequest(code: string, uri: string, querystring = {}): Request {
  const sandbox: { handler?: (event: unknown) => Request } = {};
  runInNewContext(`${code}\nthis.handler = handler;`, sandbox);
  const handler = sandbox.handler;
  if (handler === undefined) throw new Error("the code defines no handler");
  return handler({ version: "1.0", context: {}, request: { uri, method: "GET", querystring } });
}

describe("the viewer-request function", () => {
  const code = viewerRequestCode(pageRoutes);

  it("rewrites each of the site's extension-less addresses to its page", () => {
    expect(Object.keys(pageRoutes).length).toBeGreaterThanOrEqual(3);
    for (const [path, page] of Object.entries(pageRoutes)) {
      expect(viewerRequest(code, path).uri).toBe(`/${page}`);
    }
  });

  it("keeps the query string, and leaves the root, assets and unknown paths alone", () => {
    const request = viewerRequest(code, "/account", { notice: { value: "signed-out" } });
    expect(request.querystring).toEqual({ notice: { value: "signed-out" } });
    for (const uri of ["/", "/assets/sign-in.js", "/config.json", "/nothing", "/toString"]) {
      expect(viewerRequest(code, uri).uri).toBe(uri);
    }
  });

  it("refuses a route it could not express safely", () => {
    expect(() => viewerRequestCode({ "/a b": "a.html" })).toThrow(/plain absolute path/);
    expect(() => viewerRequestCode({ "/a": "a.js" })).toThrow(/\.html object key/);
    expect(() => viewerRequestCode({ "/a": 'x";alert(1);".html' })).toThrow(/\.html/);
  });
});
