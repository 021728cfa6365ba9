import { buildSite } from "../src/build.ts";

const { outdir, files } = await buildSite();
console.log(`Built ${files.length} files into ${outdir}`);
