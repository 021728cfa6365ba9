// One contract for the account store, run against every adapter: embedded PGlite (in memory) and
// PostgreSQL (a fresh schema per run). Then what only PostgreSQL has: migrations shared by
// instances starting together, and the change feed across connections surviving a lost listener.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type AccountStore,
  type ChangeListener,
  EmailTakenError,
  openAccountStore,
} from "../src/db/index.ts";
import { migrations } from "../src/db/migrations.ts";
import { postgresAvailable, TEST_DATABASE_URL, uniqueEmail, withSchema } from "./helpers.ts";

const postgres = await postgresAvailable();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Records what a store's change feed delivers. */
function recorder(store: AccountStore) {
  const seen = { changed: [] as string[], resets: 0 };
  const listener: ChangeListener = {
    changed: (id) => seen.changed.push(id),
    reset: () => {
      seen.resets++;
    },
  };
  const stop = store.onChange(listener);
  return { seen, stop, count: (id: string) => seen.changed.filter((c) => c === id).length };
}

interface Pair {
  /** Writes go through `a`; `b` is another instance on the same data (the same one for PGlite). */
  a: AccountStore;
  b: AccountStore;
  close(): Promise<void>;
}

const adapters: { name: string; enabled: boolean; open(): Promise<Pair> }[] = [
  {
    name: "PGlite",
    enabled: true,
    async open() {
      const store = await openAccountStore({ inMemory: true });
      return { a: store, b: store, close: () => store.close() };
    },
  },
  {
    name: "PostgreSQL",
    enabled: postgres,
    async open() {
      const schema = await withSchema();
      const open = (instance: string) =>
        openAccountStore({
          databaseUrl: TEST_DATABASE_URL,
          schema: schema.schema,
          poolSize: 4,
          applicationName: `${schema.schema}_${instance}`,
        });
      const [a, b] = await Promise.all([open("a"), open("b")]);
      return {
        a,
        b,
        async close() {
          await Promise.all([a.close(), b.close()]);
          await schema.drop();
        },
      };
    },
  },
];

describe.each(adapters)("the account store contract on $name", ({ enabled, open }) => {
  let a: AccountStore;
  let b: AccountStore;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (enabled) ({ a, b, close } = await open());
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  const newRow = (tag: string, email = uniqueEmail(tag)) =>
    a.insertPending({ id: crypto.randomUUID(), email, name: `Name ${tag}` });

  it.skipIf(!enabled)("inserts a pending row with its email in lower case", async () => {
    const id = crypto.randomUUID();
    const email = uniqueEmail("Insert").replace("insert", "InSeRt");
    const before = Date.now();
    const row = await a.insertPending({ id, email, name: "Grace Hopper" });
    expect(row).toMatchObject({
      id,
      email: email.toLowerCase(),
      name: "Grace Hopper",
      status: "pending",
      cognitoSub: null,
      signedOutAt: null,
      signedOutOriginJti: null,
    });
    expect(row.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(row.createdAt.getTime() - before)).toBeLessThan(5000);
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
    expect(await b.findById(id)).toEqual(row);
    expect(await b.listByEmail(email.toUpperCase())).toEqual([row]);
    expect(await b.findActiveByEmail(email)).toBeNull();
  });

  it.skipIf(!enabled)("finds nothing for an unknown id or email", async () => {
    expect(await b.findById(crypto.randomUUID())).toBeNull();
    expect(await b.listByEmail(uniqueEmail("nobody"))).toEqual([]);
    expect(await b.findActiveByEmail(uniqueEmail("nobody"))).toBeNull();
  });

  /** A row taken through pending → unverified → active. */
  const activeRow = async (tag: string, email = uniqueEmail(tag)) => {
    const row = await newRow(tag, email);
    await a.markUnverified(row.id, crypto.randomUUID());
    return (await a.activate(row.id)) as Account;
  };

  it.skipIf(!enabled)("refuses an email an active account holds, in any letter case", async () => {
    const email = uniqueEmail("taken");
    await activeRow("taken", email);
    for (const variant of [
      email,
      email.toUpperCase(),
      `${email[0]?.toUpperCase()}${email.slice(1)}`,
    ]) {
      await expect(newRow("again", variant)).rejects.toBeInstanceOf(EmailTakenError);
      await expect(
        b.insertPending({ id: crypto.randomUUID(), email: variant, name: "B" }),
      ).rejects.toBeInstanceOf(EmailTakenError);
    }
  });

  it.skipIf(!enabled)(
    "lets registrations of one email coexist; of 20 racing activations exactly one wins",
    async () => {
      const email = uniqueEmail("race");
      const rows = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).insertPending({
            id: crypto.randomUUID(),
            email: i % 3 ? email : email.toUpperCase(),
            name: `Racer ${i}`,
          }),
        ),
      );
      expect(await a.listByEmail(email)).toHaveLength(20);
      for (const row of rows) await a.markUnverified(row.id, crypto.randomUUID());
      const results = await Promise.allSettled(
        rows.map((row, i) => (i % 2 ? a : b).activate(row.id)),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect(r.reason).toBeInstanceOf(EmailTakenError);
      }
      const winner = (won[0] as PromiseFulfilledResult<Account | null>).value;
      expect(winner?.status).toBe("active");
      expect((await a.findActiveByEmail(email))?.id).toBe(winner?.id);
      // The losers stay unverified, and are what reconcile removes, however young.
      const losers = (await b.listByEmail(email)).filter((row) => row.id !== winner?.id);
      expect(losers.map((row) => row.status)).toEqual(Array(19).fill("unverified"));
      const listed = (await b.listUnverifiedToRemove(new Date(0))).map((row) => row.id);
      for (const loser of losers) expect(listed).toContain(loser.id);
      expect(listed).not.toContain(winner?.id);
    },
  );

  it.skipIf(!enabled)("moves a row pending → unverified → active, and no other way", async () => {
    const row = await newRow("activate");
    const sub = crypto.randomUUID();
    // Not yet unverified: nothing to activate.
    expect(await a.activate(row.id)).toBeNull();
    const unverified = await a.markUnverified(row.id, sub);
    expect(unverified).toMatchObject({ id: row.id, status: "unverified", cognitoSub: sub });
    expect(await a.markUnverified(row.id, sub)).toBeNull();
    const active = await a.activate(row.id);
    expect(active).toMatchObject({ id: row.id, status: "active", cognitoSub: sub });
    expect(active?.updatedAt.getTime()).toBeGreaterThanOrEqual(row.updatedAt.getTime());
    expect(await b.findById(row.id)).toEqual(active);
    expect(await a.activate(row.id)).toBeNull();
    expect(await a.activate(crypto.randomUUID())).toBeNull();
    expect(await a.markUnverified(crypto.randomUUID(), sub)).toBeNull();
    // An active account is no unverified registration to remove.
    expect(await a.deleteUnverified(row.id)).toBe(false);
    expect(await b.findById(row.id)).not.toBeNull();
  });

  it.skipIf(!enabled)(
    "lists unverified registrations created before a time, and deletes them only while unverified",
    async () => {
      const old = await newRow("old");
      await a.markUnverified(old.id, crypto.randomUUID());
      await sleep(300);
      const cutoff = new Date(Date.now() - 150);
      const fresh = await newRow("fresh");
      await a.markUnverified(fresh.id, crypto.randomUUID());
      const listed = (await b.listUnverifiedToRemove(cutoff)).map((row) => row.id);
      expect(listed).toContain(old.id);
      expect(listed).not.toContain(fresh.id);
      expect(await b.deleteUnverified(old.id)).toBe(true);
      expect(await b.deleteUnverified(old.id)).toBe(false);
      expect(await a.findById(old.id)).toBeNull();
    },
  );

  it.skipIf(!enabled)("renames, and answers null for a row that is gone", async () => {
    const row = await newRow("rename");
    expect((await a.rename(row.id, "Renamed"))?.name).toBe("Renamed");
    expect((await b.findById(row.id))?.name).toBe("Renamed");
    expect(await a.rename(crypto.randomUUID(), "Nobody")).toBeNull();
  });

  it.skipIf(!enabled)("moves the sign-out watermark forward, never back", async () => {
    const row = await newRow("signout");
    const t = Date.now();
    const first = await a.signOut(row.id, new Date(t), "jti-1");
    expect(first?.signedOutAt?.getTime()).toBe(t);
    expect(first?.signedOutOriginJti).toBe("jti-1");
    const later = await a.signOut(row.id, new Date(t + 5000), "jti-2");
    expect(later?.signedOutAt?.getTime()).toBe(t + 5000);
    expect(later?.signedOutOriginJti).toBe("jti-2");
    // An older sign-out arriving late (another instance, a slow request) changes nothing.
    const stale = await a.signOut(row.id, new Date(t + 1000), "jti-old");
    expect(stale?.signedOutAt?.getTime()).toBe(t + 5000);
    expect(stale?.signedOutOriginJti).toBe("jti-2");
    // The same instant again, from another session: that session becomes the one refused too.
    const same = await a.signOut(row.id, new Date(t + 5000), null);
    expect(same?.signedOutAt?.getTime()).toBe(t + 5000);
    expect(same?.signedOutOriginJti).toBeNull();
    expect((await b.findById(row.id))?.signedOutAt?.getTime()).toBe(t + 5000);
    expect(await a.signOut(crypto.randomUUID(), new Date(t), null)).toBeNull();
  });

  it.skipIf(!enabled)("deletes once, and frees the email", async () => {
    const email = uniqueEmail("delete");
    const row = await activeRow("delete", email);
    expect(await a.delete(row.id)).toBe(true);
    expect(await a.delete(row.id)).toBe(false);
    expect(await b.findById(row.id)).toBeNull();
    expect(await b.listByEmail(email)).toEqual([]);
    expect((await b.insertPending({ id: crypto.randomUUID(), email, name: "Again" })).email).toBe(
      email,
    );
  });

  it.skipIf(!enabled)(
    "lists stale pending rows, and deletes one only while it is still stale and pending",
    async () => {
      const stale = await newRow("stale");
      const finished = await newRow("finished");
      await a.markUnverified(finished.id, crypto.randomUUID());
      await sleep(300);
      const fresh = await newRow("fresh");
      const cutoff = new Date(Date.now() - 150);

      const listed = (await b.listPending(cutoff)).map((row) => row.id);
      expect(listed).toContain(stale.id);
      expect(listed).not.toContain(finished.id);
      expect(listed).not.toContain(fresh.id);
      const all = await b.listPending(new Date(Date.now() + 60_000));
      const times = all.map((row) => row.updatedAt.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(all.map((row) => row.id)).toContain(fresh.id);

      // reconcile's delete spares a row that was finished, or one too recent.
      expect(await b.deleteStalePending(finished.id, cutoff)).toBe(false);
      expect(await b.deleteStalePending(fresh.id, cutoff)).toBe(false);
      expect(await b.findById(fresh.id)).not.toBeNull();
      expect(await b.deleteStalePending(stale.id, cutoff)).toBe(true);
      expect(await a.findById(stale.id)).toBeNull();
    },
  );

  it.skipIf(!enabled)(
    "runs a task exclusively: a second holder of the lock is turned away",
    async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = a.exclusively(42, async () => {
        await held;
        return "first";
      });
      await sleep(50);
      // Another instance (PostgreSQL), or this one again (PGlite): turned away while it runs.
      expect(await b.exclusively(42, async () => "second")).toBeNull();
      expect(await a.exclusively(43, async () => "other lock")).toBe("other lock");
      release();
      expect(await first).toBe("first");
      expect(await b.exclusively(42, async () => "after")).toBe("after");
    },
  );

  it.skipIf(!enabled)("lists every row in brief, and answers a ping", async () => {
    const row = await newRow("ids");
    expect(await b.listBrief()).toContainEqual({
      id: row.id,
      email: row.email,
      status: "pending",
      updatedAt: row.updatedAt,
    });
    await expect(b.ping()).resolves.toBeUndefined();
  });

  it.skipIf(!enabled)(
    "tells the other instance about every activation, rename, sign-out and delete",
    async () => {
      const feed = recorder(b);
      try {
        const row = await newRow("feed");
        const steps: [string, () => Promise<unknown>][] = [
          ["markUnverified", () => a.markUnverified(row.id, crypto.randomUUID())],
          ["activate", () => a.activate(row.id)],
          ["rename", () => a.rename(row.id, "Fed")],
          ["signOut", () => a.signOut(row.id, new Date(), null)],
          ["delete", () => a.delete(row.id)],
        ];
        for (const [step, write] of steps) {
          const before = feed.count(row.id);
          await write();
          await waitFor(`changed(${step})`, () => feed.count(row.id) > before);
        }
        // Someone else's change says nothing about this account.
        const other = await newRow("other");
        await a.rename(other.id, "Other");
        await waitFor("the other row's change", () => feed.seen.changed.includes(other.id));
        expect(feed.count(row.id)).toBe(steps.length);
        // After unsubscribing, nothing more arrives.
        feed.stop();
        await a.rename(other.id, "Other again");
        await sleep(100);
        expect(feed.count(other.id)).toBe(1);
      } finally {
        feed.stop();
      }
    },
  );
});

describe.skipIf(!postgres)("PostgreSQL only", () => {
  let schema: Awaited<ReturnType<typeof withSchema>>;
  const opened: AccountStore[] = [];
  const open = async (instance: string) => {
    const store = await openAccountStore({
      databaseUrl: TEST_DATABASE_URL,
      schema: schema.schema,
      poolSize: 2,
      applicationName: `${schema.schema}_${instance}`,
    });
    opened.push(store);
    return store;
  };
  const admin = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    schema = await withSchema();
  });
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await schema?.drop();
  });

  it("three instances migrating one fresh schema at once all come up, and reopening changes nothing", async () => {
    const [a, b, c] = await Promise.all([open("m1"), open("m2"), open("m3")]);
    const row = await (a as AccountStore).insertPending({
      id: crypto.randomUUID(),
      email: uniqueEmail("migrate"),
      name: "M",
    });
    expect((await (c as AccountStore).findById(row.id))?.id).toBe(row.id);
    await (b as AccountStore).close();
    opened.splice(opened.indexOf(b as AccountStore), 1);
    const again = await open("m4");
    expect((await again.findById(row.id))?.name).toBe("M");
    const applied = await admin<{ id: number }>(
      `SELECT id FROM ${schema.schema}.gatehouse_migrations ORDER BY id`,
    );
    expect(applied.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
  });

  it("a lost listener connection resets the cache, and changes arrive again once it is back", async () => {
    const a = await open("writer");
    const b = await open("reader");
    const feed = recorder(b);
    const row = await a.insertPending({
      id: crypto.randomUUID(),
      email: uniqueEmail("cut"),
      name: "C",
    });
    await a.rename(row.id, "Before");
    await waitFor("the first change", () => feed.count(row.id) === 1);
    const resetsBefore = feed.seen.resets;

    // Exactly B's listening connection: found by its application name, not every listener here.
    const killed = await admin<{ pid: number }>(
      `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity
       WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
      [`${schema.schema}_reader`],
    );
    expect(killed).toHaveLength(1);
    // Once when it is lost, once more when listening again (changes in between were missed).
    await waitFor("two resets", () => feed.seen.resets >= resetsBefore + 2, 5000);

    await a.rename(row.id, "After");
    await waitFor("a change after reconnecting", () => feed.count(row.id) === 2, 5000);
    // And the other way round. (Reset counts are compared, not pinned: another suite on this
    // database may cut every listener at once.)
    const writerFeed = recorder(a);
    await b.rename(row.id, "From B");
    await waitFor("B's change at A", () => writerFeed.count(row.id) === 1);
    writerFeed.stop();
    feed.stop();
  });
});
