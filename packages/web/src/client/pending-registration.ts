// Accounts start unverified, and Cognito takes an email for sign-in only once it is verified; until
// then the site signs in with the account id. This browser remembers that id for each email it
// registered, so a person who closes the tab before entering the code can come back and sign in
// with their email and password as usual. Kept in localStorage whatever the token storage: it is
// no credential (the password is still needed), and it must outlive the tab.

const KEY = "gatehouse.pending-registrations";
/** The API removes registrations still unverified after a day. */
const KEEP_MS = 24 * 60 * 60 * 1000;

type Entries = Record<string, { id: string; at: number }>;

/** The email as the API stores it, so the typed and the registered spelling meet. */
export const emailKey = (email: string) => email.trim().normalize("NFC").toLowerCase();

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage switched off by the browser: registration still works in this tab.
    return null;
  }
}

function read(store: Storage, now: number): Entries {
  let parsed: unknown;
  try {
    parsed = JSON.parse(store.getItem(KEY) ?? "{}");
  } catch {
    return {};
  }
  const entries: Entries = {};
  if (!parsed || typeof parsed !== "object") return entries;
  for (const [email, entry] of Object.entries(parsed)) {
    const { id, at } = (entry ?? {}) as { id?: unknown; at?: unknown };
    if (typeof id === "string" && typeof at === "number" && now - at < KEEP_MS) {
      entries[email] = { id, at };
    }
  }
  return entries;
}

function write(store: Storage, entries: Entries): void {
  if (Object.keys(entries).length === 0) store.removeItem(KEY);
  else store.setItem(KEY, JSON.stringify(entries));
}

/** Remembers the id of a registration of `email` that waits for its code. */
export function rememberPending(email: string, id: string, store = storage(), now = Date.now()) {
  if (!store) return;
  write(store, { ...read(store, now), [emailKey(email)]: { id, at: now } });
}

/** The id of this browser's registration of `email` still waiting for its code, if any. */
export function pendingIdFor(email: string, store = storage(), now = Date.now()): string | null {
  return store ? (read(store, now)[emailKey(email)]?.id ?? null) : null;
}

/** Forgets `email`'s registration: verified, deleted or gone. */
export function forgetPending(email: string, store = storage(), now = Date.now()) {
  if (!store) return;
  const entries = read(store, now);
  delete entries[emailKey(email)];
  write(store, entries);
}
