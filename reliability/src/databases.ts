// The account store for an API process: a fresh PostgreSQL database, or a PGlite data directory
// copied from a template made once (PGlite's initdb costs seconds to a minute on a busy machine;
// a copy costs milliseconds and opens the same way).
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { ROOT } from "./processes.ts";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether an outside service answers. Under CI its absence fails the suite; elsewhere the suite
 * skips with a line saying what to install.
 */
export async function serviceAvailable(
  name: string,
  probe: () => Promise<unknown>,
  install: string,
): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    if (process.env.CI === "true") {
      throw new Error(`${name} is required under CI and is not reachable: ${String(error)}`);
    }
    console.warn(
      `\n!!! SKIPPING reliability suite: ${name} is not reachable (${String(error)}). ${install}\n`,
    );
    return false;
  }
}

export const postgresAvailable = () =>
  serviceAvailable(
    "PostgreSQL",
    async () => {
      const client = new pg.Client({
        connectionString: TEST_DATABASE_URL,
        connectionTimeoutMillis: 3000,
      });
      await client.connect();
      await client.end();
    },
    "Install and start it (apt-get install -y postgresql), then set TEST_DATABASE_URL.",
  );

let serial = 0;

export interface Database {
  /** The API's environment for this store. */
  env: Record<string, string>;
  /** Runs SQL against it from the suite (PostgreSQL only). */
  url: string | null;
  drop(): Promise<void>;
}

/** A new database on the test server, dropped afterwards. */
export async function postgresDatabase(): Promise<Database> {
  const name = `reliability_${process.pid}_${Date.now().toString(36)}_${serial++}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A PGlite data directory under `dataDir/db` (where the API looks for it), from the template. */
export async function pgliteDatabase(dataDir: string): Promise<Database> {
  const template = await pgliteTemplate();
  mkdirSync(dataDir, { recursive: true });
  cpSync(template, path.join(dataDir, "db"), { recursive: true });
  return { env: { DATA_DIR: dataDir }, url: null, drop: async () => {} };
}

async function pgliteTemplate(): Promise<string> {
  const { PGlite } = await import("@electric-sql/pglite");
  const manifest = path.join(ROOT, "node_modules/@electric-sql/pglite/package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  const dir = path.join(ROOT, "reliability/node_modules/.cache/reliability", `pglite-${version}`);
  if (existsSync(dir)) return dir;
  const temporary = `${dir}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  const db = await PGlite.create(temporary);
  await db.close();
  try {
    renameSync(temporary, dir);
  } catch {
    // Another suite made it first.
    rmSync(temporary, { recursive: true, force: true });
  }
  return dir;
}
