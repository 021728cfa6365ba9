// Gzipped size of each page's script (with the shared chunk it imports) against
// amazon-cognito-identity-js alone, bundled the same way. Run: npm run measure -w packages/web
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { buildSite, PAGES } from "../src/build.ts";

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
const { outdir } = await buildSite({ outdir: path.join(tmpdir(), "gatehouse-measure-site") });

const entry = path.join(tmpdir(), "identity-js-only.ts");
await writeFile(
  entry,
  'import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";\n' +
    "console.log(AuthenticationDetails, CognitoUser, CognitoUserPool);\n",
);
const peer = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  define: { global: "globalThis" },
  write: false,
  nodePaths: [path.resolve(import.meta.dirname, "../../../node_modules")],
});
const peerBytes = gz(peer.outputFiles[0]?.contents ?? new Uint8Array());
await rm(entry);

console.log("page            | script + shared chunks, gzip -9 | vs identity-js alone");
for (const page of PAGES) {
  const main = await readFile(path.join(outdir, "assets", `${page}.js`));
  const imports = [...main.toString().matchAll(/from"\.\/(chunk-[\w-]+\.js)"/g)].map(
    (m) => m[1] as string,
  );
  let total = main;
  for (const chunk of new Set(imports)) {
    total = Buffer.concat([total, await readFile(path.join(outdir, "assets", chunk))]);
  }
  const bytes = gz(total);
  console.log(
    `${page.padEnd(15)} | ${(bytes / 1024).toFixed(1).padStart(6)} KiB | ${(bytes / peerBytes).toFixed(2)}×`,
  );
}
console.log(`identity-js     | ${(peerBytes / 1024).toFixed(1).padStart(6)} KiB | 1.00×`);
