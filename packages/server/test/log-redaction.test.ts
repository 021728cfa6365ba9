// Every log line the API writes, at its most talkative level, across the whole flow in both
// password setups and through its failure paths: no password, token or Authorization value.
import { Writable } from "node:stream";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountStore, openAccountStore } from "../src/db/index.ts";
import { loggerOptions } from "../src/logger.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  latestCode,
  signIn,
  startLocalCognito,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

const chunks: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    chunks.push(String(chunk));
    done();
  },
});
// The production options (redaction included), at the lowest level there is.
const logger = pino({ ...loggerOptions, level: "trace" }, sink);

let emulator: RunningEmulator;
let cognito: CognitoIdentityProviderClient;
let store: AccountStore;
beforeAll(async () => {
  [emulator, store] = await Promise.all([
    startLocalCognito(),
    openAccountStore({ inMemory: true }),
  ]);
  cognito = adminClient(emulator);
}, 60_000);
afterAll(async () => {
  cognito?.destroy();
  await store?.close();
  await emulator?.stop();
});

/** Everything that must never reach a log line. */
const secrets = new Set<string>();
const secret = <T extends string>(value: T): T => {
  secrets.add(value);
  return value;
};
/** A token's pieces are secret on their own too: a signature or payload alone is a leak. */
const secretToken = (token: string) => {
  secret(token);
  for (const part of token.split(".")) if (part.length > 16) secret(part);
  return token;
};

async function flow(api: Api, tag: string) {
  const email = uniqueEmail(tag);
  const weak = secret(`weak${tag}pw`);
  const strong = secret(`Strong-${tag}-Passw0rd-1`);
  const post = (password: string) =>
    api.app.inject({
      method: "POST",
      url: "/accounts",
      payload: { name: "Logged", email, password },
    });
  expect((await post(weak)).statusCode).toBe(400);
  const created = await post(strong);
  expect(created.statusCode).toBe(201);
  const unverified = secretToken(await signIn(cognito, created.json().id, strong));
  const code = secret(latestCode(emulator, created.json().id));
  const verified = await api.app.inject({
    method: "POST",
    url: "/me/email-verification",
    headers: { authorization: `Bearer ${unverified}` },
    payload: { code },
  });
  expect(verified.statusCode).toBe(200);
  // The same request again: refused, with the password in the body again.
  expect((await post(strong)).statusCode).toBe(409);

  const token = secretToken(await signIn(cognito, email, strong));
  const as = (authorization: string) => ({ authorization });
  expect((await api.app.inject({ url: "/me", headers: as(`Bearer ${token}`) })).statusCode).toBe(
    200,
  );
  expect((await api.app.inject({ url: "/me", headers: as(`bEaReR ${token}`) })).statusCode).toBe(
    200,
  );
  const bogus = [
    secret(`Bearer bogus-${tag}-0123456789abcdef`),
    secret(`Basic ${Buffer.from(`${email}:${strong}`).toString("base64")}`),
    secret(`Bearer ${token.slice(0, -4)}AAAA`),
    secret(`${token}`),
  ];
  for (const value of bogus) {
    expect((await api.app.inject({ url: "/me", headers: as(value) })).statusCode).toBe(401);
  }
  expect(
    (
      await api.app.inject({
        method: "PATCH",
        url: "/me",
        headers: as(`Bearer ${token}`),
        payload: { name: "Renamed" },
      })
    ).statusCode,
  ).toBe(200);
  expect(
    (await api.app.inject({ method: "POST", url: "/me/sign-out", headers: as(`Bearer ${token}`) }))
      .statusCode,
  ).toBe(204);
  const second = secretToken(await signIn(cognito, email, strong));
  expect(
    (await api.app.inject({ method: "DELETE", url: "/me", headers: as(`Bearer ${second}`) }))
      .statusCode,
  ).toBe(204);
}

describe("the log of the full flow", () => {
  for (const setup of ["set-password", "challenge"]) {
    it(`PASSWORD_SETUP=${setup}`, async () => {
      const api = await createApi(testConfig(emulator, { PASSWORD_SETUP: setup }), {
        logger,
        store,
      });
      try {
        await flow(api, setup.replace("-", ""));
      } finally {
        await api.close();
      }
    }, 20_000);
  }

  it("failures logged with their errors", async () => {
    const email = uniqueEmail("failing");
    const password = secret("Failing-Passw0rd-1");
    // The database fails after Cognito has the user: logged at error level, undone.
    const failing: AccountStore = {
      ...store,
      markUnverified: () => Promise.reject(new Error("connection terminated unexpectedly")),
    };
    const api = await createApi(testConfig(emulator), {
      logger,
      store: failing,
      // Cognito refuses the call: its exception is logged too.
      wrapIdentity: (base) => ({
        ...base,
        createUser: (id, address) =>
          address.startsWith("bad")
            ? base.createUser(id, "not an email")
            : base.createUser(id, address),
      }),
    });
    try {
      const post = (address: string) =>
        api.app.inject({
          method: "POST",
          url: "/accounts",
          payload: { name: "F", email: address, password },
        });
      expect((await post(email)).statusCode).toBe(500);
      expect((await post(`bad${email}`)).statusCode).toBe(500);
    } finally {
      await api.close();
    }
  });

  it("contains no secret, and is a real capture of the requests", () => {
    const text = chunks.join("");
    const lines = text.trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    // The capture is real: requests, their outcome, and the errors were all written.
    expect(text).toContain('"url":"/accounts"');
    expect(text).toContain('"url":"/me/sign-out"');
    expect(text).toContain('"statusCode":401');
    expect(text).toContain("connection terminated unexpectedly");
    expect(lines.length).toBeGreaterThan(20); // one line per request

    expect(secrets.size).toBeGreaterThan(20);
    for (const value of secrets) expect(text).not.toContain(value);
    expect(text.toLowerCase()).not.toMatch(/bearer [a-z0-9]/);
    expect(text.toLowerCase()).not.toContain("basic ");
  });
});
