import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.ts";
import { findUser } from "./lookup.ts";
import { applySeed, type Seed } from "./seed.ts";
import { Store } from "./store.ts";

describe("seeds", () => {
  it("apply again without a second user where an email stands in for the username", () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new Store({ dataDir: null, now: () => clock.now() });
    store.open();
    const seed: Seed = {
      userPools: [
        {
          Id: "us-east-1_seedmail1",
          PoolName: "by-email",
          UsernameAttributes: ["email"],
          Schema: [{ Name: "plan", AttributeDataType: "String" }],
          Users: [
            {
              Username: "ada@example.com",
              Password: "Seeded-Passw0rd!",
              Attributes: { "custom:plan": "pro" },
            },
          ],
        },
      ],
    };
    applySeed({ store, clock }, seed);
    applySeed({ store, clock }, seed);
    const pool = store.pool("us-east-1_seedmail1");
    expect(pool?.users.size).toBe(1);
    const user = pool && findUser(pool, "ada@example.com");
    expect(user?.username).toBe(user?.sub);
    expect(user?.attributes).toMatchObject({ email: "ada@example.com", "custom:plan": "pro" });
  });
});
