// Builds what the stack ships (the API bundle and the website) and adds the stack to an App.
// `bin/app.ts` (for `cdk deploy`), `bin/synth.ts` (offline, in `npm test`) and the tests all go
// through here, so what is tested is what is deployed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App, Environment } from "aws-cdk-lib";
import { type ApiBundle, bundleApi } from "./bundle-api.ts";
import { apiRuntime, type EmailSender, GatehouseStack, type SiteSpec } from "./gatehouse-stack.ts";

export const infraDir = fileURLToPath(new URL("..", import.meta.url));

/** The website as the stack serves it, and how it is built. */
export interface SiteSource extends SiteSpec {
  /** Builds the site into `dir`. */
  readonly build: () => Promise<void>;
}

/**
 * Deploy-time choices, each given as CDK context (`cdk deploy -c databaseSecretArn=...`) or as
 * an environment variable (`GATEHOUSE_DATABASE_SECRET_ARN=... npm run deploy`).
 */
export interface DeployContext {
  /** `stackName` / `GATEHOUSE_STACK_NAME`; `Gatehouse` by default. */
  readonly stackName: string;
  /** `databaseSecretArn` / `GATEHOUSE_DATABASE_SECRET_ARN`: the secret holding DATABASE_URL. */
  readonly databaseSecretArn: string;
  /** `redisSecretArn` / `GATEHOUSE_REDIS_SECRET_ARN`: the secret holding REDIS_URL, if any. */
  readonly redisSecretArn: string | null;
  /**
   * `sesIdentityArn` + `emailFrom` / `GATEHOUSE_SES_IDENTITY_ARN` + `GATEHOUSE_EMAIL_FROM`: the
   * SES identity Cognito sends its emails through; `null` keeps Cognito's own, capped sender.
   */
  readonly emailSender: EmailSender | null;
}

export class DeployContextError extends Error {
  override readonly name = "DeployContextError";
  readonly code = "context_missing";
}

/** Reads the deploy context, failing with the command line that would fix it. */
export function readDeployContext(
  app: App,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DeployContext {
  const setting = (key: string, variable: string) =>
    stringContext(app, key) ?? (env[variable] || null);
  const databaseSecretArn = setting("databaseSecretArn", "GATEHOUSE_DATABASE_SECRET_ARN");
  if (databaseSecretArn === null) {
    throw new DeployContextError(
      "Give the ARN of the Secrets Manager secret that holds PostgreSQL's URL: " +
        "GATEHOUSE_DATABASE_SECRET_ARN=arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix> npm run deploy",
    );
  }
  const identityArn = setting("sesIdentityArn", "GATEHOUSE_SES_IDENTITY_ARN");
  const from = setting("emailFrom", "GATEHOUSE_EMAIL_FROM");
  if ((identityArn === null) !== (from === null)) {
    throw new DeployContextError(
      "Give both GATEHOUSE_SES_IDENTITY_ARN (the SES identity's ARN) and GATEHOUSE_EMAIL_FROM (the sender, e.g. 'Gatehouse <no-reply@example.com>'), or neither",
    );
  }
  return {
    stackName: setting("stackName", "GATEHOUSE_STACK_NAME") ?? "Gatehouse",
    databaseSecretArn,
    redisSecretArn: setting("redisSecretArn", "GATEHOUSE_REDIS_SECRET_ARN"),
    emailSender: identityArn === null || from === null ? null : { identityArn, from },
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
  readonly reconcileBundle: ApiBundle;
}

/** Bundles the API, builds the site, and adds the Gatehouse stack to `options.app`. */
export async function buildGatehouse(options: BuildOptions): Promise<Built> {
  const serverHandler =
    options.serverHandler ?? fileURLToPath(import.meta.resolve("@gatehouse/server/lambda"));
  const apiBundleDir = options.apiBundleDir ?? join(infraDir, "dist/api");
  const [apiBundle, reconcileBundle] = await Promise.all([
    bundleApi({
      entry: join(infraDir, "src/lambda/entry.ts"),
      serverHandler,
      outdir: apiBundleDir,
      target: nodeTarget(apiRuntime.name),
    }),
    bundleApi({
      entry: join(infraDir, "src/lambda/reconcile-entry.ts"),
      serverHandler: fileURLToPath(import.meta.resolve("@gatehouse/server/lambda-reconcile")),
      serverModule: "@gatehouse/server/lambda-reconcile",
      outdir: `${apiBundleDir}-reconcile`,
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
    reconcileBundleDir: reconcileBundle.dir,
    site: options.site,
    databaseSecretArn: options.context.databaseSecretArn,
    redisSecretArn: options.context.redisSecretArn,
    emailSender: options.context.emailSender,
  });
  return { stack, apiBundle, reconcileBundle };
}

/** esbuild's target for a Lambda runtime: `nodejs22.x` → `node22`. */
function nodeTarget(runtime: string): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (major === undefined) throw new Error(`Not a Node.js Lambda runtime: ${runtime}`);
  return `node${major}`;
}
