// The store contract on both adapters, the change feed on PostgreSQL, and two API instances
// sharing one database through LISTEN/NOTIFY.
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountStore, EmailTakenError, openAccountStore } from "../src/db/index.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
  createActiveAccount,
  postgresAvailable,
  rowByEmail,
  signIn,
  startLocalCognito,
  TEST_DATABASE_URL,
  testConfig,
  uniqueEmail,
  withSchema,
} from "./helpers.ts";

const available = await postgresAvailable();
const open = (schema: string) =>
  openAccountStore({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 4 });
const waitFor = async (check: () => boolean | Promise<boolean>, ms = 2000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

// One contract, every adapter: embedded PGlite and PostgreSQL.
const adapters: [
  string,
  boolean,
  () => Promise<{ a: AccountStore; b: AccountStore; done(): Promise<void> }>,
][] = [
  [
    "PGlite",
    true,
    async () => {
      const store = await openAccountStore({ inMemory: true });
      return { a: store, b: store, done: () => store.close() };
    },
  ],
  [
    "PostgreSQL",
    available,
    async () => {
      const schema = await withSchema();
      // Two instances migrating one fresh schema at once: both must come up.
      const [a, b] = await Promise.all([open(schema.schema), open(schema.schema)]);
      return {
        a,
        b,
        async done() {
          await a.close();
          await b.close();
          await schema.drop();
        },
      };
    },
  ],
];

describe.each(adapters)("the account store contract on %s", (_name, enabled, setup) => {
  let a: AccountStore;
  let b: AccountStore;
  let done: () => Promise<void>;
  beforeAll(async () => {
    if (enabled) ({ a, b, done } = await setup());
  }, 60_000);
  afterAll(async () => {
    await done?.();
  });
  it.skipIf(!enabled)(
    "keeps active emails unique in any case: once one is active, no new registration of it",
    async () => {
      const email = uniqueEmail("pg");
      const rows = await Promise.all(
        Array.from({ length: 10 }, () =>
          a.insertPending({ id: crypto.randomUUID(), email, name: "P" }),
        ),
      );
      for (const row of rows) await b.markUnverified(row.id, crypto.randomUUID());
      const results = await Promise.allSettled(rows.map((row) => b.activate(row.id)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results)
        if (r.status === "rejected") expect(r.reason).toBeInstanceOf(EmailTakenError);
      await expect(
        b.insertPending({ id: crypto.randomUUID(), email: email.toUpperCase(), name: "P" }),
      ).rejects.toBeInstanceOf(EmailTakenError);
    },
  );

  it.skipIf(!enabled)(
    "reads, activates, renames, signs out (never backwards) and deletes",
    async () => {
      const id = crypto.randomUUID();
      const email = uniqueEmail("crud");
      await a.insertPending({ id, email, name: "Before" });
      expect((await rowByEmail(b, email.toUpperCase()))?.id).toBe(id);
      const sub = crypto.randomUUID();
      await a.markUnverified(id, sub);
      expect(await a.activate(id)).toMatchObject({ status: "active", cognitoSub: sub });
      expect((await a.rename(id, "After"))?.name).toBe("After");
      const later = new Date(Date.now() + 1000);
      await a.signOut(id, later, "jti-1");
      const kept = await a.signOut(id, new Date(Date.now() - 60_000), "jti-0");
      expect(kept?.signedOutAt?.getTime()).toBe(later.getTime());
      expect(kept?.signedOutOriginJti).toBe("jti-1");
      expect((await a.listBrief()).map((row) => row.id)).toContain(id);
      expect(await a.delete(id)).toBe(true);
      expect(await a.delete(id)).toBe(false);
      expect(await b.findById(id)).toBeNull();
    },
  );
});

describe.skipIf(!available)("the change feed on PostgreSQL", () => {
  let schema: Awaited<ReturnType<typeof withSchema>>;
  let a: AccountStore;
  let b: AccountStore;
  beforeAll(async () => {
    schema = await withSchema();
    [a, b] = await Promise.all([open(schema.schema), open(schema.schema)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it("tells every other instance about a change, and resets when its listener is cut", async () => {
    const changed: string[] = [];
    let resets = 0;
    b.onChange({ changed: (id) => changed.push(id), reset: () => resets++ });
    const id = crypto.randomUUID();
    await a.insertPending({ id, email: uniqueEmail("feed"), name: "Feed" });
    await a.rename(id, "Fed");
    await waitFor(() => changed.includes(id));

    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN account_changed' AND pid <> pg_backend_pid()",
    );
    await admin.end();
    await waitFor(() => resets >= 2, 5000);
    // Listening again: later changes still arrive.
    await a.rename(id, "Fed again");
    await waitFor(() => changed.filter((c) => c === id).length >= 2, 5000);
  });
});

describe.skipIf(!available)("two API instances on one PostgreSQL", () => {
  let schema: Awaited<ReturnType<typeof withSchema>>;
  let emulator: RunningEmulator;
  let one: Api;
  let two: Api;
  beforeAll(async () => {
    schema = await withSchema();
    emulator = await startLocalCognito();
    const logger = pino({ level: "silent" });
    one = await createApi(testConfig(emulator), { logger, store: await open(schema.schema) });
    two = await createApi(testConfig(emulator), { logger, store: await open(schema.schema) });
  }, 60_000);
  afterAll(async () => {
    for (const api of [one, two]) {
      await api?.close();
      await api?.store.close();
    }
    await emulator?.stop();
    await schema?.drop();
  });

  it("sees a rename, a sign-out and a delete made through the other instance", async () => {
    const cognito = adminClient(emulator);
    const email = uniqueEmail("two");
    const { token } = await createActiveAccount(one.app, emulator, cognito, email);
    const me = () => two.app.inject({ url: "/me", headers: bearer(token) });
    expect((await me()).json().name).toBe("Ada Lovelace");

    await one.app.inject({
      method: "PATCH",
      url: "/me",
      headers: bearer(token),
      payload: { name: "Renamed" },
    });
    await waitFor(async () => (await me()).json().name === "Renamed");

    const second = await signIn(cognito, email);
    expect((await two.app.inject({ url: "/me", headers: bearer(second) })).statusCode).toBe(200);
    await one.app.inject({ method: "POST", url: "/me/sign-out", headers: bearer(token) });
    await waitFor(async () => (await me()).statusCode === 401);

    const third = await signIn(cognito, email);
    expect((await two.app.inject({ url: "/me", headers: bearer(third) })).statusCode).toBe(200);
    await one.app.inject({ method: "DELETE", url: "/me", headers: bearer(third) });
    await waitFor(
      async () => (await two.app.inject({ url: "/me", headers: bearer(third) })).statusCode === 401,
    );
    cognito.destroy();
  });
});
