// Builds what the stack ships (the API bundle and the website) and adds the stack to an App.
// `bin/app.ts` (for `cdk deploy`), `bin/synth.ts` (offline, in `npm test`) and the tests all go
// through here, so what is tested is what is deployed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App, Environment } from "aws-cdk-lib";
import { type ApiBundle, bundleApi } from "./bundle-api.ts";
import { apiRuntime, GatehouseStack, type SiteOrigins } from "./gatehouse-stack.ts";

export const infraDir = fileURLToPath(new URL("..", import.meta.url));

/** How the website is built, and which headers it must be served with. */
export interface SiteSource {
  /** Builds the site into `dir`. */
  readonly build: () => Promise<void>;
  /** Directory holding the built site. */
  readonly dir: string;
  /** The site's response headers (CSP included), given the origins its pages talk to. */
  readonly headers: (origins: SiteOrigins) => Readonly<Record<string, string>>;
}

/** Deploy-time choices, given as CDK context (`-c name=value`). */
export interface DeployContext {
  readonly stackName: string;
  readonly databaseSecretArn: string;
  readonly redisUrl: string | null;
}

export class DeployContextError extends Error {
  override readonly name = "DeployContextError";
  readonly code = "context_missing";
}

/** Reads the deploy context from the App, failing with the command line that would fix it. */
export function readDeployContext(app: App): DeployContext {
  const databaseSecretArn = stringContext(app, "databaseSecretArn");
  if (databaseSecretArn === null) {
    throw new DeployContextError(
      "Give the ARN of the Secrets Manager secret that holds PostgreSQL's URL: " +
        "npm run deploy -- -c databaseSecretArn=arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>",
    );
  }
  return {
    stackName: stringContext(app, "stackName") ?? "Gatehouse",
    databaseSecretArn,
    redisUrl: stringContext(app, "redisUrl"),
  };
}

function stringContext(app: App, key: string): string | null {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new DeployContextError(`Context ${key} must be a string`);
  return value;
}

export interface BuildOptions {
  readonly app: App;
  readonly context: DeployContext;
  readonly site: SiteSource;
  /** Account and region; omitted, the template works in any (as `cdk synth` without a profile). */
  readonly env?: Environment;
  /** The server's Lambda handler module; `@gatehouse/server/lambda` by default. */
  readonly serverHandler?: string;
  /** Where the API bundle is written; `infra/dist/api` by default. */
  readonly apiBundleDir?: string;
}

export interface Built {
  readonly stack: GatehouseStack;
  readonly apiBundle: ApiBundle;
}

/** Bundles the API, builds the site, and adds the Gatehouse stack to `options.app`. */
export async function buildGatehouse(options: BuildOptions): Promise<Built> {
  const serverHandler =
    options.serverHandler ?? fileURLToPath(import.meta.resolve("@gatehouse/server/lambda"));
  const [apiBundle] = await Promise.all([
    bundleApi({
      entry: join(infraDir, "src/lambda/entry.ts"),
      serverHandler,
      outdir: options.apiBundleDir ?? join(infraDir, "dist/api"),
      target: nodeTarget(apiRuntime.name),
    }),
    options.site.build(),
  ]);
  if (!existsSync(join(options.site.dir, "index.html"))) {
    throw new Error(`The site build left no index.html in ${options.site.dir}`);
  }
  const stack = new GatehouseStack(options.app, options.context.stackName, {
    ...(options.env === undefined ? {} : { env: options.env }),
    description:
      "Gatehouse: Cognito user pool, accounts API (Lambda + HTTP API), website (S3 + CloudFront)",
    apiBundleDir: apiBundle.dir,
    siteDir: options.site.dir,
    siteHeaders: options.site.headers,
    databaseSecretArn: options.context.databaseSecretArn,
    redisUrl: options.context.redisUrl,
  });
  return { stack, apiBundle };
}

/** esbuild's target for a Lambda runtime: `nodejs22.x` → `node22`. */
function nodeTarget(runtime: string): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (major === undefined) throw new Error(`Not a Node.js Lambda runtime: ${runtime}`);
  return `node${major}`;
}
