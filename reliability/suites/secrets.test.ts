// The whole flow with the API at debug level, then every byte each process printed and every file
// in their data directories searched for the passwords, tokens and codes the flow used. The only
// place a code may show is the local Cognito's outbox and its one log line per code sent, which
// exist so a person running it locally can read the code.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { localPool } from "@gatehouse/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  call,
  createActiveAccount,
  latestCode,
  uniqueEmail,
  verifyEmail,
} from "../src/api.ts";
import { cognito, cognitoCall, outbox, signIn } from "../src/cognito.ts";
import { pgliteDatabase } from "../src/databases.ts";
import {
  type ApiProcess,
  apiEnv,
  type EmulatorProcess,
  killAll,
  runDir,
  startApiProcess,
  startEmulatorProcess,
} from "../src/processes.ts";
import { SuiteReport } from "../src/results.ts";

const report = new SuiteReport(
  "secrets",
  "Secrets in output and data files",
  "The whole flow (registration, email proof, sign-in, calls, rename, password reset and change, " +
    "sign-out, deletion, and their failures) with the API at LOG_LEVEL=debug on PGlite and the " +
    "local Cognito on a data directory; then every process's output and every data file is " +
    "searched for each password, token (whole and by segment) and code used.",
);

let dir: string;
let emulator: EmulatorProcess;
let api: ApiProcess;

const secrets = new Map<string, "password" | "token" | "code">();
const password = (value: string) => {
  secrets.set(value, "password");
  return value;
};
const token = (value: string) => {
  secrets.set(value, "token");
  // A signature or a payload alone is a leak too.
  for (const part of value.split(".")) if (part.length > 16) secrets.set(part, "token");
  return value;
};
const code = (value: string) => {
  secrets.set(value, "code");
  return value;
};

/** The local Cognito's line announcing a code: the one place outside the outbox a code may be. */
const CODE_LINE = /^\[cognito-emulator\] \w+ code for .*: (\d{6})$/;

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true })
    .map((file) => path.join(root, String(file)))
    .filter((file) => statSync(file).isFile());
}

describe("secrets stay out of logs and data files", () => {
  beforeAll(async () => {
    dir = runDir("secrets");
    emulator = await startEmulatorProcess({
      dataDir: path.join(dir, "cognito"),
      logFile: path.join(dir, "logs", "cognito.log"),
    });
    const database = await pgliteDatabase(path.join(dir, "api"));
    api = await startApiProcess({
      env: apiEnv(emulator.url, { ...database.env, LOG_LEVEL: "debug" }),
      logFile: path.join(dir, "logs", "api.log"),
    });
  }, 180_000);

  afterAll(async () => {
    await killAll();
  });

  it("the whole flow, with its failures, at debug level", async () => {
    const email = uniqueEmail("secret");
    // Refused first: a weak password, which must not be echoed in the refusal or the log.
    const weak = await call(api.url, "/accounts", {
      method: "POST",
      body: { name: "Secret", email, password: password("weakpassword") },
    });
    expect(weak.status).toBe(400);
    expect(weak.text).not.toContain("weakpassword");

    const first = password("First-Secret-Passw0rd-1");
    const { account, accessToken } = await createActiveAccount(api.url, emulator.url, {
      email,
      password: first,
    });
    token(accessToken);
    for (const c of (await outbox(emulator.url)).filter((m) => m.username === account.id)) {
      code(c.code);
    }
    const tokens = await signIn(emulator.url, account.id, first);
    token(tokens.AccessToken);
    token(tokens.IdToken);
    token(tokens.RefreshToken);
    expect((await call(api.url, "/me", { token: tokens.AccessToken })).status).toBe(200);
    expect(
      (
        await call(api.url, "/me", {
          method: "PATCH",
          token: tokens.AccessToken,
          body: { name: "Renamed" },
        })
      ).status,
    ).toBe(200);
    // A bad token and a tampered one: refused, and not written down.
    expect((await call(api.url, "/me", { token: token(`${tokens.AccessToken}x`) })).status).toBe(
      401,
    );
    await signIn(emulator.url, account.id, password("Wrong-Passw0rd-9")).catch(() => {});

    // Password reset, as the site's API offers it (or, before it does, as Cognito offers it).
    const resetPassword = password("Reset-Secret-Passw0rd-2");
    const reset = await call(api.url, "/password-reset", { method: "POST", body: { email } });
    if (reset.status === 202) {
      const resetCode = code(await latestCode(emulator.url, account.id));
      const wrong = await call(api.url, "/password-reset/confirm", {
        method: "POST",
        body: {
          email,
          code: code(resetCode === "000000" ? "111111" : "000000"),
          password: resetPassword,
        },
      });
      expect(wrong.status).toBe(400);
      const confirmed = await call(api.url, "/password-reset/confirm", {
        method: "POST",
        body: { email, code: resetCode, password: resetPassword },
      });
      expect(confirmed.status).toBe(204);
    } else {
      await cognito(emulator.url, "ForgotPassword", {
        ClientId: localPool.clientId,
        Username: email,
      });
      const resetCode = code(await latestCode(emulator.url, account.id));
      await cognito(emulator.url, "ConfirmForgotPassword", {
        ClientId: localPool.clientId,
        Username: email,
        ConfirmationCode: resetCode,
        Password: resetPassword,
      });
    }
    const afterReset = await signIn(emulator.url, account.id, resetPassword);
    token(afterReset.AccessToken);
    token(afterReset.RefreshToken);
    token(afterReset.IdToken);

    // Password change through the API when it has the route, else through Cognito.
    const changed = password("Changed-Secret-Passw0rd-3");
    const change = await call(api.url, "/me/password", {
      method: "POST",
      token: afterReset.AccessToken,
      body: { currentPassword: resetPassword, newPassword: changed },
    });
    if (change.status !== 204) {
      await cognito(emulator.url, "ChangePassword", {
        AccessToken: afterReset.AccessToken,
        PreviousPassword: resetPassword,
        ProposedPassword: changed,
      });
    }
    const last = await signIn(emulator.url, account.id, changed);
    token(last.AccessToken);
    token(last.RefreshToken);
    token(last.IdToken);
    // A refresh, as the site does it.
    const refreshed = await cognitoCall(emulator.url, "InitiateAuth", {
      ClientId: localPool.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: last.RefreshToken },
    });
    const refreshedAccess = (refreshed.body.AuthenticationResult as { AccessToken?: string })
      ?.AccessToken;
    if (refreshedAccess) token(refreshedAccess);
    expect(
      (await call(api.url, "/me/sign-out", { method: "POST", token: last.AccessToken })).status,
    ).toBe(204);

    // A second account, deleted at the end.
    const second = await createActiveAccount(api.url, emulator.url, {
      email: uniqueEmail("secret2"),
      password: password("Second-Secret-Passw0rd-4"),
    });
    token(second.accessToken);
    for (const c of (await outbox(emulator.url)).filter((m) => m.username === second.account.id)) {
      code(c.code);
    }
    expect(
      (await call(api.url, "/me", { method: "DELETE", token: second.accessToken })).status,
    ).toBe(204);
    // An unverified registration and a wrong code for it, where accounts start unverified.
    const pending = await call(api.url, "/accounts", {
      method: "POST",
      body: {
        name: "Pending",
        email: uniqueEmail("secret3"),
        password: password("Third-Secret-Passw0rd-5"),
      },
    });
    const pendingAccount = pending.body as unknown as Account;
    if (pendingAccount.status === "unverified") {
      const pendingTokens = await signIn(
        emulator.url,
        pendingAccount.id,
        "Third-Secret-Passw0rd-5",
      );
      token(pendingTokens.AccessToken);
      const right = code(await latestCode(emulator.url, pendingAccount.id));
      await call(api.url, "/me/email-verification", {
        method: "POST",
        token: pendingTokens.AccessToken,
        body: { code: code(right === "999999" ? "888888" : "999999") },
      });
      await verifyEmail(api.url, emulator.url, pendingAccount, pendingTokens.AccessToken);
    }
  });

  it("none of them is in any process's output or data file, codes only in the code log line", async () => {
    // Stopped first, so everything they buffer is written.
    await api.stop();
    await emulator.stop();
    const files = filesUnder(dir).filter((file) => !file.endsWith("seed.json"));
    const leaks: string[] = [];
    let bytes = 0;
    for (const file of files) {
      const text = readFileSync(file, "latin1");
      bytes += text.length;
      const relative = path.relative(dir, file);
      const isEmulatorLog = relative === path.join("logs", "cognito.log");
      for (const [secret, kind] of secrets) {
        if (!text.includes(secret)) continue;
        // A code is six digits: inside a longer number (a setting, a page of a database file) it
        // is that number, not the code.
        if (kind === "code" && !new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text)) continue;
        if (kind === "code" && isEmulatorLog) {
          // Allowed only on the line that announces it.
          const elsewhere = text
            .split("\n")
            .filter((line) => line.includes(secret) && CODE_LINE.exec(line)?.[1] !== secret);
          if (elsewhere.length === 0) continue;
        }
        leaks.push(`${kind} in ${relative}`);
      }
    }
    const kinds = [...secrets.values()];
    report.figure("passwords used", kinds.filter((k) => k === "password").length);
    report.figure("tokens and token segments used", kinds.filter((k) => k === "token").length);
    report.figure("codes used (right and wrong)", kinds.filter((k) => k === "code").length);
    report.figure("files searched (output of each process, data files)", files.length);
    report.figure("bytes searched", bytes);
    report.figure(
      "API log lines (debug level)",
      readFileSync(path.join(dir, "logs", "api.log"), "utf8").split("\n").length,
    );
    report.figure("secrets found outside the outbox and the code log line", leaks.length);
    const areas = new Map<string, { files: number; bytes: number }>();
    for (const file of files) {
      const relative = path.relative(dir, file);
      const area = relative.startsWith("logs")
        ? relative
        : relative.startsWith("cognito")
          ? "the local Cognito's data directory"
          : "the API's PGlite data directory";
      const seen = areas.get(area) ?? { files: 0, bytes: 0 };
      seen.files++;
      seen.bytes += statSync(file).size;
      areas.set(area, seen);
    }
    report.table({
      title: "What was searched",
      columns: ["where", "files", "bytes"],
      rows: [...areas].map(([area, seen]) => [area, seen.files, seen.bytes]),
    });
    expect(kinds.filter((k) => k === "code").length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});
