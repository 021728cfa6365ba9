// Repairs what a crash can leave between the two stores. Dry run by default.
import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { attribute, type Identity, type IdentityUser } from "./cognito/identity.ts";
import type { AccountStore } from "./db/index.ts";

export type ReconcileKind =
  | "finish-pending-row"
  | "delete-pending-row"
  | "delete-orphan-cognito-user"
  | "delete-row-without-cognito-user";

export interface ReconcileAction {
  kind: ReconcileKind;
  accountId: string;
  detail: string;
}

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
}

/**
 * - a `pending` row whose Cognito user is CONFIRMED: the password was set, only the last step was
 *   lost → activate the row;
 * - a `pending` row with no Cognito user, or one still in FORCE_CHANGE_PASSWORD (its password was
 *   never set, so nobody can sign in with it) → delete both;
 * - a Cognito user with no row → delete it;
 * - an `active` row whose Cognito user is gone (a delete interrupted halfway) → delete the row.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileAction[]> {
  const { store, identity, apply } = options;
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.olderThanMs ?? 5 * 60_000));
  const actions: ReconcileAction[] = [];
  const act = async (action: ReconcileAction, run: () => Promise<unknown>) => {
    actions.push(action);
    if (apply) await run();
  };

  const users = new Map<string, IdentityUser>();
  for await (const user of options.users()) users.set(user.username.toLowerCase(), user);
  const pending = new Set<string>();

  for (const row of await store.listPending(cutoff)) {
    pending.add(row.id);
    const user = users.get(row.id);
    if (user?.status === "CONFIRMED" && user.sub) {
      const sub = user.sub;
      await act(
        {
          kind: "finish-pending-row",
          accountId: row.id,
          detail: "password was set; activate the row",
        },
        () => store.activate(row.id, sub),
      );
    } else {
      await act(
        {
          kind: "delete-pending-row",
          accountId: row.id,
          detail: user
            ? `Cognito user in ${user.status}: its password was never set; delete both`
            : "no Cognito user; delete the row",
        },
        async () => {
          // The row goes first, and only if nothing touched it since it was listed: a creation
          // retry that took it over meanwhile keeps both. A user left by a failure here is an
          // orphan the next run removes.
          if (!(await store.deleteStalePending(row.id, cutoff))) return;
          if (user) await identity.deleteUser(row.id);
        },
      );
    }
  }

  const rows = new Set(await store.listIds());
  for (const [username, user] of users) {
    if (rows.has(username) || pending.has(username)) continue;
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

  for (const id of rows) {
    if (users.has(id) || pending.has(id)) continue;
    const row = await store.findById(id);
    if (row?.status !== "active" || row.updatedAt >= cutoff) continue;
    await act(
      {
        kind: "delete-row-without-cognito-user",
        accountId: id,
        detail: "account row whose Cognito user is gone",
      },
      () => store.delete(id),
    );
  }
  return actions;
}
