// `npm start`: the whole local stack. With no AWS settings it starts the local Cognito (seeded
// with the production pool settings) and the API on the embedded database, data under .gatehouse/.
// With COGNITO_USER_POOL_ID set and no COGNITO_ENDPOINT, it starts only the API, against AWS.
import { startEmulator } from "@gatehouse/cognito-emulator";
import {
  ConfigError,
  createApi,
  loadConfig,
  localPool,
  localSeed,
  passwordPolicyOf,
  userPoolSettings,
} from "@gatehouse/server";
import { buildSite, serveSite } from "@gatehouse/web";

const stops: (() => Promise<void>)[] = [];
const lines: string[] = [];

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

const againstAws = Boolean(process.env.COGNITO_USER_POOL_ID) && !process.env.COGNITO_ENDPOINT;
const apiEnv: Record<string, string | undefined> = { ...process.env };

if (!againstAws) {
  const emulatorPort = Number(process.env.COGNITO_EMULATOR_PORT ?? 9229);
  const emulator = await startEmulator({
    port: emulatorPort,
    dataDir: ".gatehouse/cognito",
    seed: localSeed(),
  }).catch((error: Error) =>
    fail(`could not start the local Cognito on port ${emulatorPort}: ${error.message}`),
  );
  stops.push(() => emulator.stop());
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
apiEnv.CORS_ORIGINS ??= "http://localhost:8080";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(apiEnv);
} catch (error) {
  if (error instanceof ConfigError) fail(`configuration error: ${error.message}`);
  throw error;
}
const api = await createApi(config);
await api.app.listen({ port: config.port, host: config.host });
stops.push(() => api.close());
lines.push(`Accounts API      http://localhost:${config.port}  (OpenAPI at /openapi.json)`);

const sitePort = Number(process.env.SITE_PORT ?? 8080);
await buildSite();
const site = await serveSite({
  port: sitePort,
  config: {
    region: config.region,
    userPoolId: config.userPoolId,
    clientId: config.clientId,
    ...(config.cognitoEndpoint ? { cognitoEndpoint: config.cognitoEndpoint } : {}),
    apiBaseUrl: `http://localhost:${config.port}`,
    passwordPolicy: passwordPolicyOf(userPoolSettings.Policies.PasswordPolicy),
  },
}).catch((error: Error) => fail(`could not serve the site on port ${sitePort}: ${error.message}`));
stops.push(() => site.stop());
lines.unshift(`Website           ${site.url}  <- open this: create an account and sign in`);

process.stdout.write(
  `\nGatehouse is running.\n${lines.join("\n")}\nData is kept under .gatehouse/. Press Ctrl-C to stop.\n\n`,
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  for (const close of stops.reverse()) await close().catch(() => {});
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
