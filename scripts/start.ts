// `npm start`: the whole local stack (packages/local-stack). With no AWS settings it starts the
// local Cognito (seeded with the production pool settings) and the API on the embedded database,
// data under DATA_DIR (.gatehouse/), then the site. With COGNITO_USER_POOL_ID set and no
// COGNITO_ENDPOINT, it starts no local Cognito: the API and the site run against that pool. The
// environment is passed through to the API.
import { type LocalStack, LocalStackError, startLocalStack } from "@gatehouse/local-stack";
import { ConfigError } from "@gatehouse/server";
import { buildSite } from "@gatehouse/web";

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

const port = (name: string, fallback: number) => {
  const raw = process.env[name] ?? String(fallback);
  if (!/^\d+$/.test(raw) || Number(raw) > 65_535) {
    fail(`${name} must be a port number, got "${raw}"`);
  }
  return Number(raw);
};

const againstAws = Boolean(process.env.COGNITO_USER_POOL_ID) && !process.env.COGNITO_ENDPOINT;
const dataDir = process.env.DATA_DIR?.trim() || ".gatehouse";
const apiPort = port("PORT", 3000);
const sitePort = port("SITE_PORT", 8080);
const emulatorPort = port("COGNITO_EMULATOR_PORT", 9229);

let stack: LocalStack;
try {
  await buildSite();
  stack = await startLocalStack({
    env: process.env,
    dataDir,
    emulatorPort,
    apiPort,
    sites: [{ port: sitePort }],
  });
} catch (error) {
  if (error instanceof ConfigError) fail(`configuration error: ${error.message}`);
  if (error instanceof LocalStackError) fail(error.message);
  throw error;
}

const { config, emulator } = stack;
const lines = [
  `Website           ${stack.siteUrls[0]}  <- open this: create an account and sign in`,
  ...(emulator === null
    ? []
    : [
        `Local Cognito     ${emulator.url}  (pool ${config.userPoolId}, client ${config.clientId})`,
      ]),
  `Accounts API      ${stack.apiUrl}  (OpenAPI at /openapi.json)`,
  ...(againstAws
    ? [`Cognito           pool ${config.userPoolId}, client ${config.clientId} (AWS)`]
    : []),
];
process.stdout.write(
  `\nGatehouse is running.\n${lines.join("\n")}\n` +
    `${againstAws ? "Accounts are kept in DATABASE_URL or" : "Data is kept under"} ${dataDir}/. Press Ctrl-C to stop.\n\n`,
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping\n`);
  // A second Ctrl-C, or a service that will not stop, ends the process anyway.
  setTimeout(() => process.exit(1), 10_000).unref();
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
