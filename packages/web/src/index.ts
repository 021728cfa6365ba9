export { buildSite, PAGES } from "./build.ts";
export { contentSecurityPolicy, type HeaderOptions, securityHeaders } from "./headers.ts";
export { type ServeOptions, serveSite } from "./serve.ts";
export type { SiteConfig } from "./site-config.ts";
