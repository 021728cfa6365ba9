// Property-based fuzzing (fast-check) of the API's account routes and of every operation the local
// Cognito supports, each against its real process: never a 5xx, never a crash, every refusal a
// problem response (API) or a Cognito error (emulator), and afterwards no account in one store
// only.
import { readFileSync } from "node:fs";
import path from "node:path";
import { localPool } from "@gatehouse/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, call, createActiveAccount, isProblem, uniqueEmail } from "../src/api.ts";
import { cognitoCall, signIn } from "../src/cognito.ts";
import { compareStores } from "../src/consistency.ts";
import { type Database, postgresAvailable, postgresDatabase } from "../src/databases.ts";
import {
  type ApiProcess,
  apiEnv,
  type EmulatorProcess,
  killAll,
  ROOT,
  runDir,
  startApiProcess,
  startEmulatorProcess,
} from "../src/processes.ts";
import { SuiteReport, scale } from "../src/results.ts";

const report = new SuiteReport(
  "fuzz",
  "Fuzzing the routes and the local Cognito",
  "fast-check generates bodies, headers and values (valid, nearly valid, wrong types, control " +
    "characters, long and odd Unicode strings, extra fields) for the API's account routes on " +
    "PostgreSQL and for every operation the local Cognito's README marks as supported.",
);

const postgresUp = await postgresAvailable();
const RUNS = scale(60, 600);
const OPERATION_RUNS = scale(12, 120);
const PASSWORD = "Fuzzing-Passw0rd-1";

let dir: string;
let emulator: EmulatorProcess;
let opsEmulator: EmulatorProcess;
let database: Database;
let api: ApiProcess;
const statuses = new Map<string, Map<number, number>>();
const record = (route: string, status: number) => {
  const map = statuses.get(route) ?? new Map<number, number>();
  map.set(status, (map.get(status) ?? 0) + 1);
  statuses.set(route, map);
};

// --- values
const oddStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\u202e",
    "a\u0000b",
    "%00",
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "$" + "{jndi:ldap://x}",
    "__proto__",
    "constructor",
    "🙂".repeat(60),
    "x".repeat(300),
    "x".repeat(20_000),
  ),
);
const anyValue = fc.oneof(
  oddStrings,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
const email = fc.oneof(
  fc.emailAddress(),
  fc.constant("").map(() => uniqueEmail("fuzz")),
  oddStrings.map((s) => `${s}@example.com`),
  oddStrings,
);
const password = fc.oneof(
  fc.constant(PASSWORD),
  fc.string({ minLength: 0, maxLength: 300 }),
  oddStrings,
  fc.constant("Aa1!").map((p) => p.repeat(70)),
);
const name = fc.oneof(fc.constant("Fuzz"), oddStrings);
/** A body that is sometimes right, often nearly right, and sometimes nothing like it. */
const bodyOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    fc.record(fields, { requiredKeys: [] }),
    fc
      .tuple(
        fc.record(fields),
        fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 2 }),
      )
      .map(([a, b]) => ({ ...b, ...a, ...b })),
    fc.record(Object.fromEntries(Object.keys(fields).map((k) => [k, anyValue]))),
    anyValue,
  );
/** The raw request body: JSON of the value, or text that is not JSON, under a content type. */
const rawBody = (value: fc.Arbitrary<unknown>) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: value.map((v) => ({
        text: JSON.stringify(v) ?? "null",
        type: "application/json",
      })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        text: oddStrings,
        type: fc.constantFrom(
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/json; charset=utf-16",
          "multipart/form-data; boundary=x",
        ),
      }),
    },
  );

function expectWellRefused(route: string, answer: Answer) {
  record(route, answer.status);
  expect(answer.status, `${route} answered ${answer.status}: ${answer.text}`).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(isProblem(answer), `${route} ${answer.status} is not a problem: ${answer.text}`).toBe(
      true,
    );
  }
}

/** Every operation in the local Cognito README's table marked ✅. */
function supportedOperations(): string[] {
  const readme = readFileSync(path.join(ROOT, "packages/cognito-emulator/README.md"), "utf8");
  const names = new Set<string>();
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells[2] !== "✅") continue;
    for (const name of (cells[1] ?? "").split(",")) {
      const trimmed = name.trim();
      if (/^[A-Z][A-Za-z]+$/.test(trimmed)) names.add(trimmed);
    }
  }
  return [...names].sort();
}

describe.runIf(postgresUp)("fuzzing", () => {
  let token: string;
  let tokenPassword: string;
  let accountEmail: string;

  beforeAll(async () => {
    dir = runDir("fuzz");
    [emulator, opsEmulator, database] = await Promise.all([
      startEmulatorProcess({ dataDir: null, logFile: path.join(dir, "cognito.log") }),
      startEmulatorProcess({
        dataDir: path.join(dir, "cognito-ops"),
        logFile: path.join(dir, "cognito-ops.log"),
      }),
      postgresDatabase(),
    ]);
    api = await startApiProcess({
      env: apiEnv(emulator.url, database.env),
      logFile: path.join(dir, "api.log"),
    });
    accountEmail = uniqueEmail("fuzzed");
    tokenPassword = PASSWORD;
    token = (
      await createActiveAccount(api.url, emulator.url, { email: accountEmail, password: PASSWORD })
    ).accessToken;
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await database?.drop();
  });

  it(`POST /accounts: ${RUNS} generated requests, no 5xx, every refusal a problem`, async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(bodyOf({ name, email, password })), async (body) => {
        const answer = await call(api.url, "/accounts", {
          method: "POST",
          body: body.text,
          headers: { "content-type": body.type },
        });
        expectWellRefused("POST /accounts", answer);
      }),
      { numRuns: RUNS },
    );
  });

  it(`PATCH /me: ${RUNS} generated requests, no 5xx, every refusal a problem`, async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(bodyOf({ name })), async (body) => {
        const answer = await call(api.url, "/me", {
          method: "PATCH",
          token,
          body: body.text,
          headers: { "content-type": body.type },
        });
        expectWellRefused("PATCH /me", answer);
      }),
      { numRuns: RUNS },
    );
  });

  it(`the verification and password routes: ${RUNS} generated requests each, no 5xx`, async () => {
    const code = fc.oneof(
      fc.stringMatching(/^\d{6}$/),
      fc.constantFrom("000000", "123456", "", " 123456"),
      anyValue,
    );
    const routes: [string, string, fc.Arbitrary<unknown>, boolean][] = [
      ["POST", "/me/email-verification", bodyOf({ code }), true],
      [
        "POST",
        "/password-reset",
        bodyOf({ email: fc.oneof(email, fc.constant(accountEmail)) }),
        false,
      ],
      [
        "POST",
        "/password-reset/confirm",
        bodyOf({ email: fc.oneof(email, fc.constant(accountEmail)), code, password }),
        false,
      ],
      ["POST", "/me/password", bodyOf({ currentPassword: password, newPassword: password }), true],
    ];
    for (const [method, route, body, authenticated] of routes) {
      await fc.assert(
        fc.asyncProperty(rawBody(body), async (raw) => {
          const answer = await call(api.url, route, {
            method,
            ...(authenticated ? { token } : {}),
            body: raw.text,
            headers: { "content-type": raw.type },
          });
          expectWellRefused(`${method} ${route}`, answer);
          // A password the fuzzer happened to get accepted: later requests need a fresh token.
          if (route === "/me/password" && answer.status === 204) {
            tokenPassword = String((JSON.parse(raw.text) as { newPassword: string }).newPassword);
          }
          if (answer.status === 401 && authenticated) {
            const account = await compareStores(database.url as string, emulator.url);
            const mine = account.rows.find((r) => r.email === accountEmail);
            if (mine) token = (await signIn(emulator.url, mine.id, tokenPassword)).AccessToken;
          }
        }),
        { numRuns: RUNS },
      );
    }
  });

  it("no account is in one store only, and the API still answers", async () => {
    const stores = await compareStores(database.url as string, emulator.url);
    report.figure("generated requests per API route", RUNS);
    report.table({
      title: "API answers by route",
      columns: ["route", "answers"],
      rows: [...statuses]
        .filter(([route]) => !route.startsWith("op "))
        .map(([route, map]) => [
          route,
          [...map]
            .sort(([a], [b]) => a - b)
            .map(([s, n]) => `${n}× ${s}`)
            .join(", "),
        ]),
    });
    report.figure("accounts created by the fuzzer", stores.wholeActive.length - 1);
    report.figure("accounts in one store only", stores.rowOnly.length + stores.userOnly.length);
    report.figure("rows left pending", stores.byStatus.pending ?? 0);
    expect(stores.rowOnly).toEqual([]);
    expect(stores.userOnly).toEqual([]);
    expect(stores.byStatus.pending ?? 0).toBe(0);
    expect((await call(api.url, "/healthz")).status).toBe(200);
    expect(api.child.exitCode).toBeNull();
  });

  it(`every supported local Cognito operation: ${OPERATION_RUNS} generated calls each, no 5xx, no crash`, async () => {
    const operations = supportedOperations();
    expect(operations.length).toBeGreaterThan(30);
    const pool = localPool.userPoolId;
    const client = localPool.clientId;
    // Something for the generated calls to find: a user with a password, a group.
    await cognitoCall(opsEmulator.url, "AdminCreateUser", {
      UserPoolId: pool,
      Username: "fuzz-user",
      TemporaryPassword: PASSWORD,
      MessageAction: "SUPPRESS",
      UserAttributes: [{ Name: "email", Value: "fuzz-user@example.com" }],
    });
    await cognitoCall(opsEmulator.url, "CreateGroup", { UserPoolId: pool, GroupName: "fuzzers" });
    const tokens = await cognitoCall(opsEmulator.url, "AdminSetUserPassword", {
      UserPoolId: pool,
      Username: "fuzz-user",
      Password: PASSWORD,
      Permanent: true,
    }).then(() => signIn(opsEmulator.url, "fuzz-user", PASSWORD));
    const biased = <T>(known: T[]) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...known) },
        { weight: 1, arbitrary: anyValue },
      );
    const attributes = fc.array(
      fc.record({
        Name: biased(["email", "name", "email_verified", "sub", "phone_number", "custom:x"]),
        Value: biased(["fuzz@example.com", "true", "+15555550100", "x"]),
      }),
      { maxLength: 3 },
    );
    const fields = {
      // Deleting the one pool would leave nothing to fuzz: DeleteUserPool gets made-up ids only.
      UserPoolId: biased([pool, "us-east-1_nosuchpool", "bad"]),
      ClientId: biased([client, "nosuchclient0000000000000"]),
      Username: biased(["fuzz-user", "fuzz-user@example.com", "nobody", ""]),
      Password: password,
      TemporaryPassword: password,
      ProposedPassword: password,
      PreviousPassword: password,
      Permanent: anyValue,
      MessageAction: biased(["SUPPRESS", "RESEND", "NOPE"]),
      UserAttributes: fc.oneof(attributes, anyValue),
      UserAttributeNames: fc.oneof(fc.array(biased(["name", "email", "sub"])), anyValue),
      AuthFlow: biased([
        "ADMIN_USER_PASSWORD_AUTH",
        "USER_PASSWORD_AUTH",
        "USER_SRP_AUTH",
        "REFRESH_TOKEN_AUTH",
        "CUSTOM_AUTH",
      ]),
      AuthParameters: fc.oneof(
        fc.record(
          {
            USERNAME: biased(["fuzz-user", "nobody"]),
            PASSWORD: password,
            SRP_A: biased(["0", "1", "ff".repeat(384)]),
            REFRESH_TOKEN: biased([tokens.RefreshToken, "x"]),
          },
          { requiredKeys: [] },
        ),
        anyValue,
      ),
      ChallengeName: biased(["NEW_PASSWORD_REQUIRED", "PASSWORD_VERIFIER", "SMS_MFA"]),
      ChallengeResponses: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 12 }), oddStrings),
        anyValue,
      ),
      Session: anyValue,
      AccessToken: biased([tokens.AccessToken, tokens.IdToken, "x.y.z"]),
      Token: biased([tokens.RefreshToken, "x"]),
      ConfirmationCode: biased(["123456", ""]),
      Code: biased(["123456"]),
      AttributeName: biased(["email", "phone_number"]),
      GroupName: biased(["fuzzers", "nogroup"]),
      Description: anyValue,
      Precedence: anyValue,
      Filter: biased(['email = "fuzz-user@example.com"', 'username ^= "f"', "nonsense", 'x = "']),
      Limit: anyValue,
      MaxResults: anyValue,
      PaginationToken: anyValue,
      NextToken: anyValue,
      AttributesToGet: anyValue,
      PoolName: oddStrings,
      ClientName: oddStrings,
      ExplicitAuthFlows: fc.oneof(
        fc.array(biased(["ALLOW_USER_SRP_AUTH", "ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])),
        anyValue,
      ),
      GenerateSecret: anyValue,
      Policies: anyValue,
      AliasAttributes: anyValue,
      UsernameAttributes: anyValue,
      Schema: anyValue,
      ClientMetadata: anyValue,
      SecretHash: anyValue,
    };
    const operationStatuses = new Map<string, Map<number, number>>();
    for (const operation of operations) {
      const input =
        operation === "DeleteUserPool"
          ? fc.record({ UserPoolId: fc.oneof(oddStrings, fc.constant("us-east-1_nosuchpool")) })
          : bodyOf(fields);
      await fc.assert(
        fc.asyncProperty(rawBody(input), async (raw) => {
          const answer = await cognitoCall(opsEmulator.url, operation, null, raw.text);
          const seen = operationStatuses.get(operation) ?? new Map<number, number>();
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          operationStatuses.set(operation, seen);
          expect(answer.status, `${operation}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
          if (answer.status !== 200) {
            expect(typeof answer.body.__type, `${operation}: ${JSON.stringify(answer.body)}`).toBe(
              "string",
            );
          }
        }),
        { numRuns: OPERATION_RUNS },
      );
    }
    const health = await fetch(`${opsEmulator.url}/health`);
    expect(health.status).toBe(200);
    expect(opsEmulator.child.exitCode).toBeNull();
    // The journal it wrote opens again.
    await opsEmulator.kill();
    opsEmulator = await startEmulatorProcess({
      dataDir: path.join(dir, "cognito-ops"),
      logFile: path.join(dir, "cognito-ops-restarted.log"),
    });
    const calls = [...operationStatuses.values()].reduce(
      (sum, map) => sum + [...map.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const accepted = [...operationStatuses.values()].reduce(
      (sum, map) => sum + (map.get(200) ?? 0),
      0,
    );
    report.figure(
      "local Cognito operations fuzzed (all marked supported in its README)",
      operations.length,
    );
    report.figure("generated calls to them", calls);
    report.figure("of which accepted (200)", accepted);
    report.figure("5xx answers from the local Cognito", 0);
    report.figure("its journal reopened after the fuzzing", "yes");
  });
});
