// The local Cognito's journal under SIGKILL: rounds of concurrent writes (creations, password
// changes, attribute updates, deletions), the process killed while they are in flight, then
// restarted on the same data directory. Every write that was acknowledged must be there, every
// acknowledged deletion must stay done, and the store must open every time.
import path from "node:path";
import { localPool } from "@gatehouse/server";
import { afterAll, describe, expect, it } from "vitest";
import { cognitoCall, listPoolUsers, signIn } from "../src/cognito.ts";
import { type EmulatorProcess, killAll, runDir, startEmulatorProcess } from "../src/processes.ts";
import { SuiteReport, scale } from "../src/results.ts";

const report = new SuiteReport(
  "emulator-durability",
  "Durability of the local Cognito",
  "The local Cognito's CLI on a data directory, killed with SIGKILL while a round of concurrent " +
    "writes is in flight, then restarted on the same directory; each round mixes creations, " +
    "permanent passwords, attribute updates and deletions of earlier rounds' users.",
);

const ROUNDS = scale(2, 5);
const WRITES = scale(200, 1000);
const dir = runDir("durability");
const dataDir = path.join(dir, "cognito");
let emulator: EmulatorProcess;
let restarts = 0;

afterAll(async () => {
  await killAll();
});

type Write =
  | { kind: "create"; username: string }
  | { kind: "password"; username: string; password: string }
  | { kind: "attribute"; username: string; name: string }
  | { kind: "delete"; username: string };

const pool = localPool.userPoolId;
const request = (write: Write): [string, unknown] => {
  switch (write.kind) {
    case "create":
      return [
        "AdminCreateUser",
        {
          UserPoolId: pool,
          Username: write.username,
          MessageAction: "SUPPRESS",
          TemporaryPassword: "Temporary-Passw0rd-1",
          UserAttributes: [{ Name: "email", Value: `${write.username}@example.com` }],
        },
      ];
    case "password":
      return [
        "AdminSetUserPassword",
        { UserPoolId: pool, Username: write.username, Password: write.password, Permanent: true },
      ];
    case "attribute":
      return [
        "AdminUpdateUserAttributes",
        {
          UserPoolId: pool,
          Username: write.username,
          UserAttributes: [{ Name: "name", Value: write.name }],
        },
      ];
    case "delete":
      return ["AdminDeleteUser", { UserPoolId: pool, Username: write.username }];
  }
};

describe("the local Cognito killed during concurrent writes", () => {
  it(`keeps every acknowledged write through ${ROUNDS} SIGKILLs of ${WRITES} writes in flight`, async () => {
    /** What the acknowledged writes say each user must look like; null: must not exist. */
    const expected = new Map<string, { password: string | null; name: string | null } | null>();
    let acknowledged = 0;
    let refusedOrCut = 0;
    const openTimes: number[] = [];
    const rows: (string | number)[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const opening = performance.now();
      emulator = await startEmulatorProcess({
        dataDir,
        logFile: path.join(dir, `cognito-${round}.log`),
      });
      openTimes.push(performance.now() - opening);
      if (round > 0) restarts++;

      // Each user gets at most one write per round, so "the acknowledged value" is well defined.
      const existing = [...expected].filter(([, v]) => v !== null).map(([u]) => u);
      const writes: Write[] = [];
      for (let i = 0; i < WRITES; i++) {
        const pick = existing.pop();
        if (pick && i % 4 === 1) writes.push({ kind: "delete", username: pick });
        else if (pick && i % 4 === 2) {
          writes.push({
            kind: "password",
            username: pick,
            password: `Round${round}-Passw0rd-${i}`,
          });
        } else if (pick && i % 4 === 3)
          writes.push({ kind: "attribute", username: pick, name: `r${round}-${i}` });
        else writes.push({ kind: "create", username: `durable-${round}-${i}` });
      }
      const url = emulator.url;
      let acks = 0;
      const victim = emulator;
      // Killed once a random share of the round has been acknowledged: mid-flight, every time.
      const killAt = Math.floor(WRITES * (0.2 + Math.random() * 0.5));
      let killed: Promise<void> | null = null;
      const outcomes = await Promise.all(
        writes.map(async (write) => {
          const [target, input] = request(write);
          try {
            const answer = await cognitoCall(url, target, input);
            if (answer.status === 200) {
              acks++;
              if (acks >= killAt && !killed) killed = victim.kill();
              return { write, ok: true };
            }
          } catch {
            // cut off by the kill
          }
          return { write, ok: false };
        }),
      );
      if (!killed) killed = victim.kill();
      await killed;
      let roundAcks = 0;
      for (const { write, ok } of outcomes) {
        if (!ok) {
          refusedOrCut++;
          // Not acknowledged: it may or may not have happened. Only what it could have changed
          // stops being checked; the user's earlier acknowledged state still is.
          const before = expected.get(write.username);
          if (write.kind === "create" || write.kind === "delete") expected.delete(write.username);
          else if (before && write.kind === "password")
            expected.set(write.username, { ...before, password: null });
          else if (before) expected.set(write.username, { ...before, name: null });
          continue;
        }
        roundAcks++;
        const before = expected.get(write.username) ?? { password: null, name: null };
        if (write.kind === "create") expected.set(write.username, { password: null, name: null });
        else if (write.kind === "delete") expected.set(write.username, null);
        else if (write.kind === "password")
          expected.set(write.username, { ...before, password: write.password });
        else expected.set(write.username, { ...before, name: write.name });
      }
      acknowledged += roundAcks;
      rows.push([round + 1, writes.length, roundAcks, writes.length - roundAcks]);
    }

    // The last restart: everything acknowledged is there.
    const opening = performance.now();
    emulator = await startEmulatorProcess({
      dataDir,
      logFile: path.join(dir, "cognito-final.log"),
    });
    openTimes.push(performance.now() - opening);
    restarts++;
    const users = new Map((await listPoolUsers(emulator.url)).map((u) => [u.username, u]));
    const missing: string[] = [];
    const resurrected: string[] = [];
    const wrongName: string[] = [];
    const passwords: [string, string][] = [];
    for (const [username, want] of expected) {
      const user = users.get(username);
      if (want === null) {
        if (user) resurrected.push(username);
        continue;
      }
      if (!user) {
        missing.push(username);
        continue;
      }
      if (want.password) passwords.push([username, want.password]);
    }
    for (const [username, want] of expected) {
      if (!want?.name) continue;
      const answer = await cognitoCall(emulator.url, "AdminGetUser", {
        UserPoolId: pool,
        Username: username,
      });
      const attributes = (answer.body.UserAttributes ?? []) as { Name: string; Value: string }[];
      if (attributes.find((a) => a.Name === "name")?.Value !== want.name) wrongName.push(username);
    }
    // A sample of the acknowledged passwords signs in (each sign-in costs a verifier check).
    const sample = passwords.slice(0, scale(20, 100));
    const signInFailures: string[] = [];
    for (const [username, password] of sample) {
      await signIn(emulator.url, username, password).catch(() => signInFailures.push(username));
    }

    report.figure("rounds (SIGKILL each)", ROUNDS);
    report.figure("writes in flight per round", WRITES);
    report.figure("acknowledged writes", acknowledged);
    report.figure("writes cut off by the kills (unacknowledged)", refusedOrCut);
    report.figure("restarts; each opened the store", restarts);
    report.figure("slowest restart to listening, ms", Math.max(...openTimes));
    report.figure("acknowledged users missing after restart", missing.length);
    report.figure("acknowledged deletions undone", resurrected.length);
    report.figure("acknowledged attribute updates lost", wrongName.length);
    report.figure(
      "acknowledged passwords that sign in (sample)",
      `${sample.length - signInFailures.length} of ${sample.length}`,
    );
    report.table({
      title: "Rounds",
      columns: ["round", "writes sent", "acknowledged before the kill", "cut off"],
      rows,
    });
    expect(missing).toEqual([]);
    expect(resurrected).toEqual([]);
    expect(wrongName).toEqual([]);
    expect(signInFailures).toEqual([]);
    expect(acknowledged).toBeGreaterThan(0);
    expect(refusedOrCut).toBeGreaterThan(0);
  });
});
