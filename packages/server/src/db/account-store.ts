// The account repository, written once over a minimal SQL interface that both PGlite and
// PostgreSQL (`pg`) implement.
/**
 * `pending`: being created (or left by a crash); `unverified`: created, its owner has not proven the
 * email yet; `active`: the email is proven, and no other active account has it.
 */
export type AccountStatus = "pending" | "unverified" | "active";

export interface Account {
  /** UUID chosen by the server; also the Cognito Username. */
  id: string;
  /** Lower-case; unique among active accounts regardless of case. */
  email: string;
  name: string;
  status: AccountStatus;
  cognitoSub: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Sign-out watermark: access tokens issued before it are refused. */
  signedOutAt: Date | null;
  /** The sign-in session that asked for the last sign-out: refused even within the same second. */
  signedOutOriginJti: string | null;
}

export type AccountBrief = Pick<Account, "id" | "email" | "status" | "updatedAt">;

export class EmailTakenError extends Error {
  readonly code = "email_taken";
  constructor() {
    super("An account with this email already exists");
  }
}

export interface ChangeListener {
  /** The account with this id changed or was deleted, on some instance. */
  changed(id: string): void;
  /** Changes may have been missed (the listener connection was lost): forget everything cached. */
  reset(): void;
}

export interface AccountStore {
  /**
   * Inserts a `pending` row; throws EmailTakenError when an active account has the email (any
   * case). Registrations that are not active yet may share an email.
   */
  insertPending(input: { id: string; email: string; name: string }): Promise<Account>;
  /** pending → unverified, storing Cognito's sub. Null when there is no such pending row. */
  markUnverified(id: string, cognitoSub: string): Promise<Account | null>;
  /**
   * unverified → active. Throws EmailTakenError when another account already holds the email
   * actively (the database decides between two racing verifications). Null when the row is no
   * longer unverified (deleted, or already active: then findById tells).
   */
  activate(id: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
  /** The active account with this email (any case), or null. */
  findActiveByEmail(email: string): Promise<Account | null>;
  /** Every row with this email (any case), oldest first. */
  listByEmail(email: string): Promise<Account[]>;
  rename(id: string, name: string): Promise<Account | null>;
  /** Moves the sign-out watermark forward (never back). */
  signOut(id: string, at: Date, originJti: string | null): Promise<Account | null>;
  delete(id: string): Promise<boolean>;
  /** Deletes the row only while it is still `unverified`: one that was verified meanwhile stays. */
  deleteUnverified(id: string): Promise<boolean>;
  /**
   * Deletes the row only while it is still a `pending` row last touched before `before`: a row
   * finished meanwhile stays. True when it was deleted.
   */
  deleteStalePending(id: string, before: Date): Promise<boolean>;
  /** Rows still `pending` last touched before `before`. */
  listPending(before: Date): Promise<Account[]>;
  /**
   * `unverified` rows created before `before`, and (whenever created) those whose email an active
   * account holds: registrations nobody proved, or lost to the one that did.
   */
  listUnverifiedToRemove(before: Date): Promise<Account[]>;
  /** Every row, in brief (reconcile compares them with the pool). */
  listBrief(): Promise<AccountBrief[]>;
  /**
   * Runs `task` unless another holder of the lock `key` (another API instance) is running it; null
   * then. PostgreSQL: a session advisory lock. PGlite: one process, so only this process's runs.
   */
  exclusively<T>(key: number, task: () => Promise<T>): Promise<T | null>;
  onChange(listener: ChangeListener): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Row {
  id: string;
  email: string;
  name: string;
  status: AccountStatus;
  cognito_sub: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  signed_out_at: Date | string | null;
  signed_out_origin_jti: string | null;
}

/** What the store needs from a database driver. */
export interface SqlDriver {
  /** A parameterized query; `name` lets drivers that can prepare it once do so. */
  query<T>(name: string, text: string, values: unknown[]): Promise<T[]>;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function toAccount(row: Row): Account {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    cognitoSub: row.cognito_sub,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    signedOutAt: row.signed_out_at === null ? null : date(row.signed_out_at),
    signedOutOriginJti: row.signed_out_origin_jti,
  };
}

const COLUMNS =
  "id, email, name, status, cognito_sub, created_at, updated_at, signed_out_at, signed_out_origin_jti";

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

/** The store's SQL, shared by both drivers. */
export function accountQueries(sql: SqlDriver) {
  const one = async (name: string, text: string, values: unknown[]) => {
    const rows = await sql.query<Row>(name, text, values);
    return rows[0] ? toAccount(rows[0]) : null;
  };
  return {
    async insertPending(input: { id: string; email: string; name: string }) {
      // Only an active account holds an email; the unique index on active emails settles a
      // verification racing this insert (the registration then loses at verification).
      const account = await one(
        "accounts_insert",
        `INSERT INTO accounts (id, email, name, status)
         SELECT $1, $2, $3, 'pending'
         WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE lower(email) = lower($2) AND status = 'active')
         RETURNING ${COLUMNS}`,
        [input.id, input.email.toLowerCase(), input.name],
      );
      if (!account) throw new EmailTakenError();
      return account;
    },
    markUnverified: (id: string, cognitoSub: string) =>
      one(
        "accounts_mark_unverified",
        `UPDATE accounts SET status = 'unverified', cognito_sub = $2, updated_at = now()
         WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
        [id, cognitoSub],
      ),
    async activate(id: string) {
      try {
        return await one(
          "accounts_activate",
          `UPDATE accounts SET status = 'active', updated_at = now()
           WHERE id = $1 AND status = 'unverified' RETURNING ${COLUMNS}`,
          [id],
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new EmailTakenError();
        throw error;
      }
    },
    findById: (id: string) =>
      one("accounts_by_id", `SELECT ${COLUMNS} FROM accounts WHERE id = $1`, [id]),
    findActiveByEmail: (email: string) =>
      one(
        "accounts_active_by_email",
        `SELECT ${COLUMNS} FROM accounts WHERE lower(email) = lower($1) AND status = 'active'`,
        [email],
      ),
    async listByEmail(email: string) {
      const rows = await sql.query<Row>(
        "accounts_by_email",
        `SELECT ${COLUMNS} FROM accounts WHERE lower(email) = lower($1) ORDER BY created_at, id`,
        [email],
      );
      return rows.map(toAccount);
    },
    rename: (id: string, name: string) =>
      one(
        "accounts_rename",
        `UPDATE accounts SET name = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, name],
      ),
    signOut: (id: string, at: Date, originJti: string | null) =>
      one(
        "accounts_sign_out",
        `UPDATE accounts SET
           signed_out_origin_jti = CASE WHEN signed_out_at IS NULL OR signed_out_at <= $2 THEN $3 ELSE signed_out_origin_jti END,
           signed_out_at = GREATEST(COALESCE(signed_out_at, $2), $2),
           updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, at, originJti],
      ),
    async delete(id: string) {
      const rows = await sql.query<{ id: string }>(
        "accounts_delete",
        "DELETE FROM accounts WHERE id = $1 RETURNING id",
        [id],
      );
      return rows.length > 0;
    },
    async deleteUnverified(id: string) {
      const rows = await sql.query<{ id: string }>(
        "accounts_delete_unverified",
        "DELETE FROM accounts WHERE id = $1 AND status = 'unverified' RETURNING id",
        [id],
      );
      return rows.length > 0;
    },
    async deleteStalePending(id: string, before: Date) {
      const rows = await sql.query<{ id: string }>(
        "accounts_delete_stale_pending",
        "DELETE FROM accounts WHERE id = $1 AND status = 'pending' AND updated_at < $2 RETURNING id",
        [id, before],
      );
      return rows.length > 0;
    },
    async listPending(before: Date) {
      const rows = await sql.query<Row>(
        "accounts_pending",
        `SELECT ${COLUMNS} FROM accounts WHERE status = 'pending' AND updated_at < $1 ORDER BY updated_at`,
        [before],
      );
      return rows.map(toAccount);
    },
    async listUnverifiedToRemove(before: Date) {
      const rows = await sql.query<Row>(
        "accounts_unverified_to_remove",
        `SELECT ${COLUMNS} FROM accounts u WHERE status = 'unverified' AND (created_at < $1
           OR EXISTS (SELECT 1 FROM accounts a WHERE lower(a.email) = lower(u.email) AND a.status = 'active'))
         ORDER BY created_at`,
        [before],
      );
      return rows.map(toAccount);
    },
    async listBrief() {
      const rows = await sql.query<Pick<Row, "id" | "email" | "status" | "updated_at">>(
        "accounts_brief",
        "SELECT id, email, status, updated_at FROM accounts",
        [],
      );
      return rows.map((row) => ({
        id: row.id,
        email: row.email,
        status: row.status,
        updatedAt: date(row.updated_at),
      }));
    },
    async ping() {
      await sql.query("ping", "SELECT 1", []);
    },
  };
}

/** Fan-out of change notifications to in-process listeners. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  changed(id: string): void {
    for (const listener of this.listeners) listener.changed(id);
  }
  reset(): void {
    for (const listener of this.listeners) listener.reset();
  }
}
