// The peer: cognito-local 5.3.0, run as its own CLI. It keeps its state under `./.cognito` in the
// directory it starts in: `config.json`, and `db/<poolId>.json` + `db/clients.json`, each a
// stormdb file that it reads whole at start and rewrites whole on every write.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PERMANENT_PASSWORD } from "./account-cycle.ts";
import { freePort, type RunningServer, startServer } from "./server-process.ts";

const require = createRequire(import.meta.url);

/** The CLI script the package's `cognito-local` bin points at. */
export function cognitoLocalBin(): string {
  return join(dirname(require.resolve("cognito-local/package.json")), "lib/bin/start.js");
}

/** Prepares a data directory: usernames are plain ids (as Gatehouse's), not emails. */
export async function prepareCognitoLocalDir(dir: string): Promise<void> {
  await mkdir(join(dir, ".cognito/db"), { recursive: true });
  // Its default makes `email` the username attribute, which requires emails as usernames.
  await writeFile(
    join(dir, ".cognito/config.json"),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }),
  );
}

export async function startCognitoLocal(
  dir: string,
  options: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<RunningServer> {
  const port = await freePort();
  return startServer({
    name: "cognito-local",
    nodeArgs: [...(options.nodeArgs ?? []), cognitoLocalBin()],
    cwd: dir,
    // HOST makes it bind to 127.0.0.1 only (its default is "localhost").
    env: { PORT: String(port), HOST: "127.0.0.1" },
    port,
    logPath: join(dir, "cognito-local.log"),
    timeoutMs: options.timeoutMs,
  });
}

/**
 * Writes `count` confirmed users straight into a pool's data file (the server must be stopped),
 * in the shape cognito-local's AdminCreateUser + AdminSetUserPassword would have left them.
 * Returns how long writing the file took.
 */
export async function fillCognitoLocalPool(
  dir: string,
  poolId: string,
  count: number,
): Promise<number> {
  const started = performance.now();
  const path = join(dir, ".cognito/db", `${poolId}.json`);
  const data = JSON.parse(await readFile(path, "utf8")) as { Users?: Record<string, unknown> };
  const users: Record<string, unknown> = data.Users ?? {};
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const username = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    users[username] = {
      Username: username,
      Password: PERMANENT_PASSWORD,
      Attributes: [
        { Name: "email", Value: `${username}@fill.example` },
        { Name: "email_verified", Value: "true" },
        { Name: "sub", Value: username },
      ],
      Enabled: true,
      UserStatus: "CONFIRMED",
      UserCreateDate: now,
      UserLastModifiedDate: now,
      RefreshTokens: [],
    };
  }
  data.Users = users;
  await writeFile(path, JSON.stringify(data));
  return performance.now() - started;
}
