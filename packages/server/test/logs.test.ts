import { Writable } from "node:stream";
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { type Api, createApi } from "../src/start-api.ts";
import {
  adminClient,
  bearer,
  PASSWORD,
  signIn,
  startLocalCognito,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

let emulator: RunningEmulator;
let api: Api;
const lines: string[] = [];

beforeAll(async () => {
  emulator = await startLocalCognito();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  api = await createApi(testConfig(emulator), {
    inMemoryDatabase: true,
    logger: createLogger(sink),
  });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await emulator?.stop();
});

it("logs the whole flow without a password, a token or an Authorization header", async () => {
  const cognito = adminClient(emulator);
  const email = uniqueEmail("logs");
  const weak = "weakpass";
  expect(
    (
      await api.app.inject({
        method: "POST",
        url: "/accounts",
        payload: { name: "L", email, password: weak },
      })
    ).statusCode,
  ).toBe(400);
  expect(
    (
      await api.app.inject({
        method: "POST",
        url: "/accounts",
        payload: { name: "L", email, password: PASSWORD },
      })
    ).statusCode,
  ).toBe(201);
  const token = await signIn(cognito, email);
  expect((await api.app.inject({ url: "/me", headers: bearer(token) })).statusCode).toBe(200);
  expect((await api.app.inject({ url: "/me", headers: bearer(`${token}x`) })).statusCode).toBe(401);
  expect(
    (await api.app.inject({ method: "POST", url: "/me/sign-out", headers: bearer(token) }))
      .statusCode,
  ).toBe(204);
  cognito.destroy();

  const text = lines.join("");
  expect(text).toContain('"url":"/accounts"');
  expect(text).toContain('"url":"/me/sign-out"');
  for (const secret of [
    PASSWORD,
    weak,
    token,
    token.split(".")[1] ?? "",
    token.split(".")[2] ?? "",
  ]) {
    expect(text).not.toContain(secret);
  }
  expect(text.toLowerCase()).not.toContain("bearer ");
});
