// `npm start`: the whole local stack. With no AWS settings it starts the local Cognito (seeded
// with the production pool settings) and the API on the embedded database, data under DATA_DIR
// (.gatehouse/), then the site. With COGNITO_USER_POOL_ID set and no COGNITO_ENDPOINT, it starts no
// emulator: the API and the site run against that pool. The environment is passed through.
import path from "node:path";
import { startEmulator } from "@gatehouse/cognito-emulator";
import { ConfigError, createApi, loadConfig, localPool, localSeed } from "@gatehouse/server";
import { buildSite, serveSite, siteConfig } from "@gatehouse/web";

interface Running {
  stop(): Promise<void>;
}

/** Started services, stopped in reverse order on Ctrl-C or when a later one fails to start. */
const running: { name: string; service: Running }[] = [];
const lines: string[] = [];

async function stopAll(): Promise<void> {
  for (const { name, service } of running.reverse()) {
    await service.stop().catch((error: Error) => {
      process.stderr.write(`npm start: stopping ${name} failed: ${error.message}\n`);
    });
  }
  running.length = 0;
}

async function fail(message: string): Promise<never> {
  await stopAll();
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

/** Starts one service; if it cannot start, stops the others and exits with the reason. */
async function launch<T extends Running>(name: string, start: () => Promise<T>): Promise<T> {
  try {
    const service = await start();
    running.push({ name, service });
    return service;
  } catch (error) {
    return fail(`could not start ${name}: ${(error as Error).message}`);
  }
}

const port = (name: string, fallback: number) => {
  const raw = process.env[name] ?? String(fallback);
  if (!/^\d+$/.test(raw) || Number(raw) > 65_535) {
    process.stderr.write(`npm start: ${name} must be a port number, got "${raw}"\n`);
    process.exit(1);
  }
  return Number(raw);
};

const againstAws = Boolean(process.env.COGNITO_USER_POOL_ID) && !process.env.COGNITO_ENDPOINT;
const apiEnv: Record<string, string | undefined> = { ...process.env };
const dataDir = process.env.DATA_DIR?.trim() || ".gatehouse";
const sitePort = port("SITE_PORT", 8080);
// The site's own origin, under both names a browser may use for it.
apiEnv.CORS_ORIGINS ??= `http://localhost:${sitePort},http://127.0.0.1:${sitePort}`;

// 1. The local Cognito, unless a real pool is configured.
if (!againstAws) {
  const emulatorPort = port("COGNITO_EMULATOR_PORT", 9229);
  const emulator = await launch(`the local Cognito on port ${emulatorPort}`, () =>
    startEmulator({
      port: emulatorPort,
      dataDir: path.join(dataDir, "cognito"),
      seed: localSeed(),
      // The site may call what any web page may; admin operations and the outbox only for it.
      allowedOrigins: [`http://localhost:${sitePort}`, `http://127.0.0.1:${sitePort}`],
    }),
  );
  Object.assign(apiEnv, {
    AWS_REGION: localPool.region,
    COGNITO_USER_POOL_ID: localPool.userPoolId,
    COGNITO_CLIENT_ID: localPool.clientId,
    COGNITO_ENDPOINT: emulator.url,
  });
  lines.push(
    `Local Cognito     ${emulator.url}  (pool ${localPool.userPoolId}, client ${localPool.clientId})`,
  );
}

// 2. The accounts API.
async function apiConfig() {
  try {
    return loadConfig(apiEnv);
  } catch (error) {
    if (error instanceof ConfigError) return fail(`configuration error: ${error.message}`);
    throw error;
  }
}
const config = await apiConfig();
const api = await launch(`the accounts API on port ${config.port}`, async () => {
  const started = await createApi(config);
  try {
    await started.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await started.close();
    throw error;
  }
  return { policy: started.policy, stop: () => started.close() };
});
const apiUrl = `http://localhost:${config.port}`;
lines.push(`Accounts API      ${apiUrl}  (OpenAPI at /openapi.json)`);
if (againstAws) {
  lines.push(`Cognito           pool ${config.userPoolId}, client ${config.clientId} (AWS)`);
}

// 3. The site.
const site = await launch(`the site on port ${sitePort}`, async () => {
  await buildSite();
  return serveSite({
    port: sitePort,
    config: siteConfig({
      region: config.region,
      userPoolId: config.userPoolId,
      clientId: config.clientId,
      cognitoEndpoint: config.cognitoEndpoint,
      apiBaseUrl: apiUrl,
      // The pool's own policy, as the API read it.
      passwordPolicy: api.policy,
    }),
  });
});
lines.unshift(`Website           ${site.url}  <- open this: create an account and sign in`);

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
  await stopAll();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
