// Many registrations of the same emails at once, against the API process on PostgreSQL: all sent
// together, then every account that was created proves its email with the code from the outbox.
// Exactly one account per email ends active, whole in both stores; nothing answers 5xx, each
// request sent once.
import path from "node:path";
import { DEFAULT_MAX_CONCURRENT_CALLS } from "@gatehouse/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Account, call, isProblem, newCodesRequested, verifyEmail } from "../src/api.ts";
import { signIn } from "../src/cognito.ts";
import { compareStores, describeCounts } from "../src/consistency.ts";
import { type Database, postgresAvailable, postgresDatabase } from "../src/databases.ts";
import {
  type ApiProcess,
  apiEnv,
  type EmulatorProcess,
  killAll,
  runDir,
  startApiProcess,
  startEmulatorProcess,
} from "../src/processes.ts";
import { SuiteReport, scale } from "../src/results.ts";

const report = new SuiteReport(
  "concurrency",
  "Concurrent registrations",
  "Registrations sent all at once, several per email, to the API process on PostgreSQL; then " +
    "every account created signs in (with its account id) and proves its email with the code " +
    "from the local Cognito's outbox.",
);

const postgresUp = await postgresAvailable();
const REQUESTS = scale(60, 500);
const EMAILS = scale(15, 100);
let dir: string;
let emulator: EmulatorProcess;
let database: Database;
let api: ApiProcess;

const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const show = (map: Map<string, number>) =>
  [...map]
    .sort()
    .map(([k, n]) => `${n}× ${k}`)
    .join(", ");

describe.runIf(postgresUp)("concurrent registrations", () => {
  beforeAll(async () => {
    dir = runDir("concurrency");
    emulator = await startEmulatorProcess({
      dataDir: null,
      logFile: path.join(dir, "cognito.log"),
    });
    database = await postgresDatabase();
    api = await startApiProcess({
      env: apiEnv(emulator.url, database.env),
      logFile: path.join(dir, "api.log"),
    });
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await database?.drop();
  });

  it(`${REQUESTS} concurrent POST /accounts over ${EMAILS} emails, each verified: exactly ${EMAILS} active in both stores, no 5xx (each sent once)`, async () => {
    const run = Date.now().toString(36);
    const emails = Array.from({ length: EMAILS }, (_, i) => `same-${run}-${i}@example.com`);
    const started = performance.now();
    // Sent once each: a 503 is counted as the 5xx it is, not retried away. The API bounds the
    // Cognito calls it has in flight (COGNITO_MAX_CONCURRENT_CALLS, at its default here), so the
    // burst waits its turn in the API rather than timing out at Cognito.
    const creations = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const email = emails[i % EMAILS] as string;
        const password = `Concurrent-${i}-Passw0rd`;
        const sent = performance.now();
        const answer = await call(api.url, "/accounts", {
          method: "POST",
          body: { name: `Racer ${i}`, email, password },
          timeoutMs: 120_000,
        });
        return { email, password, answer, seconds: (performance.now() - sent) / 1000 };
      }),
    );
    const creationSeconds = (performance.now() - started) / 1000;
    const createStatuses = new Map<string, number>();
    for (const { answer } of creations) {
      tally(createStatuses, `${answer.status}${answer.body.code ? ` ${answer.body.code}` : ""}`);
    }

    // Every created account now proves its email, as its owner would, all at once.
    const created = creations.filter((c) => c.answer.status === 201);
    const verifyStatuses = new Map<string, number>();
    const problemsMissing: string[] = [];
    await Promise.all(
      created.map(async ({ password, answer }) => {
        const account = answer.body as unknown as Account;
        if (account.status !== "unverified") {
          tally(verifyStatuses, `already ${account.status}`);
          return;
        }
        let token: string;
        try {
          token = (await signIn(emulator.url, account.id, password)).AccessToken;
        } catch (error) {
          // Another registration of the email won and this one was removed.
          tally(verifyStatuses, `sign-in refused (${(error as Error).message.split(":")[0]})`);
          return;
        }
        const verified = await verifyEmail(api.url, emulator.url, account, token);
        tally(
          verifyStatuses,
          `${verified.status}${verified.body.code ? ` ${verified.body.code}` : ""}`,
        );
        if (verified.status !== 200 && !isProblem(verified)) problemsMissing.push(verified.text);
      }),
    );

    const stores = await compareStores(database.url as string, emulator.url);
    const activeEmails = new Map<string, number>();
    for (const row of stores.wholeActive) tally(activeEmails, row.email.toLowerCase());
    const allStatuses = [...createStatuses.keys(), ...verifyStatuses.keys()];

    report.figure("registrations sent at once", REQUESTS);
    report.figure("distinct emails", EMAILS);
    report.figure("registrations: answers", show(createStatuses));
    report.figure(
      "Cognito calls the API has in flight at once (COGNITO_MAX_CONCURRENT_CALLS, default)",
      DEFAULT_MAX_CONCURRENT_CALLS,
    );
    report.figure("registrations: seconds for all", creationSeconds);
    report.figure(
      "registrations: slowest answer, seconds (the burst waiting its turn)",
      Math.max(...creations.map((c) => c.seconds)),
    );
    const unavailable = creations.filter((c) => c.answer.status === 503);
    report.figure(
      "503 identity_unavailable (Cognito calls waited past the queue bound or timed out)",
      unavailable.length,
    );
    report.figure("email proofs: answers", show(verifyStatuses));
    report.figure(
      "accounts created without a code sent (the owner asked for a new one)",
      newCodesRequested(),
    );
    report.figure("account rows afterwards", describeCounts(stores.byStatus));
    report.figure("accounts active and whole in both stores", stores.wholeActive.length);
    report.figure(
      "emails with more than one active account",
      [...activeEmails.values()].filter((n) => n > 1).length,
    );
    const settledRowOnly = stores.rowOnly.filter((r) => r.status !== "pending");
    report.figure(
      "accounts in one store only (besides pending rows)",
      settledRowOnly.length + stores.userOnly.length,
    );
    report.figure(
      "pending rows left (a creation the API could neither finish nor undo)",
      stores.byStatus.pending ?? 0,
    );
    report.figure(
      "5xx answers, registrations and proofs",
      allStatuses.filter((s) => s.startsWith("5")).length,
    );

    expect(allStatuses.filter((s) => s.startsWith("5"))).toEqual([]);
    expect(problemsMissing).toEqual([]);
    expect(stores.wholeActive).toHaveLength(EMAILS);
    expect(new Set(activeEmails.keys())).toEqual(new Set(emails));
    expect(settledRowOnly).toEqual([]);
    // A pending row is the API's own record of a creation it could not finish or undo (only a
    // 503 leaves one), and a code not sent is a Cognito call that failed quietly: neither happens.
    expect(stores.byStatus.pending ?? 0).toBe(0);
    expect(newCodesRequested()).toBe(0);
    expect(stores.userOnly).toEqual([]);
  });
});
