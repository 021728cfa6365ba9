import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, createApi } from "../src/start-api.ts";
import {
  serviceAvailable,
  startLocalCognito,
  TEST_REDIS_URL,
  testConfig,
  uniqueEmail,
} from "./helpers.ts";

const redisUp = await serviceAvailable(
  "Redis",
  async () => {
    const redis = new Redis(TEST_REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
    });
    await redis.connect();
    await redis.ping();
    redis.disconnect();
  },
  "apt-get install -y redis-server, then set TEST_REDIS_URL",
);

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startLocalCognito();
}, 30_000);
afterAll(() => emulator?.stop());

let ip = 0;
const nextIp = () => `10.${process.pid % 250}.${Math.floor(Date.now() / 1000) % 250}.${ip++ % 250}`;
const attempt = (api: Api, remoteAddress: string) =>
  api.app.inject({
    method: "POST",
    url: "/accounts",
    remoteAddress,
    payload: { name: "R", email: uniqueEmail("rate"), password: "weak" },
  });

describe("rate limiting POST /accounts", () => {
  it("counts per client IP in memory", async () => {
    const api = await createApi(testConfig(emulator, { ACCOUNTS_RATE_LIMIT_PER_MINUTE: "2" }), {
      inMemoryDatabase: true,
      logger: pino({ level: "silent" }),
    });
    const address = nextIp();
    expect((await attempt(api, address)).statusCode).toBe(400);
    expect((await attempt(api, address)).statusCode).toBe(400);
    const limited = await attempt(api, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe("rate_limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect((await attempt(api, nextIp())).statusCode).toBe(400);
    await api.close();
  }, 30_000);

  it.skipIf(!redisUp)(
    "shares the count between instances through Redis",
    async () => {
      const config = testConfig(emulator, {
        ACCOUNTS_RATE_LIMIT_PER_MINUTE: "3",
        REDIS_URL: TEST_REDIS_URL,
      });
      const logger = pino({ level: "silent" });
      const one = await createApi(config, { inMemoryDatabase: true, logger });
      const two = await createApi(config, { logger, store: one.store });
      const address = nextIp();
      expect((await attempt(one, address)).statusCode).toBe(400);
      expect((await attempt(two, address)).statusCode).toBe(400);
      expect((await attempt(one, address)).statusCode).toBe(400);
      const limited = await attempt(two, address);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers["retry-after"]).toBeDefined();
      await two.close();
      await one.close();
    },
    30_000,
  );
});
