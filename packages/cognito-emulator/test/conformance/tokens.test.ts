// Tokens as the code that verifies them sees them: aws-jwt-verify with the pool's JWKS handed to it,
// jose with the JWKS fetched over HTTP, every claim the reference lists, lifetimes from the client's
// settings, refresh, expiry, and tokens Cognito's own APIs must refuse.
import {
  AdminAddUserToGroupCommand,
  AdminInitiateAuthCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, browser } from "./browser.ts";
import {
  adminSignIn,
  createUser,
  expectError,
  GATEHOUSE_POOL,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  tokensOf,
  unique,
  WEB_FLOWS,
} from "./harness.ts";

let target: Target;
let poolId: string;
let clientId: string;
/** Access 5 minutes, id 2 hours, refresh 1 day. */
let shortId: string;
let web: Browser;

beforeAll(async () => {
  target = await openTarget();
  poolId = await target.createPool(GATEHOUSE_POOL);
  clientId = await target.createClient(poolId, {
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "ENABLED",
  });
  shortId = await target.createClient(poolId, {
    ClientName: "short",
    ExplicitAuthFlows: WEB_FLOWS,
    AccessTokenValidity: 5,
    IdTokenValidity: 2,
    RefreshTokenValidity: 1,
    TokenValidityUnits: { AccessToken: "minutes", IdToken: "hours", RefreshToken: "days" },
  });
  web = browser(target, poolId, clientId);
}, 30_000);

afterAll(() => target?.stop());

const verifiers = async (client = clientId) => {
  const jwks = await target.jwks(poolId);
  const access = CognitoJwtVerifier.create({
    userPoolId: poolId,
    tokenUse: "access",
    clientId: client,
  });
  const id = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: "id", clientId: client });
  access.cacheJwks(jwks);
  id.cacheJwks(jwks);
  return { access, id };
};

const refresh = (token: string, client = clientId) =>
  target.admin.send(
    new InitiateAuthCommand({
      ClientId: client,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: token },
    }),
  );

const getUser = (accessToken: string) =>
  target.admin.send(new GetUserCommand({ AccessToken: accessToken }));

describe("the pool's keys", () => {
  it("serves a JWKS of public RS256 keys and a discovery document naming the tokens' issuer", async () => {
    const jwks = (await target.jwks(poolId)) as unknown as JSONWebKeySet;
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.any(String) });
      expect(key).toHaveProperty("n");
      expect(key).toHaveProperty("e");
      for (const secret of ["d", "p", "q", "dp", "dq", "qi"])
        expect(key).not.toHaveProperty(secret);
    }
    if (target.url) {
      const discovery = await fetch(`${target.url}/${poolId}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      const document = (await discovery.json()) as { issuer: string; jwks_uri: string };
      expect(document.issuer).toBe(target.issuer(poolId));
      expect(await (await fetch(document.jwks_uri)).json()).toEqual(jwks);
      const unknown = await fetch(`${target.url}/us-east-1_NoSuchPo0l/.well-known/jwks.json`);
      expect(unknown.status).toBe(404);
    }
  });
});

describe("claims", () => {
  it("carry every claim Cognito puts in access and id tokens, verified by aws-jwt-verify and jose", async () => {
    const { username, email, sub } = await createUser(target, poolId, {
      attributes: [
        { Name: "name", Value: "Ada Lovelace" },
        { Name: "given_name", Value: "Ada" },
        { Name: "family_name", Value: "Lovelace" },
      ],
    });
    const { session } = await web.signIn(email, PASSWORD);
    const access = session.getAccessToken().getJwtToken();
    const id = session.getIdToken().getJwtToken();
    const { access: accessVerifier, id: idVerifier } = await verifiers();
    const iss = target.issuer(poolId);

    const accessClaims = await accessVerifier.verify(access);
    expect(accessClaims).toEqual(
      expect.objectContaining({
        sub,
        iss,
        client_id: clientId,
        origin_jti: expect.any(String),
        event_id: expect.any(String),
        token_use: "access",
        scope: "aws.cognito.signin.user.admin",
        auth_time: expect.any(Number),
        exp: expect.any(Number),
        iat: expect.any(Number),
        jti: expect.any(String),
        username,
      }),
    );
    expect(accessClaims).not.toHaveProperty("cognito:groups");
    expect(accessClaims).not.toHaveProperty("aud");
    expect(accessClaims.exp - accessClaims.iat).toBe(3600);
    expect(Math.abs(accessClaims.iat - Date.now() / 1000)).toBeLessThan(120);

    const idClaims = await idVerifier.verify(id);
    expect(idClaims).toEqual(
      expect.objectContaining({
        sub,
        aud: clientId,
        iss,
        token_use: "id",
        "cognito:username": username,
        email,
        email_verified: true,
        name: "Ada Lovelace",
        given_name: "Ada",
        family_name: "Lovelace",
        auth_time: accessClaims.auth_time,
        exp: expect.any(Number),
        iat: expect.any(Number),
        jti: expect.any(String),
        origin_jti: accessClaims.origin_jti,
      }),
    );
    expect(idClaims.event_id).toBe(accessClaims.event_id);
    expect(idClaims.jti).not.toBe(accessClaims.jti);

    const header = decodeProtectedHeader(access);
    expect(header.alg).toBe("RS256");
    const jwksUri = target.url
      ? `${target.url}/${poolId}/.well-known/jwks.json`
      : `${iss}/.well-known/jwks.json`;
    const remote = createRemoteJWKSet(new URL(jwksUri));
    const verified = await jwtVerify(id, remote, {
      issuer: iss,
      audience: clientId,
      algorithms: ["RS256"],
    });
    expect(verified.payload.sub).toBe(sub);
    expect(verified.protectedHeader.kid).toBe(header.kid);

    // Tokens of one app client are not another's.
    const other = await verifiers(shortId);
    await expect(other.access.verify(access)).rejects.toThrow();
    await expect(other.id.verify(id)).rejects.toThrow();
  });

  it("name the user's groups in cognito:groups, in both tokens, while they are members", async () => {
    const { username, email } = await createUser(target, poolId);
    const groups = [unique("readers"), unique("admins")];
    for (const GroupName of groups) {
      await target.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
      await target.admin.send(
        new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName }),
      );
    }
    const { access: accessVerifier, id: idVerifier } = await verifiers();
    const member = await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    expect(
      [...((await accessVerifier.verify(member.access))["cognito:groups"] ?? [])].sort(),
    ).toEqual([...groups].sort());
    expect([...((await idVerifier.verify(member.id))["cognito:groups"] ?? [])].sort()).toEqual(
      [...groups].sort(),
    );
    const gated = CognitoJwtVerifier.create({
      userPoolId: poolId,
      tokenUse: "access",
      clientId,
      groups: groups[1] ?? "",
    });
    gated.cacheJwks(await target.jwks(poolId));
    await gated.verify(member.access);

    for (const GroupName of groups) {
      await target.admin.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: username, GroupName }),
      );
    }
    const former = await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    expect(decodeJwt(former.access)).not.toHaveProperty("cognito:groups");
    await expect(gated.verify(former.access)).rejects.toThrow();
  });

  it("last as long as the app client says, in its units", async () => {
    const { email } = await createUser(target, poolId);
    const signedIn = await adminSignIn(target, poolId, shortId, email, PASSWORD);
    expect(signedIn.AuthenticationResult?.ExpiresIn).toBe(300);
    const access = decodeJwt(signedIn.AuthenticationResult?.AccessToken ?? "");
    const id = decodeJwt(signedIn.AuthenticationResult?.IdToken ?? "");
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(300);
    expect((id.exp ?? 0) - (id.iat ?? 0)).toBe(7200);
  });
});

describe("refresh", () => {
  it("gives new access and id tokens of the same sign-in, and no new refresh token", async () => {
    const { email } = await createUser(target, poolId);
    const first = await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    const refreshed = (await refresh(first.refresh)).AuthenticationResult;
    expect(refreshed?.RefreshToken).toBeUndefined();
    expect(refreshed?.TokenType).toBe("Bearer");
    const before = decodeJwt(first.access);
    const after = decodeJwt(refreshed?.AccessToken ?? "");
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.jti).not.toBe(before.jti);
    expect(decodeJwt(refreshed?.IdToken ?? "").origin_jti).toBe(before.origin_jti);
    const { access } = await verifiers();
    await access.verify(refreshed?.AccessToken ?? "");
    expect((await getUser(refreshed?.AccessToken ?? "")).Username).toBeTruthy();

    // The administrator's refresh is the same.
    const adminRefreshed = await target.admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: first.refresh },
      }),
    );
    expect(adminRefreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    expect(decodeJwt(adminRefreshed.AuthenticationResult?.AccessToken ?? "").origin_jti).toBe(
      before.origin_jti,
    );

    // identity-js keeps the refresh token it had and gets fresh tokens.
    const { user, session } = await web.signIn(email, PASSWORD);
    const renewed = await web.refresh(user, session);
    expect(renewed.getAccessToken().getJwtToken()).not.toBe(session.getAccessToken().getJwtToken());
    expect(renewed.getRefreshToken().getToken()).toBe(session.getRefreshToken().getToken());
    expect(renewed.isValid()).toBe(true);
  });

  it("refuses a made-up refresh token and another client's", async () => {
    await expectError(
      refresh("not-a-refresh-token"),
      "NotAuthorizedException",
      "Invalid Refresh Token",
    );
    const { email } = await createUser(target, poolId);
    const first = await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    await expectError(refresh(first.refresh, shortId), "NotAuthorizedException");
  });

  it.skipIf(onAws)(
    "works after the access token expired, until the refresh token expires",
    async () => {
      const { email } = await createUser(target, poolId);
      const first = await tokensOf(adminSignIn(target, poolId, shortId, email, PASSWORD));
      await target.later(5 * 60_000 + 1_000, async () => {
        await expectError(
          getUser(first.access),
          "NotAuthorizedException",
          "Access Token has expired",
        );
        const renewed = (await refresh(first.refresh, shortId)).AuthenticationResult;
        const claims = decodeJwt(renewed?.AccessToken ?? "");
        expect((claims.iat ?? 0) - (decodeJwt(first.access).iat ?? 0)).toBeGreaterThanOrEqual(300);
        await getUser(renewed?.AccessToken ?? "");
      });
      await target.later(86_400_000 + 60_000, () =>
        expectError(
          refresh(first.refresh, shortId),
          "NotAuthorizedException",
          "Refresh Token has expired",
        ),
      );
    },
  );
});

describe("tokens Cognito's own APIs refuse", () => {
  it("an id token, a tampered token, a token signed with another key, and garbage", async () => {
    const { email } = await createUser(target, poolId);
    const tokens = await tokensOf(adminSignIn(target, poolId, clientId, email, PASSWORD));
    await getUser(tokens.access);

    await expectError(getUser(tokens.id), "NotAuthorizedException");
    const [header, payload, signature] = tokens.access.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8"));
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...claims, username: "someone-else" }),
    ).toString("base64url");
    await expectError(getUser(`${header}.${forgedPayload}.${signature}`), "NotAuthorizedException");
    await expectError(getUser("x.y.z"), "NotAuthorizedException");

    // Same claims and kid, signed by a key the pool never had.
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const kid = decodeProtectedHeader(tokens.access).kid ?? "";
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid })
      .sign(privateKey);
    await expectError(getUser(foreign), "NotAuthorizedException");
    const { access } = await verifiers();
    await expect(access.verify(foreign)).rejects.toThrow();
    // And jose with the real JWKS agrees, while the foreign key would have accepted it.
    const real = createLocalJWKSet((await target.jwks(poolId)) as unknown as JSONWebKeySet);
    await expect(jwtVerify(foreign, real)).rejects.toThrow();
    const fake = createLocalJWKSet({
      keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256" }],
    });
    await jwtVerify(foreign, fake);
  });
});

describe.skipIf(onAws)("issuer: local", () => {
  it("puts the emulator's own URL in iss and the discovery document", async () => {
    const local = await openTarget({ issuer: "local" });
    try {
      const pool = await local.createPool({});
      const client = await local.createClient(pool, {
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      });
      const { username } = await createUser(local, pool, { password: "Local-Passw0rd!" });
      const tokens = await tokensOf(adminSignIn(local, pool, client, username, "Local-Passw0rd!"));
      const issuer = `${local.url}/${pool}`;
      const discovery = (await (
        await fetch(`${issuer}/.well-known/openid-configuration`)
      ).json()) as {
        issuer: string;
        jwks_uri: string;
      };
      expect(discovery.issuer).toBe(issuer);
      const { payload } = await jwtVerify(
        tokens.id,
        createRemoteJWKSet(new URL(discovery.jwks_uri)),
        {
          issuer,
          audience: client,
        },
      );
      expect(payload["cognito:username"]).toBe(username);
      expect(decodeJwt(tokens.access).iss).toBe(issuer);
    } finally {
      await local.stop();
    }
  });
});
