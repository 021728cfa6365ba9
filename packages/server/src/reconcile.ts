// Repairs what a crash can leave between the two stores. Dry run by default.
import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { attribute, type Identity, type IdentityUser } from "./cognito/identity.ts";
import type { AccountStore } from "./db/index.ts";

export type ReconcileKind =
  | "delete-pending-row"
  | "activate-verified-row"
  | "delete-unverified-registration"
  | "restore-email-alias"
  | "delete-orphan-cognito-user"
  | "delete-row-without-cognito-user";

export interface ReconcileAction {
  kind: ReconcileKind;
  accountId: string;
  detail: string;
}

/** Registrations whose email nobody proved within this long are removed. */
export const UNVERIFIED_TTL_MS = 24 * 3600_000;

/** Every user of the pool. Only `reconcile` lists users; the API itself never does. */
export async function* poolUsers(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): AsyncIterable<IdentityUser> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
    );
    for (const user of page.Users ?? []) {
      yield {
        username: user.Username ?? "",
        sub: attribute(user.Attributes, "sub"),
        status: user.UserStatus ?? "UNKNOWN",
        enabled: user.Enabled ?? true,
        createdAt: user.UserCreateDate ?? null,
        emailVerified: attribute(user.Attributes, "email_verified") === "true",
      };
    }
    token = page.PaginationToken;
  } while (token);
}

export interface ReconcileOptions {
  store: AccountStore;
  identity: Identity;
  /** The pool's users (see `poolUsers`). */
  users: () => AsyncIterable<IdentityUser>;
  /** Carry the actions out; otherwise only report them. */
  apply: boolean;
  now?: Date;
  /** Leave anything younger than this alone: it may be a creation in flight. Default 5 minutes. */
  olderThanMs?: number;
  /** Remove registrations left unverified this long. Default UNVERIFIED_TTL_MS (24 h). */
  unverifiedTtlMs?: number;
}

/**
 * - a `pending` row (a creation that never finished: nobody was told its id, and its email is no
 *   alias) → delete the row, then its Cognito user if any;
 * - an `unverified` row whose email an active account holds (its removal failed when the owner
 *   proved the email), or older than 24 h → delete the row, then its Cognito user;
 * - an `unverified` row whose Cognito user has the email verified (a verification whose last step
 *   was lost) and whose email nobody holds → activate it;
 * - an `active` row whose Cognito user's email is not verified (the alias moved to a registration
 *   that lost) → mark it verified again, so the email signs its owner in;
 * - a Cognito user with no row → delete it;
 * - a row whose Cognito user is gone (a delete interrupted halfway) → delete the row.
 * Rows are deleted only while still in the state they were listed in, so a request that moved
 * one on meanwhile keeps it.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileAction[]> {
  const { store, identity, apply } = options;
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.olderThanMs ?? 5 * 60_000));
  const expired = new Date(now.getTime() - (options.unverifiedTtlMs ?? UNVERIFIED_TTL_MS));
  const actions: ReconcileAction[] = [];
  const act = async (action: ReconcileAction, run: () => Promise<unknown>) => {
    actions.push(action);
    if (apply) await run();
  };

  const users = new Map<string, IdentityUser>();
  for await (const user of options.users()) users.set(user.username.toLowerCase(), user);
  /** Rows handled above the generic checks below. */
  const handled = new Set<string>();

  for (const row of await store.listPending(cutoff)) {
    handled.add(row.id);
    const user = users.get(row.id);
    await act(
      {
        kind: "delete-pending-row",
        accountId: row.id,
        detail: user
          ? `creation never finished (Cognito user in ${user.status}); delete both`
          : "no Cognito user; delete the row",
      },
      async () => {
        // The row goes first, and only if nothing touched it since it was listed. A user left by
        // a failure here is an orphan the next run removes.
        if (!(await store.deleteStalePending(row.id, cutoff))) return;
        if (user) await identity.deleteUser(row.id);
      },
    );
  }

  for (const row of await store.listUnverifiedToRemove(expired)) {
    if (row.updatedAt >= cutoff && row.createdAt >= expired) continue;
    handled.add(row.id);
    const user = users.get(row.id);
    await act(
      {
        kind: "delete-unverified-registration",
        accountId: row.id,
        detail:
          row.createdAt < expired
            ? "email not proven within 24 hours; delete both"
            : "another account proved this email; delete both",
      },
      async () => {
        if (!(await store.deleteUnverified(row.id))) return;
        if (user) await identity.deleteUser(row.id);
      },
    );
  }

  const rows = new Map((await store.listBrief()).map((row) => [row.id, row]));
  const activeEmails = new Set(
    [...rows.values()].filter((row) => row.status === "active").map((row) => row.email),
  );
  for (const [username, user] of users) {
    if (rows.has(username) || handled.has(username)) continue;
    if (user.createdAt && user.createdAt >= cutoff) continue;
    await act(
      {
        kind: "delete-orphan-cognito-user",
        accountId: username,
        detail: `Cognito user (${user.status}) with no account row`,
      },
      () => identity.deleteUser(user.username),
    );
  }

  for (const [id, row] of rows) {
    if (handled.has(id) || row.status === "pending" || row.updatedAt >= cutoff) continue;
    const user = users.get(id);
    if (!user) {
      await act(
        {
          kind: "delete-row-without-cognito-user",
          accountId: id,
          detail: "account row whose Cognito user is gone",
        },
        () => store.delete(id),
      );
    } else if (row.status === "active" && !user.emailVerified) {
      await act(
        {
          kind: "restore-email-alias",
          accountId: id,
          detail: "active account whose email Cognito holds as unverified; verify it again",
        },
        () => identity.markEmailVerified(id),
      );
    } else if (row.status === "unverified" && user.emailVerified && !activeEmails.has(row.email)) {
      activeEmails.add(row.email);
      await act(
        {
          kind: "activate-verified-row",
          accountId: id,
          detail: "Cognito has the email verified; activate the row",
        },
        // Refused (and left for the next run) should someone have proved the email meanwhile.
        () => store.activate(id).catch(() => null),
      );
    }
  }
  return actions;
}
