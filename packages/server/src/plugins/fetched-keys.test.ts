// Against AWS the pool's keys are fetched, not handed over. Tokens are checked synchronously with
// the keys in memory; a token signed with a key not among them (AWS rotated its keys) must make
// the verifier fetch the JWKS again and be accepted, while a flood of made-up `kid`s must not make
// it fetch more than its penalty box allows.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Account, AccountStore } from "../db/index.ts";
import { authenticate } from "./authenticate.ts";

const POOL = "us-east-1_rotation1";
const CLIENT = "rotationclient";
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const USERNAME = "8a7d3c52-5b0e-4a7e-9a55-0c1f2e3d4b5a";
const SUB = "0f6c1b1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f";

interface Key {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}
function newKey(kid: string): Key {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" },
  };
}
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
function accessToken(key: Key): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ kid: key.kid, alg: "RS256" })}.${b64({
    sub: SUB,
    iss: ISSUER,
    client_id: CLIENT,
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: now,
    iat: now,
    exp: now + 900,
    jti: crypto.randomUUID(),
    username: USERNAME,
  })}`;
  return `${head}.${sign("RSA-SHA256", Buffer.from(head), key.privateKey).toString("base64url")}`;
}

const account: Account = {
  id: USERNAME,
  email: "rotation@example.com",
  name: "Rotation",
  status: "active",
  cognitoSub: SUB,
  createdAt: new Date(),
  updatedAt: new Date(),
  signedOutAt: null,
  signedOutOriginJti: null,
};
const store = new Proxy({} as AccountStore, {
  get: (_target, name) =>
    name === "onChange"
      ? () => () => {}
      : name === "findById"
        ? async () => account
        : () => Promise.reject(new Error(`the store's ${String(name)} is not used here`)),
});

const oldKey = newKey("old-key");
const newerKey = newKey("new-key");
/** What AWS serves at the pool's JWKS address; the test rotates it. */
let published: Key[] = [oldKey];
const fetched: string[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify({ logger: false });
  await app.register(authenticate, {
    store,
    userPoolId: POOL,
    clientId: CLIENT,
    jwks: null,
    isAccessTokenActive: null,
    jwksFetcher: {
      fetch: async (uri) => {
        fetched.push(uri);
        const body = JSON.stringify({ keys: published.map((k) => k.jwk) });
        return new TextEncoder().encode(body).buffer as ArrayBuffer;
      },
    },
  });
  app.get("/me", { onRequest: app.authenticate }, async (request) => ({
    id: request.account?.id,
  }));
  await app.ready();
  // The keys are fetched at start, not by the first request: wait for that fetch to land.
  while (fetched.length === 0) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
});
afterAll(async () => {
  await app?.close();
});

const me = (token: string) =>
  app.inject({ url: "/me", headers: { authorization: `Bearer ${token}` } });

describe("keys fetched from the pool's JWKS address", () => {
  it("loads them at start, from the pool's address, and verifies with them without fetching", async () => {
    // aws-jwt-verify loads the pool's keys from both of Cognito's issuer hosts.
    expect(fetched).toContain(`${ISSUER}/.well-known/jwks.json`);
    for (const uri of fetched) {
      expect(uri).toMatch(/^https:\/\/[a-z-]+\.us-east-1\.amazonaws\.com\/us-east-1_rotation1\//);
    }
    const atStart = fetched.length;
    const response = await me(accessToken(oldKey));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: USERNAME });
    expect(fetched).toHaveLength(atStart);
  });

  it("fetches again for a key AWS added since, and accepts its tokens", async () => {
    const before = fetched.length;
    published = [oldKey, newerKey];
    expect((await me(accessToken(newerKey))).statusCode).toBe(200);
    expect(fetched).toHaveLength(before + 1);
    // Both keys are in memory now: no further fetch for either.
    expect((await me(accessToken(oldKey))).statusCode).toBe(200);
    expect((await me(accessToken(newerKey))).statusCode).toBe(200);
    expect(fetched).toHaveLength(before + 1);
  });

  it("refuses made-up kids without fetching for each of them", async () => {
    const before = fetched.length;
    for (let i = 0; i < 50; i++) {
      const response = await me(accessToken({ ...oldKey, kid: `forged-${i}` }));
      expect(response.statusCode).toBe(401);
    }
    // The verifier's penalty box: at most one more fetch for the whole flood.
    expect(fetched.length - before).toBeLessThanOrEqual(1);
  });
});
