// The emulator refuses web pages it was not made for: a page on another origin cannot call an
// operation that needs AWS credentials at real Cognito, nor read the outbox; browser operations
// answer every origin, as Cognito's do; the AWS SDK from Node (no Origin) is served as before.
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "./index.ts";

const poolId = "us-east-1_origins";
const clientId = "originsclient0000000000001";
const SITE = "http://localhost:8080";
const EVIL = "https://evil.example";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    inMemory: true,
    log: null,
    fixedCode: "123456",
    seed: {
      userPools: [
        {
          Id: poolId,
          PoolName: "origins",
          AliasAttributes: ["email"],
          Clients: [
            {
              ClientId: clientId,
              ClientName: "web",
              ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
          ],
          Users: [
            {
              Username: "victim",
              Password: "Victim-Passw0rd",
              Attributes: { email: "victim@example.com", email_verified: "true" },
            },
          ],
        },
      ],
    },
  });
});
afterAll(async () => {
  await emulator?.stop();
});

/** A request as a browser page at `origin` sends it (null: no Origin, as Node's SDK). */
function call(operation: string, body: object, origin: string | null) {
  return fetch(emulator.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
      ...(origin ? { origin } : {}),
    },
    body: JSON.stringify(body),
  });
}

const signInBody = {
  ClientId: clientId,
  AuthFlow: "USER_PASSWORD_AUTH",
  AuthParameters: { USERNAME: "victim@example.com", PASSWORD: "Victim-Passw0rd" },
};

describe("a page on a foreign origin", () => {
  it.each([
    [
      "AdminSetUserPassword",
      { UserPoolId: poolId, Username: "victim", Password: "Attacker-Passw0rd", Permanent: true },
    ],
    ["AdminGetUser", { UserPoolId: poolId, Username: "victim" }],
    ["ListUsers", { UserPoolId: poolId }],
    ["DescribeUserPool", { UserPoolId: poolId }],
    ["ListUserPoolClients", { UserPoolId: poolId, MaxResults: 10 }],
    ["CreateGroup", { UserPoolId: poolId, GroupName: "admins" }],
    ["DeleteUserPool", { UserPoolId: poolId }],
  ])(
    "cannot call %s: 403 AccessDeniedException, no CORS header, nothing done",
    async (operation, body) => {
      const response = await call(operation, body, EVIL);
      expect(response.status).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
      const error = (await response.json()) as { __type: string; message: string };
      expect(error.__type).toBe("AccessDeniedException");
      expect(error.message).toContain(operation);
      expect(error.message).toContain(EVIL);
    },
  );

  it("did not change the victim's password, and the victim still signs in", async () => {
    await call(
      "AdminSetUserPassword",
      { UserPoolId: poolId, Username: "victim", Password: "Attacker-Passw0rd", Permanent: true },
      EVIL,
    );
    const attacker = await call(
      "InitiateAuth",
      { ...signInBody, AuthParameters: { USERNAME: "victim", PASSWORD: "Attacker-Passw0rd" } },
      EVIL,
    );
    expect(attacker.status).toBe(400);
    expect((await call("InitiateAuth", signInBody, EVIL)).status).toBe(200);
  });

  it("cannot read the outbox: 403, no CORS header, no code in the answer", async () => {
    await call("ForgotPassword", { ClientId: clientId, Username: "victim" }, EVIL);
    const response = await fetch(`${emulator.url}/_emulator/outbox`, { headers: { origin: EVIL } });
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(await response.text()).not.toContain("123456");
  });

  it.each([
    ["null", "null"],
    ["the site's host on another port", "http://localhost:8081"],
    ["the site's origin over https", "https://localhost:8080"],
  ])("%s is foreign too", async (_label, origin) => {
    const response = await call("ListUsers", { UserPoolId: poolId }, origin);
    expect(response.status).toBe(403);
  });

  it("may call the browser operations, which answer with CORS as Cognito's do", async () => {
    const signedIn = await call("InitiateAuth", signInBody, EVIL);
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("access-control-allow-origin")).toBe("*");
    const tokens = ((await signedIn.json()) as { AuthenticationResult: { AccessToken: string } })
      .AuthenticationResult;
    const user = await call("GetUser", { AccessToken: tokens.AccessToken }, EVIL);
    expect(user.status).toBe(200);
    expect(user.headers.get("access-control-allow-origin")).toBe("*");
    const forgot = await call("ForgotPassword", { ClientId: clientId, Username: "victim" }, EVIL);
    expect(forgot.status).toBe(200);
    expect(forgot.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("gets a preflight answer (it names no operation), and the JWKS", async () => {
    const preflight = await fetch(emulator.url, {
      method: "OPTIONS",
      headers: {
        origin: EVIL,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-amz-target",
      },
    });
    expect(preflight.status).toBe(204);
    const jwks = await fetch(`${emulator.url}/${poolId}/.well-known/jwks.json`, {
      headers: { origin: EVIL },
    });
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("a page on an allowed origin (the site's, by default)", () => {
  it("may call an admin operation, but gets no CORS header to read the answer with", async () => {
    const response = await call("AdminGetUser", { UserPoolId: poolId, Username: "victim" }, SITE);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const outbox = await fetch(`${emulator.url}/_emulator/outbox`, { headers: { origin: SITE } });
    expect(outbox.status).toBe(200);
    expect(outbox.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("gets CORS on the browser operations", async () => {
    const response = await call("InitiateAuth", signInBody, "http://127.0.0.1:8080");
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("no Origin: the AWS SDK from Node, the CLI", () => {
  it("works as before", async () => {
    const cognito = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: "made-by-sdk",
          MessageAction: "SUPPRESS",
        }),
      );
      const { Users } = await cognito.send(new ListUsersCommand({ UserPoolId: poolId }));
      expect(Users?.map((u) => u.Username)).toContain("made-by-sdk");
    } finally {
      cognito.destroy();
    }
    const outbox = await fetch(`${emulator.url}/_emulator/outbox`);
    expect(outbox.status).toBe(200);
    expect(await outbox.text()).toContain("123456");
  });
});

describe("a custom allow list", () => {
  it("replaces the default: the listed origin may, the site's default origin may not", async () => {
    const custom = await startEmulator({
      inMemory: true,
      log: null,
      allowedOrigins: ["https://app.example.com"],
      seed: { userPools: [{ Id: "us-east-1_custom", PoolName: "custom" }] },
    });
    try {
      const ask = (origin: string) =>
        fetch(custom.url, {
          method: "POST",
          headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "AWSCognitoIdentityProviderService.ListUsers",
            origin,
          },
          body: JSON.stringify({ UserPoolId: "us-east-1_custom" }),
        });
      expect((await ask("https://app.example.com")).status).toBe(200);
      expect((await ask(SITE)).status).toBe(403);
    } finally {
      await custom.stop();
    }
  });
});
