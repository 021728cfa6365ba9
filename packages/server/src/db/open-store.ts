// Opens the account store: PostgreSQL when a URL is given (production), else embedded PGlite.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "pino";
import { type AccountStore, accountQueries, ChangeFeed, type SqlDriver } from "./account-store.ts";
import { MIGRATIONS_TABLE, migrations } from "./migrations.ts";

export interface OpenStoreOptions {
  /** PostgreSQL connection string; absent or null means embedded PGlite. */
  databaseUrl?: string | null;
  /** PGlite's data directory. Default `.gatehouse/db`. */
  dataDir?: string;
  /** PGlite in memory (tests). */
  inMemory?: boolean;
  /** PostgreSQL schema to use (tests isolate themselves with one). Default: the server's search_path. */
  schema?: string | null;
  /** PostgreSQL `application_name` of every connection, to tell instances apart in pg_stat_activity. */
  applicationName?: string;
  /** Connections in the PostgreSQL pool. Default 10. */
  poolSize?: number;
  logger?: Logger;
}

export async function openAccountStore(options: OpenStoreOptions): Promise<AccountStore> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options);
}

const CHANNEL = "account_changed";
const MIGRATION_LOCK = 7_310_417_209;

/**
 * Makes a data directory private to its owner: directories 0700, files 0600. PGlite writes its
 * files 0666 whatever the umask, so the tree is swept after opening and on close; the directory
 * itself being 0700 keeps anything written in between out of other users' reach.
 */
export function restrictTree(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) restrictTree(full);
    else if (entry.isFile() && (lstatSync(full).mode & 0o077) !== 0) chmodSync(full, 0o600);
  }
}

async function openPglite(options: OpenStoreOptions): Promise<AccountStore> {
  let dataDir: string | undefined;
  if (!options.inMemory) {
    dataDir = path.resolve(options.dataDir ?? ".gatehouse/db");
    // `mode` applies to every directory made here, the parent `.gatehouse` included.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const db = await PGlite.create(dataDir);
  if (dataDir) restrictTree(dataDir);
  await db.exec(MIGRATIONS_TABLE);
  const applied = new Set(
    (await db.query<{ id: number }>("SELECT id FROM gatehouse_migrations")).rows.map((r) => r.id),
  );
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO gatehouse_migrations (id, name) VALUES ($1, $2)", [
        migration.id,
        migration.name,
      ]);
    });
  }
  const feed = new ChangeFeed();
  const unlisten = await db.listen(CHANNEL, (id) => feed.changed(id));
  const driver: SqlDriver = {
    query: async <T>(_name: string, text: string, values: unknown[]) =>
      (await db.query<T>(text, values)).rows,
  };
  // Only this process opens the directory, so a lock within the process is the whole lock.
  const running = new Set<number>();
  return {
    ...accountQueries(driver),
    async exclusively(key, task) {
      if (running.has(key)) return null;
      running.add(key);
      try {
        return await task();
      } finally {
        running.delete(key);
      }
    },
    onChange: (listener) => feed.subscribe(listener),
    async close() {
      await unlisten();
      await db.close();
      if (dataDir) restrictTree(dataDir);
    },
  };
}

async function openPostgres(url: string, options: OpenStoreOptions): Promise<AccountStore> {
  const connection = {
    connectionString: url,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // An idle client's error (the server restarted) must not crash the process.
  pool.on("error", (error) =>
    options.logger?.warn({ err: error }, "idle database connection failed"),
  );
  await migrate(pool);
  const driver: SqlDriver = {
    query: async <T>(name: string, text: string, values: unknown[]) =>
      (await pool.query({ name, text, values })).rows as T[],
  };
  const feed = new ChangeFeed();
  const listener = new NotificationListener(connection, feed, options.logger);
  await listener.start();
  return {
    ...accountQueries(driver),
    async exclusively(key, task) {
      // A session lock on one connection held for the task; the task's own queries use others.
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(
          "SELECT pg_try_advisory_lock($1) AS locked",
          [key],
        );
        if (!rows[0]?.locked) return null;
        try {
          return await task();
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [key]);
        }
      } finally {
        client.release();
      }
    },
    onChange: (l) => feed.subscribe(l),
    async close() {
      await listener.stop();
      await pool.end();
    },
  };
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Instances starting together take turns; the second finds nothing left to do.
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<{ id: number }>("SELECT id FROM gatehouse_migrations");
    const applied = new Set(rows.map((r) => r.id));
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO gatehouse_migrations (id, name) VALUES ($1, $2)", [
        migration.id,
        migration.name,
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * One dedicated connection LISTENing for changes. When it drops, every cache is reset (changes may
 * have been missed) and it reconnects with backoff, resetting once more when listening again.
 */
class NotificationListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private delay = 100;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly feed: ChangeFeed,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client(this.connection);
    client.on("notification", (message) => {
      if (message.channel === CHANNEL && message.payload) this.feed.changed(message.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, null));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
    this.delay = 100;
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.logger?.warn(
      { err: error ?? undefined },
      "change listener connection lost; cache cleared",
    );
    this.feed.reset();
    client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.start().then(
        () => this.feed.reset(),
        () => {
          this.delay = Math.min(this.delay * 2, 5000);
          this.scheduleReconnect();
        },
      );
    }, this.delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
