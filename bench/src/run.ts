// `npm run bench [-- options]`: runs the benchmarks, prints their reports, writes the figures to
// bench/results/*.json and (unless --quick) regenerates their sections of BENCHMARKS.md.
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ApiBenchResults, defaultApiOptions, runApiBenchmark } from "./api/index.ts";
import { formatApiReport } from "./api/report.ts";
import { updateBenchmarksFile } from "./benchmarks-file.ts";
import { type BenchResults, type Driver, defaultOptions, runBenchmark } from "./emulator/index.ts";
import { formatReport } from "./emulator/report.ts";
import { saneApi, saneEmulator } from "./sanity.ts";

const SUITES = ["emulator", "api"] as const;
type Suite = (typeof SUITES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    write: { type: "boolean" },
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
  --quick              a smoke run of every suite in under a minute: small sizes, one round;
                       checks its figures are sane (exit 1 if not), leaves BENCHMARKS.md alone
  --only A,B           suites to run: emulator (the local Cognito vs cognito-local), api (the
                       accounts API vs its peers); default both
  --write              regenerate BENCHMARKS.md's sections even with --quick
  --profile            CPU profiles: of each emulator process, and of the API under GET /me load
                       (summarised in the report); files under bench/results/profiles
  --strict             exit with status 1 when an emulator goal fails
emulator suite:
  --no-peer            skip cognito-local
  --no-ours            skip cognito-emulator
  --cycles N           cycles per measurement (default 300; 20 with --quick)
  --drivers A,B        clients that drive the throughput runs: sdk (AWS SDK v3), http (the same
                       requests from a plain HTTP client); default sdk,http
  --pool-sizes A,B     users already in the pool for the cycle-time runs (default 1000,100000)
Environment: BENCH_DATABASE_URL (or TEST_DATABASE_URL) is the PostgreSQL the api suite uses for
Gatehouse's second database (a schema of its own, dropped after); without one it says so.`);
  process.exit(0);
}

const suites: Suite[] = values.only
  ? values.only.split(",").map((s) => {
      if (!(SUITES as readonly string[]).includes(s)) {
        throw new Error(`--only takes ${SUITES.join(", ")}, got "${s}"`);
      }
      return s as Suite;
    })
  : [...SUITES];
const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
const benchmarksFile = fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url));
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
await mkdir(resultsDir, { recursive: true });
const sections: Record<string, string> = {};
const problems: string[] = [];

let emulator: BenchResults | null = null;
if (suites.includes("emulator")) {
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
    if (sizes.some((s) => !(s >= 0))) {
      throw new Error("--pool-sizes takes numbers, e.g. 1000,100000");
    }
    options.poolSizes = sizes;
  }
  emulator = await runBenchmark(options);
  const report = formatReport(emulator);
  console.log(`\n${report}\n`);
  await writeFile(`${resultsDir}emulator.json`, `${JSON.stringify(emulator, null, 2)}\n`);
  sections.emulator = `Latest figures from \`${command}\`:\n\n\`\`\`text\n${report}\n\`\`\``;
  problems.push(...saneEmulator(emulator));
}

let api: ApiBenchResults | null = null;
if (suites.includes("api")) {
  api = await runApiBenchmark({
    ...defaultApiOptions(values.quick),
    profileDir: values.profile || !values.quick ? `${resultsDir}profiles/api` : null,
    log: console.log,
  });
  const report = formatApiReport(api, command);
  console.log(`\n${report}\n`);
  await writeFile(`${resultsDir}api.json`, `${JSON.stringify(api, null, 2)}\n`);
  sections.api = report;
  problems.push(...saneApi(api));
}

if (!values.quick || values.write) {
  await updateBenchmarksFile(benchmarksFile, sections);
  console.log(`BENCHMARKS.md: ${Object.keys(sections).join(" and ")} regenerated`);
}
console.log(`Figures written to ${resultsDir}`);
if (problems.length > 0) {
  console.error(`The run's figures are not sane:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exitCode = 1;
}
if (values.strict && emulator?.checks.some((c) => c.pass === false)) process.exitCode = 1;
