// `npm run reconcile [-- --apply]`: compare the account rows with the user pool and repair.

import path from "node:path";
import { parseArgs } from "node:util";
import { localPool } from "@gatehouse/pool-settings";
import { configuredLimiter } from "./cognito/call-limiter.ts";
import { createCognitoClient } from "./cognito/client.ts";
import { cognitoIdentity } from "./cognito/identity.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { openAccountStore } from "./db/index.ts";
import { poolUsers, reconcile } from "./reconcile.ts";

const HELP = `Usage: npm run reconcile [-- --apply] [-- --older-than-minutes N]

Compares the account rows with the Cognito user pool and repairs what a crash left half made:
  pending row (a creation that never finished) → delete it and its Cognito user
  unverified row older than 24 h, or whose email
    an active account holds                    → delete it and its Cognito user
  unverified row whose email Cognito verified  → activate it
  active row whose email Cognito holds as
    unverified                                 → verify it again (the email signs it in)
  Cognito user with no row                     → delete the user
  row whose user is gone                       → delete the row
Anything younger than --older-than-minutes (default 5) is left alone: it may be in flight.
Without --apply it only prints what it would do. Reads the same environment as the server; with
no COGNITO_USER_POOL_ID it uses the local stack's pool (emulator at 127.0.0.1:9229) and the embedded
database under .gatehouse/db, which only one process can open: stop \`npm start\` and run
\`npx cognito-emulator\` first.
`;

function parse() {
  try {
    return parseArgs({
      options: {
        apply: { type: "boolean", default: false },
        "older-than-minutes": { type: "string", default: "5" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`reconcile: ${(error as Error).message}\n${HELP}`);
    process.exit(2);
  }
}
const values = parse();
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const minutes = Number(values["older-than-minutes"]);
if (!Number.isFinite(minutes) || minutes < 0) {
  process.stderr.write("reconcile: --older-than-minutes must be a number of minutes\n");
  process.exit(2);
}

// With no pool configured, the local stack's: the emulator on its default port.
const env: Record<string, string | undefined> = process.env.COGNITO_USER_POOL_ID
  ? process.env
  : {
      ...process.env,
      AWS_REGION: localPool.region,
      COGNITO_USER_POOL_ID: localPool.userPoolId,
      COGNITO_CLIENT_ID: localPool.clientId,
      COGNITO_ENDPOINT: process.env.COGNITO_ENDPOINT ?? "http://127.0.0.1:9229",
    };
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`reconcile: configuration error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const client = createCognitoClient(config);
const store = await openAccountStore({
  databaseUrl: config.databaseUrl,
  // `npm run` moves into the workspace; paths are relative to where the command was typed.
  dataDir: path.resolve(process.env.INIT_CWD ?? ".", config.dataDir, "db"),
});
try {
  const actions = await reconcile({
    store,
    identity: cognitoIdentity({
      client,
      userPoolId: config.userPoolId,
      clientId: config.clientId,
      passwordSetup: config.passwordSetup,
      limiter: configuredLimiter(config),
    }),
    users: () => poolUsers(client, config.userPoolId),
    apply: values.apply,
    olderThanMs: minutes * 60_000,
  });
  for (const action of actions) {
    process.stdout.write(
      `${values.apply ? "did" : "would"} ${action.kind} ${action.accountId}: ${action.detail}\n`,
    );
  }
  process.stdout.write(
    actions.length === 0
      ? "Nothing to repair.\n"
      : values.apply
        ? `Repaired ${actions.length}.\n`
        : `${actions.length} to repair. Run again with --apply to repair.\n`,
  );
} catch (error) {
  process.stderr.write(`reconcile failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
  client.destroy();
}
