// `cognito-emulator`: the local Cognito as a command.
import { parseArgs } from "node:util";
import { startEmulator } from "./index.ts";

const HELP = `Usage: cognito-emulator [options]

A Cognito User Pools-compatible server for local development and tests.

Options:
  --host HOST         interface to listen on (default 127.0.0.1)
  --port PORT         port to listen on, 0 for a free one (default 9229)
  --data-dir DIR      where users, pools and the signing key are kept (default .gatehouse/cognito)
  --in-memory         keep nothing on disk
  --fsync             fsync every write (survives power loss, slower)
  --seed FILE         JSON seed: pools, clients, groups and users to create at start
  --fixed-code CODE   every ForgotPassword code is CODE (scripted tests)
  --issuer KIND       "cognito" (default: https://cognito-idp.<region>.amazonaws.com/<poolId>)
                      or "local" (this server's URL)
  --allow-origin ORIGIN
                      a web page origin allowed to call the operations that need AWS
                      credentials (Admin*, ListUsers, pools, clients, groups) and /_emulator/*;
                      repeat it or separate origins with commas (default: the site's origins,
                      http://localhost:8080 and http://127.0.0.1:8080). Pages from other origins
                      get 403; browser operations (sign-in, refresh, forgot password, the
                      access-token operations) answer any origin.
  --help              show this help
`;

function fail(message: string): never {
  process.stderr.write(`cognito-emulator: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

let values: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "9229" },
      "data-dir": { type: "string" },
      "in-memory": { type: "boolean", default: false },
      fsync: { type: "boolean", default: false },
      seed: { type: "string" },
      "fixed-code": { type: "string" },
      issuer: { type: "string", default: "cognito" },
      "allow-origin": { type: "string", multiple: true },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}
try {
  values = parse();
} catch (error) {
  fail((error as Error).message);
}

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  fail(`--port must be a number from 0 to 65535, got "${values.port}"`);
}
if (values.issuer !== "cognito" && values.issuer !== "local") {
  fail(`--issuer must be "cognito" or "local", got "${values.issuer}"`);
}
if (values["in-memory"] && values["data-dir"] !== undefined) {
  fail("--in-memory and --data-dir cannot be used together");
}
if (values["fixed-code"] !== undefined && !/^\d{6}$/.test(values["fixed-code"])) {
  fail(`--fixed-code must be six digits, got "${values["fixed-code"]}"`);
}

const allowedOrigins = values["allow-origin"]
  ?.flatMap((value) => value.split(","))
  .map((origin) => origin.trim())
  .filter(Boolean);
for (const origin of allowedOrigins ?? []) {
  if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
    fail(`--allow-origin "${origin}" is not an origin like http://localhost:8080`);
  }
}

try {
  const emulator = await startEmulator({
    ...(allowedOrigins ? { allowedOrigins } : {}),
    host: values.host,
    port,
    dataDir: values["data-dir"],
    inMemory: values["in-memory"],
    fsync: values.fsync,
    seed: values.seed ?? null,
    fixedCode: values["fixed-code"] ?? null,
    issuer: values.issuer,
  });
  const storage = values["in-memory"]
    ? "in memory"
    : `data in ${values["data-dir"] ?? ".gatehouse/cognito"}`;
  const pools = emulator
    .pools()
    .map(
      ({ id, name, clientIds }) =>
        `  pool ${id} (${name}), clients: ${clientIds.join(", ") || "none"}\n`,
    )
    .join("");
  const stop = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Before saying it listens: whoever waits for that line may stop it right away.
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(`[cognito-emulator] listening on ${emulator.url} (${storage})\n${pools}`);
} catch (error) {
  fail((error as Error).message);
}
