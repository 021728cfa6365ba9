// Account creation under random faults, against the API process on PostgreSQL: a Cognito call
// throttled, failing, timing out, its connection reset or its answer lost; the database gone for a
// moment; the API killed with SIGKILL between two steps and started again. Every answer is a 201 or
// a documented problem; what was left half made is counted.
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, isProblem, uniqueEmail, verifyEmail } from "../src/api.ts";
import { signIn } from "../src/cognito.ts";
import { type CognitoProxy, type Fault, startCognitoProxy } from "../src/cognito-proxy.ts";
import { compareStores, describeCounts } from "../src/consistency.ts";
import {
  type Database,
  postgresAvailable,
  postgresDatabase,
  TEST_DATABASE_URL,
} from "../src/databases.ts";
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
import { startTcpProxy, type TcpProxy } from "../src/tcp-proxy.ts";

const report = new SuiteReport(
  "creation-faults",
  "Faults in account creation",
  "Registrations one after another through the API process on PostgreSQL, each with a fault " +
    "drawn at random at one of its Cognito calls: throttled, failing (500), timing out, connection " +
    "reset, answer lost, the database unreachable for a moment, or the API killed with SIGKILL " +
    "once the call is done and restarted. The local Cognito sits behind a proxy that injects the " +
    "Cognito faults; PostgreSQL behind one the suite can cut.",
);

const postgresUp = await postgresAvailable();
const CREATIONS = scale(60, 1000);
/** The API's own reconcile: every PERIOD_SECONDS, on what is older than MIN_AGE_SECONDS. */
const PERIOD_SECONDS = 10;
const MIN_AGE_SECONDS = 30;

type FaultKind =
  | "none"
  | "throttled"
  | "failing"
  | "timing out"
  | "connection reset"
  | "answer lost"
  | "database unreachable"
  | "SIGKILL between steps";
/** How often each is drawn: kills and timeouts cost seconds each, so they are the rarer ones. */
const KINDS: [FaultKind, number][] = [
  ["none", 10],
  ["throttled", 3],
  ["failing", 2],
  ["timing out", 1],
  ["connection reset", 2],
  ["answer lost", 3],
  ["database unreachable", 3],
  ["SIGKILL between steps", 1],
];
const pickKind = (): FaultKind => {
  const total = KINDS.reduce((sum, [, w]) => sum + w, 0);
  let roll = Math.random() * total;
  for (const [kind, weight] of KINDS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return "none";
};

/** The API's calls for a creation; the reconcile timer's ListUsers is left alone. */
const CREATION_CALLS = new Set([
  "AdminCreateUser",
  "AdminSetUserPassword",
  "AdminInitiateAuth",
  "AdminRespondToAuthChallenge",
  "AdminGetUser",
  "AdminDeleteUser",
  "AdminUpdateUserAttributes",
  "GetUserAttributeVerificationCode",
  "AdminUserGlobalSignOut",
]);

let dir: string;
let emulator: EmulatorProcess;
let cognitoProxy: CognitoProxy;
let database: Database;
let databaseProxy: TcpProxy;
let api: ApiProcess;
let apiEnvironment: Record<string, string>;
let restarts = 0;
const acknowledged: { email: string; password: string; id: string }[] = [];
let halfMadeBefore = 0;
let faultsEnded = 0;

async function restartApi() {
  const port = api.port;
  await api.kill();
  api = await startApiProcess({
    env: apiEnvironment,
    port,
    logFile: path.join(dir, `api-${++restarts}.log`),
  });
}

describe.runIf(postgresUp)("faults in account creation", () => {
  beforeAll(async () => {
    dir = runDir("faults");
    emulator = await startEmulatorProcess({
      dataDir: path.join(dir, "cognito"),
      logFile: path.join(dir, "cognito.log"),
    });
    cognitoProxy = await startCognitoProxy(() => emulator.url);
    database = await postgresDatabase();
    const server = new URL(TEST_DATABASE_URL);
    databaseProxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    const proxied = new URL(database.url as string);
    proxied.host = `127.0.0.1:${databaseProxy.port}`;
    apiEnvironment = apiEnv(cognitoProxy.url, {
      DATABASE_URL: proxied.toString(),
      RECONCILE_INTERVAL_SECONDS: String(PERIOD_SECONDS),
      RECONCILE_MIN_AGE_SECONDS: String(MIN_AGE_SECONDS),
    });
    api = await startApiProcess({ env: apiEnvironment, logFile: path.join(dir, "api-0.log") });
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await cognitoProxy?.close();
    await databaseProxy?.close();
    await database?.drop();
  });

  it(`${CREATIONS} registrations with random faults: each a 201 or a documented problem`, async () => {
    const outcomes = new Map<string, number>();
    const byKind = new Map<FaultKind, { tried: number; fired: number }>();
    const undocumented: string[] = [];
    for (let i = 0; i < CREATIONS; i++) {
      const kind = pickKind();
      const at = 1 + Math.floor(Math.random() * 3);
      let seen = 0;
      let fired = false;
      let killed: Promise<void> | null = null;
      cognitoProxy.setPolicy((callSeen): Fault => {
        if (!CREATION_CALLS.has(callSeen.name)) return { kind: "pass" };
        seen++;
        if (kind === "none" || seen !== at || fired) return { kind: "pass" };
        fired = true;
        switch (kind) {
          case "throttled":
            return {
              kind: "error",
              status: 400,
              type: "TooManyRequestsException",
              message: "Rate exceeded",
            };
          case "failing":
            return {
              kind: "error",
              status: 500,
              type: "InternalErrorException",
              message: "Internal error",
            };
          case "timing out":
            return { kind: "hang", ms: 5_000 };
          case "connection reset":
            return { kind: "reset" };
          case "answer lost":
            return { kind: "lose-answer" };
          case "database unreachable":
            return {
              kind: "then",
              run: async () => {
                await databaseProxy.down();
                setTimeout(() => void databaseProxy.up(), 300 + Math.random() * 700);
              },
            };
          case "SIGKILL between steps":
            return {
              kind: "then",
              run: async () => {
                killed = api.kill();
                await killed;
              },
            };
        }
      });
      const email = uniqueEmail("fault");
      const password = `Faulty-${i}-Passw0rd`;
      let outcome: string;
      try {
        const answer = await call(api.url, "/accounts", {
          method: "POST",
          body: { name: `Fault ${i}`, email, password },
          timeoutMs: 60_000,
        });
        outcome = `${answer.status}${answer.body.code ? ` ${answer.body.code}` : ""}`;
        if (answer.status === 201) {
          acknowledged.push({ email, password, id: String(answer.body.id) });
        } else if (!isProblem(answer) || ![400, 409, 500, 503].includes(answer.status)) {
          undocumented.push(`${kind}: ${answer.status} ${answer.text}`);
        }
      } catch {
        outcome = "no answer (connection cut)";
      }
      cognitoProxy.setPolicy(null);
      if (killed || api.child.exitCode !== null) await restartApi();
      await databaseProxy.up();
      const stats = byKind.get(kind) ?? { tried: 0, fired: 0 };
      stats.tried++;
      if (fired) stats.fired++;
      byKind.set(kind, stats);
      outcomes.set(`${kind} → ${outcome}`, (outcomes.get(`${kind} → ${outcome}`) ?? 0) + 1);
    }
    // Answers to calls cut off in flight may still be on their way.
    await sleep(500);
    faultsEnded = Date.now();
    const before = await compareStores(database.url as string, emulator.url);
    halfMadeBefore = before.halfMade;
    report.figure("registrations", CREATIONS);
    report.figure("acknowledged (201)", acknowledged.length);
    report.figure("API restarts after SIGKILL", restarts);
    report.figure("answers that were not a 201 or a documented problem", undocumented.length);
    report.figure("half-made right after the faults", before.halfMade);
    report.figure("rows right after the faults", describeCounts(before.byStatus));
    report.figure(
      "in one store only right after the faults",
      `${before.rowOnly.length} rows, ${before.userOnly.length} Cognito users`,
    );
    report.table({
      title: "Faults drawn",
      columns: ["fault", "drawn", "reached a Cognito call"],
      rows: [...byKind].map(([kind, s]) => [kind, s.tried, s.fired]),
    });
    report.table({
      title: "Fault → answer",
      columns: ["fault → answer", "times"],
      rows: [...outcomes].sort(([a], [b]) => a.localeCompare(b)),
    });
    expect(undocumented).toEqual([]);
    // Every acknowledged account is in both stores already.
    const rows = new Set(before.rows.map((r) => r.id));
    const users = new Set(before.users.map((u) => u.username));
    expect(acknowledged.filter((a) => !rows.has(a.id) || !users.has(a.id))).toEqual([]);
  });
  it(`with the API's reconcile every ${PERIOD_SECONDS} s, nothing is half made one period after the oldest could be touched, and every 201 proves its email and signs in`, async () => {
    // Nobody runs a command: the API process's own timer does the repairs.
    const deadline = faultsEnded + (MIN_AGE_SECONDS + PERIOD_SECONDS + 15) * 1000;
    let after = await compareStores(database.url as string, emulator.url);
    while (after.halfMade > 0 && Date.now() < deadline) {
      await sleep(2000);
      after = await compareStores(database.url as string, emulator.url);
    }
    const seconds = (Date.now() - faultsEnded) / 1000;
    report.figure(
      "reconcile: the API's own timer",
      `every ${PERIOD_SECONDS} s, on what is older than ${MIN_AGE_SECONDS} s (RECONCILE_INTERVAL_SECONDS, RECONCILE_MIN_AGE_SECONDS)`,
    );
    report.figure("half-made: before → after", `${halfMadeBefore} → ${after.halfMade}`);
    report.figure("seconds from the last fault until none was half made", seconds);
    report.figure("rows after", describeCounts(after.byStatus));
    expect(after.rowOnly).toEqual([]);
    expect(after.userOnly).toEqual([]);
    expect(after.halfMade).toBe(0);

    // Every acknowledged account: its owner proves the email and signs in with it.
    const failures: string[] = [];
    for (const account of acknowledged) {
      try {
        const token = (await signIn(emulator.url, account.id, account.password)).AccessToken;
        const verified = await verifyEmail(
          api.url,
          emulator.url,
          { id: account.id, email: account.email, name: "", status: "unverified" },
          token,
        );
        if (verified.status !== 200) throw new Error(`verification answered ${verified.status}`);
        const byEmail = await signIn(emulator.url, account.email, account.password);
        const me = await call(api.url, "/me", { token: byEmail.AccessToken });
        if (me.body.status !== "active") throw new Error(`GET /me says ${me.body.status}`);
      } catch (error) {
        failures.push(`${account.email}: ${(error as Error).message}`);
      }
    }
    report.figure(
      "acknowledged accounts that proved their email and signed in with it",
      `${acknowledged.length - failures.length} of ${acknowledged.length}`,
    );
    expect(failures).toEqual([]);
  });
});
