// The two stores side by side: the account rows in PostgreSQL and the users in the local Cognito.
// An account in one store only is what every suite here counts as a loss.
import pg from "pg";
import { listPoolUsers, type PoolUser } from "./cognito.ts";

export interface Row {
  id: string;
  email: string;
  status: string;
}

export interface Comparison {
  rows: Row[];
  users: PoolUser[];
  /** Rows by status. */
  byStatus: Record<string, number>;
  /** A row with no Cognito user. */
  rowOnly: Row[];
  /** A Cognito user with no row. */
  userOnly: PoolUser[];
  /** Active rows whose user is CONFIRMED, enabled and has the email verified. */
  wholeActive: Row[];
  /**
   * Accounts half made: in one store only, a row left `pending`, or an active row whose user
   * cannot sign in with a verified email.
   */
  halfMade: number;
}

export async function readRows(databaseUrl: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>("SELECT id, email, status FROM accounts")).rows;
  } finally {
    await client.end();
  }
}

export async function compareStores(
  databaseUrl: string,
  cognitoEndpoint: string,
): Promise<Comparison> {
  const [rows, users] = await Promise.all([readRows(databaseUrl), listPoolUsers(cognitoEndpoint)]);
  const usersById = new Map(users.map((u) => [u.username.toLowerCase(), u]));
  const rowIds = new Set(rows.map((r) => r.id.toLowerCase()));
  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const rowOnly = rows.filter((r) => !usersById.has(r.id.toLowerCase()));
  const userOnly = users.filter((u) => !rowIds.has(u.username.toLowerCase()));
  const wholeActive = rows.filter((r) => {
    const user = usersById.get(r.id.toLowerCase());
    return (
      r.status === "active" && user?.status === "CONFIRMED" && user.enabled && user.emailVerified
    );
  });
  // Each account once, however many ways it is broken.
  const broken = new Set<string>([
    ...rowOnly.map((r) => r.id.toLowerCase()),
    ...userOnly.map((u) => u.username.toLowerCase()),
    ...rows.filter((r) => r.status === "pending").map((r) => r.id.toLowerCase()),
    ...rows
      .filter((r) => r.status === "active" && !wholeActive.includes(r))
      .map((r) => r.id.toLowerCase()),
  ]);
  const halfMade = broken.size;
  return { rows, users, byStatus, rowOnly, userOnly, wholeActive, halfMade };
}

export const describeCounts = (byStatus: Record<string, number>) =>
  Object.entries(byStatus)
    .sort()
    .map(([status, n]) => `${n} ${status}`)
    .join(", ") || "none";
