import { importJWK, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "./clock.ts";
import { createSigningKey } from "./keys.ts";
import { type ClientRecord, type PoolState, Store, type UserRecord } from "./store.ts";
import { TokenSigner } from "./tokens.ts";
import { authenticateAccessToken, issueTokens, signOutEverywhere } from "./user-tokens.ts";

const POOL_ID = "eu-west-1_tokens001";
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`;
let signer: TokenSigner;
beforeAll(async () => {
  signer = new TokenSigner(await createSigningKey(null));
});

function setup(clientSettings: Record<string, unknown> = {}) {
  const clock = new ManualClock(1_800_000_000_000);
  const store = new Store({ dataDir: null, now: () => clock.now() });
  store.open();
  store.putPool({ id: POOL_ID, name: "t", settings: {}, createdAt: 0, updatedAt: 0 });
  const client: ClientRecord = {
    poolId: POOL_ID,
    clientId: "tokensclient0000000000001",
    clientSecret: null,
    settings: { ClientName: "web", ...clientSettings },
    createdAt: 0,
    updatedAt: 0,
  };
  store.putClient(client);
  store.putGroup({
    poolId: POOL_ID,
    name: "admins",
    description: null,
    precedence: null,
    roleArn: null,
    createdAt: 0,
    updatedAt: 0,
  });
  const user: UserRecord = {
    poolId: POOL_ID,
    username: "5f0c3c9e-8d1e-4c1b-9a4e-2f7d6b1a0c33",
    sub: "0d1b9a1e-6f35-4f5e-8a8f-3d2c1b0a9f8e",
    attributes: { email: "ada@example.com", email_verified: "true", name: "Ada" },
    enabled: true,
    status: "CONFIRMED",
    salt: null,
    verifier: null,
    passwordSetAt: 0,
    groups: ["admins"],
    tokensValidAfter: 0,
    resetCode: null,
    createdAt: 0,
    updatedAt: 0,
  };
  store.putUser(user);
  const pool = store.pool(POOL_ID) as PoolState;
  const config = { region: "eu-west-1", fixedCode: null, issuer: () => ISSUER, log: () => {} };
  const deps = { store, clock, signer, config };
  return { deps, pool, client, user, clock, store };
}

async function verify(token: string) {
  const key = await importJWK(signer.key.jwk, "RS256");
  const { payload, protectedHeader } = await jwtVerify(token, key, { issuer: ISSUER });
  return { payload, protectedHeader };
}

describe("tokens", () => {
  it("carry Cognito's access and id claims, signed with the JWKS key", async () => {
    const { deps, pool, client, user } = setup();
    const result = await issueTokens(deps, pool, client, user);
    expect(result).toMatchObject({ ExpiresIn: 3600, TokenType: "Bearer" });
    expect(result.RefreshToken).toMatch(/^[\w-]{64}$/);

    const access = await verify(result.AccessToken);
    expect(access.protectedHeader).toEqual({ alg: "RS256", kid: signer.key.kid });
    const now = 1_800_000_000;
    expect(access.payload).toEqual({
      sub: user.sub,
      "cognito:groups": ["admins"],
      iss: ISSUER,
      client_id: client.clientId,
      origin_jti: expect.any(String),
      event_id: expect.any(String),
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      auth_time: now,
      exp: now + 3600,
      iat: now,
      jti: expect.any(String),
      username: user.username,
    });

    const id = (await verify(result.IdToken)).payload;
    expect(id).toEqual({
      sub: user.sub,
      "cognito:groups": ["admins"],
      email: "ada@example.com",
      email_verified: true,
      name: "Ada",
      iss: ISSUER,
      "cognito:username": user.username,
      origin_jti: access.payload.origin_jti,
      aud: client.clientId,
      event_id: access.payload.event_id,
      token_use: "id",
      auth_time: now,
      exp: now + 3600,
      iat: now,
      jti: expect.any(String),
    });
    expect(id.jti).not.toBe(access.payload.jti);
  });

  it("live as long as the client says, in its units", async () => {
    const { deps, pool, client, user, store } = setup({
      AccessTokenValidity: 5,
      IdTokenValidity: 2,
      RefreshTokenValidity: 7,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "hours", RefreshToken: "days" },
    });
    const result = await issueTokens(deps, pool, client, user);
    expect(result.ExpiresIn).toBe(300);
    const id = (await verify(result.IdToken)).payload;
    expect((id.exp ?? 0) - (id.iat ?? 0)).toBe(7200);
    const [refresh] = store.refreshTokensOf(POOL_ID, user.username);
    expect(refresh?.expiresAt).toBe(deps.clock.now() + 7 * 86_400_000);
  });

  it("on refresh keep the sign-in's origin_jti and auth_time, with no new refresh token", async () => {
    const { deps, pool, client, user, clock } = setup();
    const first = await issueTokens(deps, pool, client, user);
    const origin = (await verify(first.AccessToken)).payload;
    clock.advance(600_000);
    const again = await issueTokens(deps, pool, client, user, {
      originJti: String(origin.origin_jti),
      authTime: Number(origin.auth_time),
    });
    expect(again.RefreshToken).toBeUndefined();
    const refreshed = (await verify(again.AccessToken)).payload;
    expect(refreshed.origin_jti).toBe(origin.origin_jti);
    expect(refreshed.auth_time).toBe(origin.auth_time);
    expect(refreshed.iat).toBe((origin.iat ?? 0) + 600);
  });

  it("are refused by Cognito's own APIs once expired, tampered with or signed out", async () => {
    const { deps, pool, client, user, clock } = setup();
    const { AccessToken } = await issueTokens(deps, pool, client, user);
    expect(authenticateAccessToken(deps, AccessToken).user.username).toBe(user.username);

    const [header, payload, signature] = AccessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, username: "someone-else" })).toString(
      "base64url",
    );
    expect(() => authenticateAccessToken(deps, `${header}.${forged}.${signature}`)).toThrow(
      "Invalid Access Token",
    );
    const { IdToken } = await issueTokens(deps, pool, client, user);
    expect(() => authenticateAccessToken(deps, IdToken)).toThrow("Invalid Access Token");

    clock.advance(1000);
    signOutEverywhere(deps, pool, user);
    expect(() => authenticateAccessToken(deps, AccessToken)).toThrow(
      "Access Token has been revoked",
    );

    const fresh = setup();
    const expired = (await issueTokens(fresh.deps, fresh.pool, fresh.client, fresh.user))
      .AccessToken;
    fresh.clock.advance(3600_000);
    expect(() => authenticateAccessToken(fresh.deps, expired)).toThrow("Access Token has expired");
  });
});
