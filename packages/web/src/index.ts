export { buildSite, PAGES } from "./build.ts";
export { contentSecurityPolicy, type HeaderOptions, securityHeaders } from "./headers.ts";
export { defaultRootObject, objectKeyFor, pageRoutes } from "./routes.ts";
export { type ServeOptions, serveSite } from "./serve.ts";
export {
  type PasswordPolicyHint,
  type SiteConfig,
  type SiteConfigInput,
  siteConfig,
} from "./site-config.ts";
