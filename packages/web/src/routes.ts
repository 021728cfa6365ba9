// Which page each address serves. S3 has no notion of `/account` meaning `account.html`: the
// local server and the CloudFront Function in front of the bucket both read this table, so the
// addresses the pages link to work the same locally and deployed.

/** Served for `/` (CloudFront's default root object). */
export const defaultRootObject = "index.html";

/** Extension-less paths and the page (object key) each one serves. */
export const pageRoutes: Readonly<Record<`/${string}`, string>> = {
  "/create-account": "create-account.html",
  "/account": "account.html",
  "/forgot-password": "forgot-password.html",
};

/** The object key a request path is served from: a route's page, the root object, or the path. */
export function objectKeyFor(path: string): string {
  if (path === "/") return defaultRootObject;
  const page = Object.hasOwn(pageRoutes, path) ? pageRoutes[path as `/${string}`] : undefined;
  return page ?? path.replace(/^\/+/, "");
}
