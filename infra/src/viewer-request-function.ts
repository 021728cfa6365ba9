// The CloudFront Function in front of the site's bucket. S3 serves exact object keys only, so an
// address such as `/account` must be rewritten to the page's key (`/account.html`) before the
// request reaches the origin; the table is the site's own (@gatehouse/web's routes), the one the
// local server reads. The code runs in CloudFront's `cloudfront-js-2.0` runtime, written in the
// plain JavaScript it accepts.

/** The function's source, rewriting each path of `routes` to `/` + its page. */
export function viewerRequestCode(routes: Readonly<Record<string, string>>): string {
  const rewrites: Record<string, string> = {};
  for (const [path, page] of Object.entries(routes)) {
    if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(path)) {
      throw new Error(`A route must be a plain absolute path, got "${path}"`);
    }
    if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\.html$/.test(page)) {
      throw new Error(`A route's page must be an .html object key, got "${page}" for ${path}`);
    }
    rewrites[path] = `/${page}`;
  }
  return [
    `var routes = ${JSON.stringify(rewrites)};`,
    "function handler(event) {",
    "  var request = event.request;",
    "  if (Object.prototype.hasOwnProperty.call(routes, request.uri)) {",
    "    request.uri = routes[request.uri];",
    "  }",
    "  return request;",
    "}",
    "",
  ].join("\n");
}
