import { InvalidParameterException } from "../errors.ts";
import { ExpiringMap } from "../expiring-map.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import type { Services } from "../services.ts";
import type { PoolState, UserRecord } from "../store.ts";
import { userType } from "../users.ts";

const FILTER = /^\s*([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
const FILTERABLE = new Set([
  "username",
  "email",
  "phone_number",
  "name",
  "given_name",
  "family_name",
  "preferred_username",
  "cognito:user_status",
  "status",
  "sub",
]);

function filterValue(user: UserRecord, attribute: string): string | undefined {
  switch (attribute) {
    case "username":
      return user.username;
    case "sub":
      return user.sub;
    case "cognito:user_status":
      return user.status;
    case "status":
      return user.enabled ? "Enabled" : "Disabled";
    default:
      return user.attributes[attribute];
  }
}

interface Filter {
  attribute: string;
  exact: boolean;
  value: string;
  matches(user: UserRecord): boolean;
}

function parseFilter(pool: PoolState, text: string | undefined): Filter | null {
  if (text === undefined || text.trim() === "") return null;
  const parsed = FILTER.exec(text);
  if (!parsed) throw new InvalidParameterException("Error while parsing filter.");
  const [, attribute = "", operator, raw = ""] = parsed;
  if (!FILTERABLE.has(attribute)) {
    throw new InvalidParameterException(`Invalid search attribute: ${attribute}`);
  }
  // Cognito compares a user's status in any case ("confirmed" finds CONFIRMED users).
  const caseless =
    (attribute === "username" && !pool.caseSensitive) ||
    attribute === "cognito:user_status" ||
    attribute === "status";
  const norm = (s: string) => (caseless ? s.toLowerCase() : s);
  const value = norm(raw.replace(/\\(.)/g, "$1"));
  const exact = operator === "=";
  return {
    attribute,
    exact,
    value,
    matches: (user) => {
      const actual = filterValue(user, attribute);
      if (actual === undefined) return false;
      return exact ? norm(actual) === value : norm(actual).startsWith(value);
    },
  };
}

/** Where a listing stopped: the live iterator (Maps iterate in insertion order, through changes). */
interface Cursor {
  poolId: string;
  iterator: Iterator<string>;
  /** A key already taken from the iterator, to be considered first. */
  pending: string | undefined;
}

const CURSOR_TTL_MS = 10 * 60 * 1000;

/**
 * Pages follow the pool's insertion order. A page continues from a cursor kept in memory, so
 * listing a large pool costs the same per page; a token from before a restart (or used twice)
 * is found by its key instead.
 */
export const listUsers = ({ store, clock }: Pick<Services, "store" | "clock">) => {
  const cursors = new ExpiringMap<Cursor>(clock, 1000);
  return (input: Input) => {
    const pool = requirePool(store, input.string("UserPoolId", 55));
    const limit = input.integer("Limit", 0, 60) ?? 60;
    const filter = parseFilter(pool, input.optionalString("Filter", 256));
    const token = input.optionalString("PaginationToken", 4096);
    const wanted = input.stringList("AttributesToGet");
    const shape = (user: UserRecord) => {
      const type = userType(user);
      return wanted
        ? { ...type, Attributes: type.Attributes.filter((a) => wanted.includes(a.Name)) }
        : type;
    };

    // Indexed: at most one user has a given username or sub.
    if (filter?.exact && (filter.attribute === "username" || filter.attribute === "sub")) {
      const key =
        filter.attribute === "sub" ? pool.bySub.get(filter.value) : pool.userKey(filter.value);
      const user = key === undefined ? undefined : pool.users.get(key);
      return { Users: user && token === undefined && limit > 0 ? [shape(user)] : [] };
    }

    let cursor: Omit<Cursor, "poolId">;
    if (token === undefined) {
      cursor = { iterator: pool.users.keys(), pending: undefined };
    } else {
      const cached = cursors.get(token);
      cursors.delete(token);
      cursor =
        cached && cached !== "expired" && cached.poolId === pool.record.id
          ? cached
          : resumeAfterScan(pool, token);
    }
    const { iterator, pending } = cursor;

    const users: UserRecord[] = [];
    let next: string | undefined;
    const take = (key: string) => {
      const user = pool.users.get(key);
      if (!user || (filter && !filter.matches(user))) return;
      if (users.length < limit) users.push(user);
      else next = key;
    };
    if (pending !== undefined) take(pending);
    while (next === undefined) {
      const step = iterator.next();
      if (step.done) break;
      take(step.value);
    }
    if (next === undefined) return { Users: users.map(shape) };
    const nextToken = Buffer.from(next).toString("base64url");
    cursors.set(nextToken, { poolId: pool.record.id, iterator, pending: next }, CURSOR_TTL_MS);
    return { Users: users.map(shape), PaginationToken: nextToken };
  };
};

/** Finds the token's key by walking the pool (a token the cursor cache no longer holds). */
function resumeAfterScan(pool: PoolState, token: string): Omit<Cursor, "poolId"> {
  const key = Buffer.from(token, "base64url").toString("utf8");
  if (!pool.users.has(key)) throw new InvalidParameterException("Invalid pagination token");
  const iterator = pool.users.keys();
  for (let step = iterator.next(); !step.done && step.value !== key; step = iterator.next()) {
    // Walks to the key; the iterator then stands just after it.
  }
  return { iterator, pending: key };
}
