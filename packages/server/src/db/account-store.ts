// The account repository, written once over a minimal SQL interface that both PGlite and
// PostgreSQL (`pg`) implement.
export type AccountStatus = "pending" | "active";

export interface Account {
  /** UUID chosen by the server; also the Cognito Username. */
  id: string;
  /** Lower-case; unique regardless of case. */
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
  /** Inserts a `pending` row; throws EmailTakenError when the email (any case) is taken. */
  insertPending(input: { id: string; email: string; name: string }): Promise<Account>;
  /**
   * Takes over a `pending` row last touched before `before` (left by a crash), renaming it and
   * touching it so no one else takes it. Null when it is not (or no longer) such a row.
   */
  claimStalePending(id: string, before: Date, name: string): Promise<Account | null>;
  /** pending → active, storing Cognito's sub. Null when there is no such row. */
  activate(id: string, cognitoSub: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
  findByEmail(email: string): Promise<Account | null>;
  rename(id: string, name: string): Promise<Account | null>;
  /** Moves the sign-out watermark forward (never back). */
  signOut(id: string, at: Date, originJti: string | null): Promise<Account | null>;
  delete(id: string): Promise<boolean>;
  /**
   * Deletes the row only while it is still a `pending` row last touched before `before`: a
   * creation retry that has since claimed or finished it keeps it. True when it was deleted.
   */
  deleteStalePending(id: string, before: Date): Promise<boolean>;
  /** Rows still `pending` last touched before `before`. */
  listPending(before: Date): Promise<Account[]>;
  listIds(): Promise<string[]>;
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
      try {
        const account = await one(
          "accounts_insert",
          `INSERT INTO accounts (id, email, name, status) VALUES ($1, $2, $3, 'pending') RETURNING ${COLUMNS}`,
          [input.id, input.email.toLowerCase(), input.name],
        );
        if (!account) throw new Error("INSERT returned no row");
        return account;
      } catch (error) {
        if (isUniqueViolation(error)) throw new EmailTakenError();
        throw error;
      }
    },
    claimStalePending: (id: string, before: Date, name: string) =>
      one(
        "accounts_claim_stale",
        `UPDATE accounts SET name = $3, updated_at = now()
         WHERE id = $1 AND status = 'pending' AND updated_at < $2 RETURNING ${COLUMNS}`,
        [id, before, name],
      ),
    activate: (id: string, cognitoSub: string) =>
      one(
        "accounts_activate",
        `UPDATE accounts SET status = 'active', cognito_sub = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, cognitoSub],
      ),
    findById: (id: string) =>
      one("accounts_by_id", `SELECT ${COLUMNS} FROM accounts WHERE id = $1`, [id]),
    findByEmail: (email: string) =>
      one("accounts_by_email", `SELECT ${COLUMNS} FROM accounts WHERE lower(email) = lower($1)`, [
        email,
      ]),
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
    async listIds() {
      const rows = await sql.query<{ id: string }>("accounts_ids", "SELECT id FROM accounts", []);
      return rows.map((row) => row.id);
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
