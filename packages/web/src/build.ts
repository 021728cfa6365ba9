// Builds the site: each page's script bundled and minified by esbuild, shared code split out.
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
  const result = await build({
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
    metafile: true,
  });
  // Each page names the shared chunks its script imports and config.json up front, so the browser
  // fetches them alongside the script instead of one after another.
  const chunksOf = new Map<string, string[]>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    chunksOf.set(
      path.basename(file),
      output.imports.filter((i) => i.kind === "import-statement").map((i) => path.basename(i.path)),
    );
  }
  const preloads = (html: string) => {
    const script = /<script type="module" src="\/assets\/([\w-]+\.js)"><\/script>/.exec(html);
    if (!script?.[1]) return html;
    const links = [
      '<link rel="preload" href="/config.json" as="fetch" crossorigin>',
      ...(chunksOf.get(script[1]) ?? []).map(
        (chunk) => `<link rel="modulepreload" href="/assets/${chunk}">`,
      ),
    ];
    return html.replace(script[0], `${script[0]}\n${links.join("\n")}`);
  };
  const pages = path.join(here, "pages");
  for (const file of await readdir(pages)) {
    if (file.endsWith(".html")) {
      await writeFile(
        path.join(outdir, file),
        preloads(await readFile(path.join(pages, file), "utf8")),
      );
    } else {
      await copyFile(path.join(pages, file), path.join(outdir, `assets/${file}`));
    }
  }
  const files = (await readdir(outdir, { recursive: true })).map(String).sort();
  return { outdir, files };
}
