// Accounts only their owner can hold, on both databases: the email proven before the account is
// active (first to prove it owns it, the others removed with their sessions), and every change of
// credentials ending every earlier session at Cognito and at this API.
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
  createAccount,
  createActiveAccount,
  latestCode,
  PASSWORD,
  postgresAvailable,
  startLocalCognito,
  TEST_DATABASE_URL,
  testConfig,
  uniqueEmail,
  withSchema,
} from "./helpers.ts";

const postgres = await postgresAvailable();
const NEW_PASSWORD = "Brand-new-Passw0rd";

const databases: {
  name: string;
  enabled: boolean;
  open(): Promise<{ store: AccountStore; close(): Promise<void> }>;
}[] = [
  {
    name: "PGlite",
    enabled: true,
    async open() {
      const store = await openAccountStore({ inMemory: true });
      return { store, close: () => store.close() };
    },
  },
  {
    name: "PostgreSQL",
    enabled: postgres,
    async open() {
      const schema = await withSchema();
      const store = await openAccountStore({
        databaseUrl: TEST_DATABASE_URL,
        schema: schema.schema,
        poolSize: 4,
      });
      return {
        store,
        async close() {
          await store.close();
          await schema.drop();
        },
      };
    },
  },
];

/** Signs in with a password, returning both tokens (as the site holds them). */
async function signInTokens(
  cognito: CognitoIdentityProviderClient,
  login: string,
  password = PASSWORD,
) {
  const { AuthenticationResult: tokens } = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: localPool.userPoolId,
      ClientId: localPool.clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: login, PASSWORD: password },
    }),
  );
  if (!tokens?.AccessToken || !tokens.RefreshToken) throw new Error("no tokens");
  return { access: tokens.AccessToken, refresh: tokens.RefreshToken };
}

describe.each(databases)("on $name", ({ enabled, open }) => {
  let emulator: RunningEmulator;
  let cognito: CognitoIdentityProviderClient;
  let api: Api;
  let db: Awaited<ReturnType<(typeof databases)[number]["open"]>>;

  beforeAll(async () => {
    if (!enabled) return;
    emulator = await startLocalCognito();
    cognito = adminClient(emulator);
    db = await open();
    api = await createApi(testConfig(emulator), {
      store: db.store,
      logger: pino({ level: "silent" }),
    });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await db?.close();
    cognito?.destroy();
    await emulator?.stop();
  });

  const inject = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    token?: string,
    payload?: object,
  ) =>
    api.app.inject({
      method,
      url,
      ...(token ? { headers: bearer(token) } : {}),
      ...(payload ? { payload } : {}),
    });
  const verify = (token: string, code?: string) =>
    inject("POST", "/me/email-verification", token, code === undefined ? {} : { code });

  /** A new registration and a token of it (signed in with the account id). */
  async function register(email = uniqueEmail("owner"), password = PASSWORD) {
    const created = await createAccount(api.app, email);
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const { access, refresh } = await signInTokens(cognito, id, password);
    return { id, email, token: access, refresh };
  }

  describe("proving the email", () => {
    it.skipIf(!enabled)(
      "an unverified account may read itself, sign out, verify, delete; nothing else",
      async () => {
        const { token } = await register();
        const me = await inject("GET", "/me", token);
        expect(me.statusCode).toBe(200);
        expect(me.json().status).toBe("unverified");
        for (const [method, url, body] of [
          ["PATCH", "/me", { name: "Renamed" }],
          ["POST", "/me/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }],
        ] as const) {
          const refused = await inject(method, url, token, body);
          expect(refused.statusCode).toBe(403);
          expect(refused.json().code).toBe("email_unverified");
        }
        expect((await inject("POST", "/me/sign-out", token)).statusCode).toBe(204);
        expect((await inject("GET", "/me", token)).statusCode).toBe(401);
      },
    );

    it.skipIf(!enabled)(
      "the right code makes the account active, and the email signs in from then on",
      async () => {
        const { id, email, token } = await register();
        await expect(signInTokens(cognito, email)).rejects.toThrow();
        const verified = await verify(token, latestCode(emulator, id));
        expect(verified.statusCode).toBe(200);
        expect(verified.json()).toMatchObject({ id, email, status: "active" });
        expect((await inject("GET", "/me", token)).json().status).toBe("active");
        const byEmail = await signInTokens(cognito, email);
        expect((await inject("PATCH", "/me", byEmail.access, { name: "Proven" })).statusCode).toBe(
          200,
        );
        // Asked again once active: the account, nothing sent.
        const sentBefore = emulator.outbox().length;
        expect((await verify(token)).json().status).toBe("active");
        expect((await verify(token, "000000")).json().status).toBe("active");
        expect(emulator.outbox().length).toBe(sentBefore);
      },
    );

    it.skipIf(!enabled)("{} sends a new code (202) and only the newest code works", async () => {
      const { id, token } = await register();
      const first = latestCode(emulator, id);
      const again = await verify(token);
      expect(again.statusCode).toBe(202);
      expect(again.body).toBe("");
      const second = latestCode(emulator, id);
      expect(emulator.outbox().filter((m) => m.username === id)).toHaveLength(2);
      if (first !== second) {
        const stale = await verify(token, first);
        expect(stale.statusCode).toBe(400);
        expect(stale.json().code).toBe("code_mismatch");
      }
      expect((await verify(token, second)).statusCode).toBe(200);
    });

    it.skipIf(!enabled)(
      "a wrong code is 400 code_mismatch naming the field; too many are 429",
      async () => {
        const { id, token } = await register();
        const right = latestCode(emulator, id);
        const wrong = right === "111111" ? "222222" : "111111";
        const first = await verify(token, wrong);
        expect(first.statusCode).toBe(400);
        expect(first.json()).toMatchObject({ code: "code_mismatch", errors: [{ field: "code" }] });
        let last = first;
        for (let i = 0; i < 6 && last.statusCode !== 429; i++) last = await verify(token, wrong);
        expect(last.statusCode).toBe(429);
        expect(last.json().code).toBe("too_many_attempts");
        // Still unverified, and the right code no longer helps until a new one is sent.
        expect((await inject("GET", "/me", token)).json().status).toBe("unverified");
      },
    );

    it.skipIf(!enabled)("a malformed code is refused before Cognito sees it", async () => {
      const { token } = await register();
      for (const code of ["", "12 34", "x".repeat(65)]) {
        const response = await verify(token, code);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: "validation_failed" });
        expect(response.json().errors[0].field).toBe("code");
      }
      expect(
        (await inject("POST", "/me/email-verification", token, { code: "1", x: 1 })).statusCode,
      ).toBe(400);
    });

    it.skipIf(!enabled)("an expired code is 400 code_expired", async () => {
      const { id, token } = await register();
      const code = latestCode(emulator, id);
      // Cognito's codes for an attribute last 24 hours.
      const wrapped = await createApi(testConfig(emulator), {
        store: db.store,
        logger: pino({ level: "silent" }),
        wrapIdentity: (base) => ({
          ...base,
          verifyEmail: () =>
            Promise.reject(
              Object.assign(new Error("Invalid code provided, please request a code again."), {
                name: "ExpiredCodeException",
              }),
            ),
        }),
      });
      try {
        const response = await wrapped.app.inject({
          method: "POST",
          url: "/me/email-verification",
          headers: bearer(token),
          payload: { code },
        });
        expect(response.statusCode).toBe(400);
        expect(response.json().code).toBe("code_expired");
      } finally {
        await wrapped.close();
      }
    });

    it.skipIf(!enabled)(
      "the pre-registration attack: the owner proves the email, the other registration is gone with its sessions",
      async () => {
        const email = uniqueEmail("contested");
        const attacker = await register(email, PASSWORD);
        const owner = await register(email, PASSWORD);
        // The attacker cannot prove an address they do not read; the owner can.
        const verified = await verify(owner.token, latestCode(emulator, owner.id));
        expect(verified.statusCode).toBe(200);
        // The attacker's registration is gone from both stores, its tokens dead everywhere.
        expect(await db.store.findById(attacker.id)).toBeNull();
        await expect(
          cognito.send(
            new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: attacker.id }),
          ),
        ).rejects.toMatchObject({ name: "UserNotFoundException" });
        expect((await inject("GET", "/me", attacker.token)).statusCode).toBe(401);
        await expect(
          cognito.send(
            new InitiateAuthCommand({
              ClientId: localPool.clientId,
              AuthFlow: "REFRESH_TOKEN_AUTH",
              AuthParameters: { REFRESH_TOKEN: attacker.refresh },
            }),
          ),
        ).rejects.toThrow();
        // The email signs the owner in; a new registration of it is refused.
        const byEmail = await signInTokens(cognito, email);
        expect((await inject("GET", "/me", byEmail.access)).json().id).toBe(owner.id);
        expect((await createAccount(api.app, email)).statusCode).toBe(409);
      },
    );

    it.skipIf(!enabled)(
      "a registration made after the email was proven cannot take it: 409, and it is removed",
      async () => {
        const email = uniqueEmail("late");
        const early = await register(email);
        const late = await register(email);
        expect((await verify(early.token, latestCode(emulator, early.id))).statusCode).toBe(200);
        // The late one was removed as the owner verified; its token is dead.
        expect((await verify(late.token, latestCode(emulator, late.id))).statusCode).toBe(401);
        expect(await db.store.findById(late.id)).toBeNull();
      },
    );

    it.skipIf(!enabled)(
      "two registrations proving one email at once: exactly one wins, the other gets 409 or 401 and is gone",
      async () => {
        const email = uniqueEmail("both");
        const one = await register(email);
        const two = await register(email);
        const [a, b] = await Promise.all([
          verify(one.token, latestCode(emulator, one.id)),
          verify(two.token, latestCode(emulator, two.id)),
        ]);
        const statuses = [a.statusCode, b.statusCode].sort();
        expect(statuses[0]).toBe(200);
        expect([401, 409]).toContain(statuses[1]);
        const winner = a.statusCode === 200 ? one : two;
        const loser = winner === one ? two : one;
        expect((await db.store.findActiveByEmail(email))?.id).toBe(winner.id);
        expect(await db.store.findById(loser.id)).toBeNull();
        await expect(
          cognito.send(
            new AdminGetUserCommand({ UserPoolId: localPool.userPoolId, Username: loser.id }),
          ),
        ).rejects.toMatchObject({ name: "UserNotFoundException" });
        // Whatever order Cognito saw, the email signs the winner in.
        const byEmail = await signInTokens(cognito, email);
        expect((await inject("GET", "/me", byEmail.access)).json().id).toBe(winner.id);
      },
    );

    it.skipIf(!enabled)("an unverified account can delete itself", async () => {
      const { id, token } = await register();
      expect((await inject("DELETE", "/me", token)).statusCode).toBe(204);
      expect(await db.store.findById(id)).toBeNull();
    });
  });

  describe("changes of credentials end every earlier session", () => {
    it.skipIf(!enabled)(
      "a password reset: earlier access tokens get 401, earlier refresh tokens are refused, the new password works",
      async () => {
        const email = uniqueEmail("reset");
        const { account } = await createActiveAccount(api.app, emulator, cognito, email);
        const other = await signInTokens(cognito, email);
        expect((await inject("GET", "/me", other.access)).statusCode).toBe(200);

        const asked = await inject("POST", "/password-reset", undefined, {
          email: email.toUpperCase(),
        });
        expect(asked.statusCode).toBe(202);
        const code = latestCode(emulator, account.id, "ForgotPassword");
        const confirmed = await inject("POST", "/password-reset/confirm", undefined, {
          email,
          code,
          password: NEW_PASSWORD,
        });
        expect(confirmed.statusCode).toBe(204);

        expect((await inject("GET", "/me", other.access)).statusCode).toBe(401);
        await expect(
          cognito.send(
            new InitiateAuthCommand({
              ClientId: localPool.clientId,
              AuthFlow: "REFRESH_TOKEN_AUTH",
              AuthParameters: { REFRESH_TOKEN: other.refresh },
            }),
          ),
        ).rejects.toThrow();
        await expect(signInTokens(cognito, email, PASSWORD)).rejects.toThrow();
        const fresh = await signInTokens(cognito, email, NEW_PASSWORD);
        expect((await inject("GET", "/me", fresh.access)).statusCode).toBe(200);
      },
    );

    it.skipIf(!enabled)(
      "a reset for an unknown or unproven email answers 202 the same, and sends nothing",
      async () => {
        const { email } = await register();
        const before = emulator.outbox().length;
        for (const target of [uniqueEmail("nobody"), email]) {
          const response = await inject("POST", "/password-reset", undefined, { email: target });
          expect(response.statusCode).toBe(202);
          expect(response.body).toBe("");
        }
        expect(emulator.outbox().length).toBe(before);
      },
    );

    it.skipIf(!enabled)(
      "reset confirmation errors: wrong code, weak password, bad email",
      async () => {
        const email = uniqueEmail("resetbad");
        await createActiveAccount(api.app, emulator, cognito, email);
        await inject("POST", "/password-reset", undefined, { email });
        const wrong = await inject("POST", "/password-reset/confirm", undefined, {
          email,
          code: "999999x",
          password: NEW_PASSWORD,
        });
        expect(wrong.statusCode).toBe(400);
        expect(wrong.json()).toMatchObject({ code: "code_mismatch", errors: [{ field: "code" }] });
        const weak = await inject("POST", "/password-reset/confirm", undefined, {
          email,
          code: "123456",
          password: "weak",
        });
        expect(weak.statusCode).toBe(400);
        expect(weak.json().code).toBe("password_policy");
        expect(weak.json().errors[0].field).toBe("password");
        const bad = await inject("POST", "/password-reset/confirm", undefined, {
          email: "x\u200b@example.com",
          code: "123456",
          password: NEW_PASSWORD,
        });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().errors[0].field).toBe("email");
        // An unknown email: the same answer as a wrong code.
        const unknown = await inject("POST", "/password-reset/confirm", undefined, {
          email: uniqueEmail("nobody"),
          code: "123456",
          password: NEW_PASSWORD,
        });
        expect(unknown.statusCode).toBe(400);
        expect(unknown.json().code).toBe("code_mismatch");
      },
    );

    it.skipIf(!enabled)(
      "a password change: every earlier token (the caller's too) gets 401; the new password signs in",
      async () => {
        const email = uniqueEmail("change");
        const { token } = await createActiveAccount(api.app, emulator, cognito, email);
        const other = await signInTokens(cognito, email);
        const changed = await inject("POST", "/me/password", token, {
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
        });
        expect(changed.statusCode).toBe(204);
        expect((await inject("GET", "/me", token)).statusCode).toBe(401);
        expect((await inject("GET", "/me", other.access)).statusCode).toBe(401);
        await expect(
          cognito.send(
            new InitiateAuthCommand({
              ClientId: localPool.clientId,
              AuthFlow: "REFRESH_TOKEN_AUTH",
              AuthParameters: { REFRESH_TOKEN: other.refresh },
            }),
          ),
        ).rejects.toThrow();
        // Signed in again at once with the new password, as the site does.
        const again = await signInTokens(cognito, email, NEW_PASSWORD);
        expect((await inject("GET", "/me", again.access)).statusCode).toBe(200);
      },
    );

    it.skipIf(!enabled)(
      "a password change with the wrong current password, or a weak new one, changes nothing",
      async () => {
        const email = uniqueEmail("changebad");
        const { token } = await createActiveAccount(api.app, emulator, cognito, email);
        const wrong = await inject("POST", "/me/password", token, {
          currentPassword: "Not-the-passw0rd",
          newPassword: NEW_PASSWORD,
        });
        expect(wrong.statusCode).toBe(400);
        expect(wrong.json()).toMatchObject({
          code: "current_password_incorrect",
          errors: [{ field: "currentPassword" }],
        });
        const weak = await inject("POST", "/me/password", token, {
          currentPassword: PASSWORD,
          newPassword: "weak",
        });
        expect(weak.statusCode).toBe(400);
        expect(weak.json().code).toBe("password_policy");
        expect(weak.json().errors.every((e: { field: string }) => e.field === "newPassword")).toBe(
          true,
        );
        expect((await inject("GET", "/me", token)).statusCode).toBe(200);
        expect(await signInTokens(cognito, email, PASSWORD)).toBeTruthy();
      },
    );
  });
});
