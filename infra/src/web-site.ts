// The website as the stack ships it: built by @gatehouse/web, and served with the headers the
// site itself declares, so the deployed CSP is the one the site was written against.
import { join } from "node:path";
import { buildSite, securityHeaders } from "@gatehouse/web";
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
  };
}
