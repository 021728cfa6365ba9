// `npm run bench [-- --quick] [--no-peer] [--profile]`: runs the benchmark, prints the report and
// writes the figures to bench/results/latest.json.
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Driver, defaultOptions, runBenchmark } from "./emulator/index.ts";
import { formatReport } from "./emulator/report.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-peer": { type: "boolean", default: false },
    "no-ours": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
    cycles: { type: "string" },
    drivers: { type: "string" },
    "pool-sizes": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run bench -- [options]
  --quick              a smoke run: a few cycles, a small pool
  --no-peer            skip cognito-local
  --no-ours            skip cognito-emulator
  --profile            write a CPU profile of each emulator process to bench/results/profiles
                       (read one with: npx tsx bench/src/profile-summary.ts FILE [N])
  --strict             exit with status 1 when a goal fails
  --cycles N           cycles per measurement (default 300; 20 with --quick)
  --drivers A,B        clients that drive the throughput runs: sdk (AWS SDK v3), http (the same
                       requests from a plain HTTP client); default sdk,http
  --pool-sizes A,B     users already in the pool for the cycle-time runs (default 1000,100000)`);
  process.exit(0);
}

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
const options = defaultOptions(values.quick, resultsDir);
options.targets = options.targets.filter(
  (t) => !(t === "peer" && values["no-peer"]) && !(t === "ours" && values["no-ours"]),
);
options.profile = values.profile;
if (values.cycles !== undefined) {
  const cycles = Number.parseInt(values.cycles, 10);
  if (!(cycles > 0)) throw new Error("--cycles must be a positive integer");
  options.throughputCycles = cycles;
  options.timeCycles = cycles;
}
if (values.drivers !== undefined) {
  const drivers = values.drivers.split(",");
  if (drivers.length === 0 || drivers.some((d) => d !== "sdk" && d !== "http")) {
    throw new Error("--drivers takes sdk, http or both, e.g. --drivers=http");
  }
  options.drivers = drivers as Driver[];
}
if (values["pool-sizes"] !== undefined) {
  const sizes = values["pool-sizes"].split(",").map((s) => Number.parseInt(s, 10));
  if (sizes.some((s) => !(s >= 0))) throw new Error("--pool-sizes takes numbers, e.g. 1000,100000");
  options.poolSizes = sizes;
}

const results = await runBenchmark(options);
console.log(`\n${formatReport(results)}`);
await mkdir(resultsDir, { recursive: true });
const out = `${resultsDir}latest.json`;
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nFigures written to ${out}`);
if (options.profile) console.log(`CPU profiles of the emulator in ${resultsDir}profiles`);
if (values.strict && results.checks.some((c) => c.pass === false)) process.exitCode = 1;
