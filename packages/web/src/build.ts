// Builds the site: each page's script bundled and minified by esbuild, shared code split out.
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const defaultDistDir = path.resolve(here, "../dist");
export const PAGES = ["sign-in", "create-account", "account", "forgot-password"] as const;

export async function buildSite(
  options: { outdir?: string } = {},
): Promise<{ outdir: string; files: string[] }> {
  const outdir = options.outdir ?? defaultDistDir;
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: PAGES.map((page) => path.join(here, "client", `${page}.ts`)),
    outdir: path.join(outdir, "assets"),
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    target: "es2022",
    // amazon-cognito-identity-js bundles a Buffer polyfill that reads `global`.
    define: { global: "globalThis" },
    logLevel: "silent",
  });
  const pages = path.join(here, "pages");
  for (const file of await readdir(pages)) {
    await copyFile(
      path.join(pages, file),
      path.join(outdir, file.endsWith(".css") ? `assets/${file}` : file),
    );
  }
  const files = (await readdir(outdir, { recursive: true })).map(String).sort();
  return { outdir, files };
}
