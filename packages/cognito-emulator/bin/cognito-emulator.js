#!/usr/bin/env node
// The package ships TypeScript sources and has no build step. Loading them through tsx's module
// hooks costs 150–250 ms per start, so the CLI is bundled once with esbuild into a cache file named
// after the sources' paths, sizes and modification times, and later starts import that file
// directly. Any change under src/ makes a new bundle; if bundling fails, tsx loads the sources.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const BUNDLE_FORMAT = "1";
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = path.join(root, "src");
const cacheDir = path.join(root, "node_modules", ".cache", "cognito-emulator");

function fingerprint() {
  const hash = createHash("sha256").update(BUNDLE_FORMAT).update(process.version);
  const files = readdirSync(src, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
    .sort();
  for (const file of files) {
    const stat = statSync(path.join(src, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

async function bundle(file) {
  const { build } = await import("esbuild");
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await build({
    entryPoints: [path.join(src, "cli.ts")],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "silent",
  });
  // Older bundles go; the rename makes the new one appear whole even to a concurrent start.
  for (const old of readdirSync(cacheDir)) {
    if (old.startsWith("cli-") && old.endsWith(".mjs")) rmSync(path.join(cacheDir, old));
  }
  renameSync(temporary, file);
}

async function cachedCli() {
  try {
    const file = path.join(cacheDir, `cli-${fingerprint()}.mjs`);
    if (!existsSync(file)) await bundle(file);
    return file;
  } catch {
    return null;
  }
}

const cli = await cachedCli();
if (cli === null) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli.ts");
} else {
  // Stack traces then point into src/, not the bundle.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(cli).href);
}
