// Bundles the accounts API for Lambda with esbuild, in process: no Docker and no npm install at
// synth time, so synth works offline and gives the same asset for the same sources.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";

export class ApiBundleError extends Error {
  override readonly name = "ApiBundleError";
  readonly code = "api_handler_missing";
}

export interface ApiBundleOptions {
  /** The bundle's entry: resolves DATABASE_URL, then loads the server's handler. */
  readonly entry: string;
  /**
   * File of the server's Lambda handler module, which the entry imports as `serverModule`;
   * checked first, for a clear error when it is missing.
   */
  readonly serverHandler: string;
  /** The specifier the entry imports the handler by; `@gatehouse/server/lambda` by default. */
  readonly serverModule?: string;
  /** Directory to write `index.mjs` (and its source map) into; emptied first. */
  readonly outdir: string;
  /** esbuild's target, matching the Lambda runtime (e.g. `node22`). */
  readonly target: string;
}

export interface ApiBundle {
  readonly dir: string;
  /** Every source file with code in the bundle, relative to the working directory. */
  readonly inputs: readonly string[];
}

export async function bundleApi(options: ApiBundleOptions): Promise<ApiBundle> {
  if (!existsSync(options.serverHandler)) {
    throw new ApiBundleError(
      `The Lambda handler ${options.serverHandler} does not exist; packages/server must export "handler" from it`,
    );
  }
  await rm(options.outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [options.entry],
    outfile: join(options.outdir, "index.mjs"),
    bundle: true,
    platform: "node",
    // ESM entry points first, so unused modules (e.g. Cognito commands the API never sends) are
    // left out, and the bundle's inputs say exactly which AWS operations it can call.
    mainFields: ["module", "main"],
    format: "esm",
    target: options.target,
    minify: true,
    // Fastify and pino report errors by function and class names.
    keepNames: true,
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
    // Some bundled CommonJS dependencies call require() and read __dirname, which ESM lacks.
    banner: {
      js: [
        'import { createRequire as __gatehouseCreateRequire } from "node:module";',
        'import { dirname as __gatehouseDirname } from "node:path";',
        'import { fileURLToPath as __gatehouseFileURLToPath } from "node:url";',
        "const require = __gatehouseCreateRequire(import.meta.url);",
        "const __filename = __gatehouseFileURLToPath(import.meta.url);",
        "const __dirname = __gatehouseDirname(__filename);",
      ].join("\n"),
    },
    alias: { [options.serverModule ?? "@gatehouse/server/lambda"]: options.serverHandler },
    // pg loads its native binding only when asked to; it is never asked to here.
    external: ["pg-native"],
  });
  return { dir: options.outdir, inputs: inputsOf(result.metafile) };
}

function inputsOf(metafile: Metafile): string[] {
  return Object.values(metafile.outputs)
    .flatMap((output) => Object.keys(output.inputs))
    .sort();
}
