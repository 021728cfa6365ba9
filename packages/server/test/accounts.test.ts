import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ManualClock, type RunningEmulator, startEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSeed } from "../src/local-seed.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
  createAccount,
  createActiveAccount,
  keysReady,
  PASSWORD,
  rowByEmail,
  signIn,
  startLocalCognito,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

let emulator: RunningEmulator;
let api: Api;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startLocalCognito();
  api = await createApi(testConfig(emulator), { inMemoryDatabase: true, logger: silent() });
  cognito = adminClient(emulator);
}, 60_000);

afterAll(async () => {
  await api?.close();
  cognito?.destroy();
  await emulator?.stop();
});

const silent = () => pino({ level: "silent" });

describe("POST /accounts", () => {
  it("creates an unverified account in both stores, sends a code, and never returns the password", async () => {
    const email = uniqueEmail("Create").replace("create", "CrEaTe");
    const response = await createAccount(api.app, email);
    expect(response.statusCode).toBe(201);
    const account = response.json();
    expect(account).toMatchObject({
      name: "Ada Lovelace",
      email: email.toLowerCase(),
      status: "unverified",
    });
    expect(response.body).not.toContain(PASSWORD);
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: account.id }),
    );
    expect(user.UserStatus).toBe("CONFIRMED");
    expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "false" });
    // The code went to the address given.
    const sent = emulator.outbox().filter((m) => m.username === account.id);
    expect(sent.map((m) => [m.reason, m.destination])).toEqual([
      ["VerifyUserAttribute", email.toLowerCase()],
    ]);
    // The email is no sign-in alias until proven: the account id signs in.
    await expect(signIn(cognito, email.toLowerCase())).rejects.toThrow();
    const token = await signIn(cognito, account.id);
    const me = await api.app.inject({ url: "/me", headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(account);
  });

  it("refuses a weak password with one message per broken rule, writing nothing", async () => {
    const email = uniqueEmail("weak");
    const response = await api.app.inject({
      method: "POST",
      url: "/accounts",
      payload: { name: "Weak", email, password: "short" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    const problem = response.json();
    expect(problem.code).toBe("password_policy");
    expect(problem.errors.map((e: { rule: string }) => e.rule).sort()).toEqual(
      ["minimum_length", "number", "uppercase"].sort(),
    );
    expect(await rowByEmail(api.store, email)).toBeNull();
    const users = await cognito.send(
      new ListUsersCommand({ UserPoolId: localPool.userPoolId, Filter: `email = "${email}"` }),
    );
    expect(users.Users).toEqual([]);
  });

  it.each([
    [{ email: "a@example.com", password: PASSWORD }, "name"],
    [{ name: "A", password: PASSWORD }, "email"],
    [{ name: "A", email: "a@example.com" }, "password"],
    [{ name: "A", email: "not-an-email", password: PASSWORD }, "email"],
    [{ name: "x".repeat(101), email: "a@example.com", password: PASSWORD }, "name"],
    [{ name: "   ", email: "a@example.com", password: PASSWORD }, "name"],
    [{ name: 42, email: "a@example.com", password: PASSWORD }, "name"],
    [{ name: "A", email: "a@example.com", password: PASSWORD, admin: true }, "admin"],
    // Control characters would reach the database (which refuses NUL) or Cognito: a 400 first.
    [{ name: "Ada\u0000", email: "a@example.com", password: PASSWORD }, "name"],
    [{ name: "A", email: "a\u0000b@example.com", password: PASSWORD }, "email"],
  ])("names the field a bad body got wrong: %j", async (payload, field) => {
    const response = await api.app.inject({ method: "POST", url: "/accounts", payload });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors[0].field).toBe(field);
  });

  it("refuses a control character in the password as a broken rule", async () => {
    const response = await api.app.inject({
      method: "POST",
      url: "/accounts",
      payload: { name: "Ctl", email: uniqueEmail("ctl"), password: `${PASSWORD}\u0000` },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("password_policy");
    expect(response.json().errors.map((e: { rule: string }) => e.rule)).toEqual(["characters"]);
  });

  it("answers malformed JSON with a 400, not a 500", async () => {
    const response = await api.app.inject({
      method: "POST",
      url: "/accounts",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("validation_failed");
  });

  it("refuses an email an active account holds, in any letter case", async () => {
    const email = uniqueEmail("taken");
    await createActiveAccount(api.app, emulator, cognito, email);
    const again = await createAccount(api.app, email.toUpperCase());
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("email_taken");
  });

  it("with 10 concurrent requests for one unproven email makes 10 registrations, in both stores", async () => {
    const email = uniqueEmail("race");
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => createAccount(api.app, email)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const users = await cognito.send(
      new ListUsersCommand({ UserPoolId: localPool.userPoolId, Filter: `email = "${email}"` }),
    );
    expect(users.Users?.map((u) => u.Username).sort()).toEqual(
      responses.map((r) => r.json().id).sort(),
    );
  });

  it.each([
    ["a zero-width space", "ada\u200b@example.com"],
    ["a right-to-left mark", "ada@exam\u200fple.com"],
    ["a soft hyphen", "ad\u00ada@example.com"],
    ["a tab", "ada\t@example.com"],
  ])("refuses an email with %s, naming the field", async (_label, email) => {
    const response = await createAccount(api.app, email);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("validation_failed");
    expect(response.json().errors[0].field).toBe("email");
  });

  it("reads an email in Unicode NFC: a combining accent and the composed letter are one address", async () => {
    const composed = `andr\u00e9-${uniqueEmail("nfc")}`;
    const combining = composed.replace("\u00e9", "e\u0301");
    expect(combining).not.toBe(composed);
    await createActiveAccount(api.app, emulator, cognito, combining);
    expect((await api.store.findActiveByEmail(composed))?.email).toBe(composed);
    const again = await createAccount(api.app, composed.toUpperCase());
    expect(again.statusCode).toBe(409);
  });
});

describe("authentication", () => {
  let token: string;
  let email: string;
  beforeAll(async () => {
    email = uniqueEmail("auth");
    ({ token } = await createActiveAccount(api.app, emulator, cognito, email));
  });

  it("accepts the Bearer scheme in any letter case", async () => {
    const response = await api.app.inject({
      url: "/me",
      headers: { authorization: `bEaReR ${token}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it("refuses a token that shares a remembered token's signature but not its claims", async () => {
    // The verified-token cache finds a token by its signature's tail: a hit must still be the
    // whole token, or a payload edited under a kept signature would pass as the original.
    expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const edited = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString(
      "base64url",
    );
    for (const forged of [`${header}.${edited}.${signature}`, `x${token}`]) {
      const response = await api.app.inject({ url: "/me", headers: bearer(forged) });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe("unauthorized");
    }
    expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
  });

  it.each([
    ["no header", undefined],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["garbage", "Bearer not.a.token"],
    ["an oversized token", `Bearer ${"a".repeat(9000)}`],
  ])("refuses %s with 401 and WWW-Authenticate", async (_label, header) => {
    const response = await api.app.inject({
      url: "/me",
      headers: header === undefined ? {} : { authorization: header },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    expect(response.json().code).toBe("unauthorized");
  });

  it("refuses two Authorization headers, or two values in one, with 400 naming the header", async () => {
    for (const authorization of [
      [`Bearer ${token}`, "Bearer not.a.token"],
      ["Bearer not.a.token", `Bearer ${token}`],
      `Bearer ${token}, Bearer not.a.token`,
    ]) {
      // Light-my-request sends an array as repeated headers, as Node receives them.
      const headers = { authorization } as unknown as Record<string, string>;
      const response = await api.app.inject({ url: "/me", headers });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: "validation_failed",
        errors: [{ field: "authorization" }],
      });
    }
  });

  it("refuses a token whose payload was altered", async () => {
    const [head, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    claims.username = "00000000-0000-4000-8000-000000000000";
    const forged = `${head}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const response = await api.app.inject({ url: "/me", headers: bearer(forged) });
    expect(response.statusCode).toBe(401);
  });

  it("refuses an ID token where an access token is required", async () => {
    const { AdminInitiateAuthCommand } = await import("@aws-sdk/client-cognito-identity-provider");
    const result = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: localPool.userPoolId,
        ClientId: localPool.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );
    const idToken = result.AuthenticationResult?.IdToken ?? "";
    const response = await api.app.inject({ url: "/me", headers: bearer(idToken) });
    expect(response.statusCode).toBe(401);
  });

  it("refuses a token signed by another pool's key", async () => {
    const other = await startEmulator({ inMemory: true, log: null, seed: localSeed() });
    await keysReady(other);
    try {
      await (await import("../src/cognito/identity.ts"))
        .cognitoIdentity({
          client: adminClient(other),
          userPoolId: localPool.userPoolId,
          clientId: localPool.clientId,
          passwordSetup: "set-password",
        })
        .createUser("11111111-1111-4111-8111-111111111111", "other@example.com");
      const { AdminSetUserPasswordCommand } = await import(
        "@aws-sdk/client-cognito-identity-provider"
      );
      const otherClient = adminClient(other);
      await otherClient.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: localPool.userPoolId,
          Username: "11111111-1111-4111-8111-111111111111",
          Password: PASSWORD,
          Permanent: true,
        }),
      );
      const foreign = await signIn(otherClient, "11111111-1111-4111-8111-111111111111");
      otherClient.destroy();
      const response = await api.app.inject({ url: "/me", headers: bearer(foreign) });
      expect(response.statusCode).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it("refuses an expired token", async () => {
    const clock = new ManualClock(Date.now() - 2 * 3600_000);
    const past = await startEmulator({ inMemory: true, log: null, seed: localSeed(), clock });
    try {
      const pastApi = await createApi(testConfig(past), {
        inMemoryDatabase: false,
        store: api.store,
        logger: silent(),
      });
      const pastCognito = adminClient(past);
      const created = await createAccount(pastApi.app, uniqueEmail("expired"));
      expect(created.statusCode).toBe(201);
      const old = await signIn(pastCognito, created.json().id);
      const response = await pastApi.app.inject({ url: "/me", headers: bearer(old) });
      expect(response.statusCode).toBe(401);
      pastCognito.destroy();
      await pastApi.close();
    } finally {
      await past.stop();
    }
  });
});

describe("the signed-in account", () => {
  it("renames the account", async () => {
    const email = uniqueEmail("rename");
    const { token } = await createActiveAccount(api.app, emulator, cognito, email);
    const patched = await api.app.inject({
      method: "PATCH",
      url: "/me",
      headers: bearer(token),
      payload: { name: "  Grace   Hopper " },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().name).toBe("Grace Hopper");
    expect((await api.app.inject({ url: "/me", headers: bearer(token) })).json().name).toBe(
      "Grace Hopper",
    );
    const bad = await api.app.inject({
      method: "PATCH",
      url: "/me",
      headers: bearer(token),
      payload: { name: "" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("name");
  });

  it("signs out: old tokens are refused at once, a new sign-in works", async () => {
    const email = uniqueEmail("signout");
    const { token } = await createActiveAccount(api.app, emulator, cognito, email);
    expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
    const out = await api.app.inject({
      method: "POST",
      url: "/me/sign-out",
      headers: bearer(token),
    });
    expect(out.statusCode).toBe(204);
    expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(401);
    const fresh = await signIn(cognito, email);
    expect((await api.app.inject({ url: "/me", headers: bearer(fresh) })).statusCode).toBe(200);
  });

  it("deletes the account from both stores; the email can be used again", async () => {
    const email = uniqueEmail("delete");
    const { account: created, token } = await createActiveAccount(
      api.app,
      emulator,
      cognito,
      email,
    );
    const deleted = await api.app.inject({ method: "DELETE", url: "/me", headers: bearer(token) });
    expect(deleted.statusCode).toBe(204);
    expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(401);
    expect(await api.store.findById(created.id)).toBeNull();
    await expect(
      cognito.send(
        new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: created.id }),
      ),
    ).rejects.toMatchObject({ name: "UserNotFoundException" });
    expect((await createAccount(api.app, email)).statusCode).toBe(201);
  });
});

describe("operations", () => {
  it("reports liveness and readiness", async () => {
    expect((await api.app.inject({ url: "/healthz" })).statusCode).toBe(200);
    const ready = await api.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok", database: "ok", identity: "ok" });
  });

  it("serves an OpenAPI document naming every route", async () => {
    const doc = (await api.app.inject({ url: "/openapi.json" })).json();
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/accounts",
      "/me",
      "/me/email-verification",
      "/me/password",
      "/me/sign-out",
      "/password-reset",
      "/password-reset/confirm",
    ]);
    expect(Object.keys(doc.paths["/me"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.paths["/me"].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths["/accounts"].post.security).toBeUndefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("answers an unknown route with a problem, and CORS only for the configured origin", async () => {
    const missing = await api.app.inject({ url: "/nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("not_found");
    const allowed = await api.app.inject({
      method: "OPTIONS",
      url: "/me",
      headers: { origin: "http://localhost:8080", "access-control-request-method": "GET" },
    });
    expect(allowed.headers["access-control-allow-origin"]).toBe("http://localhost:8080");
    const foreign = await api.app.inject({
      method: "OPTIONS",
      url: "/me",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("PASSWORD_SETUP=challenge", () => {
  it("creates accounts through the NEW_PASSWORD_REQUIRED challenge", async () => {
    const challengeApi = await createApi(testConfig(emulator, { PASSWORD_SETUP: "challenge" }), {
      store: api.store,
      logger: silent(),
    });
    try {
      const email = uniqueEmail("challenge");
      const response = await createAccount(challengeApi.app, email);
      expect(response.statusCode).toBe(201);
      const token = await signIn(cognito, response.json().id);
      expect(
        (await challengeApi.app.inject({ url: "/me", headers: bearer(token) })).statusCode,
      ).toBe(200);
    } finally {
      await challengeApi.close();
    }
  });
});
