// The sign-out watermark in both directions, down to tokens issued in the same second as the
// sign-out: every token of a session that existed before it is refused (on this API, at once), and
// a sign-in made after it works. The emulator's clock and the API's are set so that the cases are
// not left to chance.
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { ManualClock, type RunningEmulator, startEmulator } from "@gatehouse/cognito-emulator";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSeed } from "../src/local-seed.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
  createAccount,
  rowByEmail,
  signIn,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

let emulator: RunningEmulator;
let cognito: CognitoIdentityProviderClient;
let api: Api;
/** Cognito's clock (token `iat`). */
let clock: ManualClock;
/** The API's clock (the watermark), in ms. */
let apiNow = Date.now();
/** Tokens the API asked Cognito about. */
const asked: string[] = [];
let cognitoAnswers = true;
/** 100 ms into a whole second, ten seconds ago. */
const S = Math.floor(Date.now() / 1000) * 1000 - 10_000 + 100;

beforeAll(async () => {
  clock = new ManualClock(S - 5_000);
  emulator = await startEmulator({ inMemory: true, log: null, seed: localSeed(), clock });
  cognito = adminClient(emulator);
  api = await createApi(testConfig(emulator), {
    inMemoryDatabase: true,
    logger: pino({ level: "silent" }),
    now: () => apiNow,
    wrapIdentity: (base) => ({
      ...base,
      async isAccessTokenActive(token) {
        asked.push(token);
        if (!cognitoAnswers) throw Object.assign(new Error("down"), { code: "ECONNREFUSED" });
        return base.isAccessTokenActive(token);
      },
    }),
  });
}, 60_000);

afterAll(async () => {
  await api?.close();
  cognito?.destroy();
  await emulator?.stop();
});

const me = (token: string) => api.app.inject({ url: "/me", headers: bearer(token) });

describe("sign-out", () => {
  it("refuses every earlier session's tokens and accepts a new sign-in, within the same second", async () => {
    const email = uniqueEmail("watermark");
    const created = await createAccount(api.app, email);
    expect(created.statusCode).toBe(201);
    // Signed in with the account id: an unverified account may read itself and sign out.
    const login = created.json().id;
    // Five seconds before the sign-out, then three sessions in the second of the sign-out.
    const early = await signIn(cognito, login);
    clock.advance(5_000);
    const laptop = await signIn(cognito, login);
    const phone = await signIn(cognito, login);
    for (const token of [early, laptop, phone]) expect((await me(token)).statusCode).toBe(200);
    expect(asked).toEqual([]);

    // The phone signs out everywhere, 300 ms into that second by the API's clock.
    apiNow = S + 300;
    const out = await api.app.inject({
      method: "POST",
      url: "/me/sign-out",
      headers: bearer(phone),
    });
    expect(out.statusCode).toBe(204);

    // 200 ms later, still in the same second, the user signs in again on the phone.
    clock.advance(200);
    apiNow = S + 500;
    const again = await signIn(cognito, login);
    expect(JSON.parse(Buffer.from(again.split(".")[1] ?? "", "base64url").toString()).iat).toBe(
      Math.floor(S / 1000),
    );

    // The session that signed out and the one clearly before it: refused without asking.
    expect((await me(phone)).statusCode).toBe(401);
    expect((await me(early)).statusCode).toBe(401);
    expect(asked).toEqual([]);
    // The laptop's token has the same `iat` as the new one: Cognito tells them apart.
    const refused = await me(laptop);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    expect((await me(again)).statusCode).toBe(200);
    expect(asked).toEqual([laptop, again]);
    // Each answer is remembered: no second question.
    expect((await me(laptop)).statusCode).toBe(401);
    expect((await me(again)).statusCode).toBe(200);
    expect(asked).toHaveLength(2);

    // Seconds later a sign-in is plainly after the watermark.
    clock.advance(5_000);
    const later = await signIn(cognito, login);
    expect((await me(later)).statusCode).toBe(200);
    expect(asked).toHaveLength(2);
  });

  it("answers 503 when Cognito cannot say whether a token near the watermark survived", async () => {
    const email = uniqueEmail("unsure");
    const login = (await createAccount(api.app, email)).json().id;
    const before = await signIn(cognito, login);
    apiNow = clock.now() + 100;
    expect(
      (await api.app.inject({ method: "POST", url: "/me/sign-out", headers: bearer(before) }))
        .statusCode,
    ).toBe(204);
    const after = await signIn(cognito, login);
    cognitoAnswers = false;
    const unsure = await me(after);
    cognitoAnswers = true;
    expect(unsure.statusCode).toBe(503);
    expect(unsure.json().code).toBe("identity_unavailable");
    expect(Number(unsure.headers["retry-after"])).toBeGreaterThan(0);
    expect((await me(after)).statusCode).toBe(200);
  });

  it("changes nothing when Cognito cannot sign the user out; trying again works", async () => {
    const email = uniqueEmail("cannot");
    const login = (await createAccount(api.app, email)).json().id;
    clock.advance(5_000);
    const token = await signIn(cognito, login);
    apiNow = clock.now() + 100;
    const failing = await createApi(testConfig(emulator), {
      store: api.store,
      logger: pino({ level: "silent" }),
      now: () => apiNow,
      wrapIdentity: (base) => ({
        ...base,
        signOutEverywhere: () =>
          Promise.reject(
            Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }),
          ),
      }),
    });
    try {
      const out = await failing.app.inject({
        method: "POST",
        url: "/me/sign-out",
        headers: bearer(token),
      });
      expect(out.statusCode).toBe(503);
      expect(out.json().code).toBe("identity_unavailable");
      expect((await failing.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(
        200,
      );
    } finally {
      await failing.close();
    }
    expect((await rowByEmail(api.store, email))?.signedOutAt).toBeNull();
    expect(
      (await api.app.inject({ method: "POST", url: "/me/sign-out", headers: bearer(token) }))
        .statusCode,
    ).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });
});
