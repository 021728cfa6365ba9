// One set of migrations for PGlite and PostgreSQL. Append only: never edit a migration that shipped.
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    id: 1,
    name: "accounts",
    sql: `
      CREATE TABLE accounts (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'active')),
        cognito_sub uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        signed_out_at timestamptz,
        signed_out_origin_jti text
      );
      CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));
      CREATE INDEX accounts_pending_idx ON accounts (updated_at) WHERE status = 'pending';

      -- Every change reaches every API instance, so none serves a stale cached account.
      CREATE FUNCTION accounts_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('account_changed', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER accounts_changed AFTER UPDATE OR DELETE ON accounts
        FOR EACH ROW EXECUTE FUNCTION accounts_notify_change();
    `,
  },
  {
    id: 2,
    name: "unverified accounts",
    sql: `
      -- An account is active only once its owner proved the email; until then several
      -- registrations of one email may coexist, and only an active account holds it.
      ALTER TABLE accounts DROP CONSTRAINT accounts_status_check;
      ALTER TABLE accounts ADD CONSTRAINT accounts_status_check
        CHECK (status IN ('pending', 'unverified', 'active'));
      DROP INDEX accounts_email_key;
      CREATE UNIQUE INDEX accounts_active_email_key ON accounts (lower(email)) WHERE status = 'active';
      CREATE INDEX accounts_email_idx ON accounts (lower(email));
      CREATE INDEX accounts_unverified_idx ON accounts (created_at) WHERE status = 'unverified';
    `,
  },
];

export const MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS gatehouse_migrations (
    id integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;
