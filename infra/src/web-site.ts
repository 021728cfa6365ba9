// The website as the stack ships it: built by @gatehouse/web, served with the headers the site
// itself declares (so the deployed CSP is the one the site was written against), under the
// site's own route table, with a config.json made by the site's own builder.
import { join } from "node:path";
import { userPoolSettings } from "@gatehouse/pool-settings";
import { passwordPolicyOf } from "@gatehouse/server";
import {
  buildSite,
  defaultRootObject,
  pageRoutes,
  securityHeaders,
  siteConfig,
} from "@gatehouse/web";
import { infraDir, type SiteSource } from "./synthesize.ts";

export function webSite(): SiteSource {
  const dir = join(infraDir, "dist/site");
  return {
    dir,
    build: async () => {
      await buildSite({ outdir: dir });
    },
    headers: ({ apiOrigin, cognitoOrigin }) =>
      securityHeaders({ connectSources: [apiOrigin, cognitoOrigin] }),
    config: (deployed) =>
      siteConfig({
        ...deployed,
        cognitoEndpoint: null,
        // The policy the pool is deployed with, converted as the API converts what it reads
        // back from Cognito.
        passwordPolicy: passwordPolicyOf(userPoolSettings.Policies.PasswordPolicy),
      }),
    routes: pageRoutes,
    defaultRootObject,
  };
}
