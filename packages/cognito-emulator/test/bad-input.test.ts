// Malformed requests sent with raw fetch(): each gets the error Cognito gives (HTTP 400, a
// `{"__type","message"}` body and the x-amzn-errortype header), never a 500, and the server goes on
// answering. The emulator runs in-process so a crash or a hang would fail the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_OPERATIONS, type RunningEmulator, startEmulator } from "../src/index.ts";
import { MAX_BODY_BYTES } from "../src/server.ts";

const POOL = "us-east-1_badinput1";
const CLIENT = "badinputclient000000000001";
const SPARE_CLIENT = "badinputclient000000000002";
let emulator: RunningEmulator;
const logged: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    inMemory: true,
    log: (line) => logged.push(line),
    seed: {
      userPools: [
        {
          Id: POOL,
          PoolName: "bad",
          // The fuzzing below sends DeleteUserPool with this pool's id.
          DeletionProtection: "ACTIVE",
          AliasAttributes: ["email"],
          Clients: [
            {
              ClientId: CLIENT,
              ClientName: "web",
              ExplicitAuthFlows: [
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
              ],
            },
            // The fuzzing below sends DeleteUserPoolClient with this one's id.
            { ClientId: SPARE_CLIENT, ClientName: "spare" },
          ],
          Groups: [{ GroupName: "members" }],
          Users: [
            {
              Username: "existing",
              Password: "Existing-Passw0rd!",
              Attributes: { email: "existing@example.com", email_verified: "true" },
            },
            // The fuzzing below may delete or disable this one.
            { Username: "fuzzed", Password: "Fuzzed-Passw0rd!" },
          ],
        },
      ],
    },
  });
});
afterAll(() => emulator.stop());

/** Every exception name the emulator may answer with; InternalErrorException is not one. */
const COGNITO_ERRORS = new Set([
  "NotAuthorizedException",
  "UserNotFoundException",
  "UsernameExistsException",
  "AliasExistsException",
  "InvalidPasswordException",
  "InvalidParameterException",
  "CodeMismatchException",
  "ExpiredCodeException",
  "LimitExceededException",
  "ResourceNotFoundException",
  "GroupExistsException",
  "UserNotConfirmedException",
  "UnsupportedUserStateException",
  "PasswordResetRequiredException",
  "UnsupportedOperationException",
  "SerializationException",
  "UnknownOperationException",
]);

const OPERATIONS = [
  "CreateUserPool",
  "DescribeUserPool",
  "ListUserPools",
  "DeleteUserPool",
  "CreateUserPoolClient",
  "DescribeUserPoolClient",
  "UpdateUserPoolClient",
  "ListUserPoolClients",
  "AdminCreateUser",
  "AdminGetUser",
  "AdminSetUserPassword",
  "AdminUpdateUserAttributes",
  "AdminDeleteUser",
  "AdminDisableUser",
  "AdminEnableUser",
  "ListUsers",
  "SignUp",
  "ConfirmSignUp",
  "AdminConfirmSignUp",
  "ResendConfirmationCode",
  "AdminResetUserPassword",
  "GetUser",
  "ChangePassword",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "CreateGroup",
  "GetGroup",
  "ListGroups",
  "DeleteGroup",
  "ListUsersInGroup",
  "AdminAddUserToGroup",
  "AdminRemoveUserFromGroup",
  "AdminListGroupsForUser",
  "AdminInitiateAuth",
  "AdminRespondToAuthChallenge",
  "InitiateAuth",
  "RespondToAuthChallenge",
  "GlobalSignOut",
  "AdminUserGlobalSignOut",
  "RevokeToken",
  "GetUserAttributeVerificationCode",
  "VerifyUserAttribute",
  "GetTokensFromRefreshToken",
  "UpdateUserAttributes",
  "DeleteUserAttributes",
  "DeleteUser",
  "UpdateUserPool",
  "DeleteUserPoolClient",
  "AdminDeleteUserAttributes",
  "AddCustomAttributes",
  "UpdateGroup",
  "GetUserPoolMfaConfig",
  "SetUserPoolMfaConfig",
];

/** Request members across those operations. */
const MEMBERS = [
  "UserPoolId",
  "ClientId",
  "Username",
  "Password",
  "PreviousPassword",
  "ProposedPassword",
  "TemporaryPassword",
  "AccessToken",
  "Token",
  "AuthFlow",
  "AuthParameters",
  "ChallengeName",
  "ChallengeResponses",
  "Session",
  "UserAttributes",
  "MessageAction",
  "ForceAliasCreation",
  "Permanent",
  "GroupName",
  "Description",
  "Precedence",
  "Filter",
  "Limit",
  "PaginationToken",
  "AttributesToGet",
  "MaxResults",
  "NextToken",
  "PoolName",
  "ClientName",
  "ExplicitAuthFlows",
  "PreventUserExistenceErrors",
  "AttributeName",
  "Code",
  "UserAttributeNames",
  "RefreshToken",
  "ClientSecret",
  "ConfirmationCode",
  "SecretHash",
  "Policies",
  "AliasAttributes",
  "UsernameAttributes",
  "UsernameConfiguration",
  "AdminCreateUserConfig",
  "AutoVerifiedAttributes",
  "DeletionProtection",
  "AccessTokenValidity",
  "IdTokenValidity",
  "RefreshTokenValidity",
  "TokenValidityUnits",
  "EnableTokenRevocation",
  "GenerateSecret",
  "Schema",
  "UserAttributeNames",
  "CustomAttributes",
  "RoleArn",
  "MfaConfiguration",
  "SmsConfiguration",
  "EmailConfiguration",
  "SoftwareTokenMfaConfiguration",
  "SmsMfaConfiguration",
  "AccountRecoverySetting",
  "VerificationMessageTemplate",
  "UserPoolTags",
];

/** Values of the wrong type, shape or size for (nearly) every member. */
const WRONG: unknown[] = [
  7,
  -1,
  1.5,
  true,
  [],
  {},
  [null],
  [{}],
  [7],
  { Name: 7 },
  "",
  "x".repeat(5000),
  "\u0000\u001f\ud800",
  { __proto__: { polluted: true } },
];

const target = (operation: string) => `AWSCognitoIdentityProviderService.${operation}`;

interface Answer {
  status: number;
  headers: Headers;
  json: { __type?: string; message?: string } | null;
  /** The operation the request named after Cognito's X-Amz-Target prefix; null without one. */
  operation: string | null;
}

async function call(
  body: string | Buffer | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
  method = "POST",
  path = "/",
): Promise<Answer> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { "content-type": "application/x-amz-json-1.1", ...headers },
    ...(method === "GET" || method === "HEAD" ? {} : { body, duplex: "half" }),
  } as RequestInit);
  const text = await response.text();
  let json: Answer["json"] = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const named = headers["x-amz-target"] ?? "";
  const operation = named.startsWith(target("")) ? named.slice(target("").length) : null;
  return { status: response.status, headers: response.headers, json, operation };
}

const send = (operation: string, body: unknown) =>
  call(typeof body === "string" ? body : JSON.stringify(body), {
    "x-amz-target": target(operation),
  });

/** A Cognito error: 400, a known name in body and header, a message. */
function expectCognitoError(answer: Answer, context: string) {
  expect(answer.status, context).toBe(400);
  expect(COGNITO_ERRORS.has(answer.json?.__type ?? ""), `${context}: ${answer.json?.__type}`).toBe(
    true,
  );
  expect(answer.headers.get("x-amzn-errortype"), context).toBe(answer.json?.__type);
  expect(answer.json?.message, context).toEqual(expect.any(String));
  // Browser operations answer any web page; the others send no CORS header (see server.ts).
  expect(answer.headers.get("access-control-allow-origin"), context).toBe(
    answer.operation !== null && !BROWSER_OPERATIONS.has(answer.operation) ? null : "*",
  );
}

async function expectStillAnswering() {
  const health = await fetch(`${emulator.url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });
  const described = await send("DescribeUserPool", { UserPoolId: POOL });
  expect(described.status).toBe(200);
}

describe("bad input gets Cognito's errors, never a 500", () => {
  it.each([
    ["malformed JSON", "{not json", "AdminGetUser", "SerializationException"],
    [
      "truncated JSON",
      '{"UserPoolId": "us-east-1_badinput1", "Username": "exi',
      "AdminGetUser",
      "SerializationException",
    ],
    ["a JSON array", "[1,2]", "AdminGetUser", "SerializationException"],
    ["JSON null", "null", "AdminGetUser", "SerializationException"],
    ["a JSON string", '"AdminGetUser"', "AdminGetUser", "SerializationException"],
    ["a JSON number", "42", "AdminGetUser", "SerializationException"],
    [
      "a missing required field",
      JSON.stringify({ UserPoolId: POOL }),
      "AdminGetUser",
      "InvalidParameterException",
    ],
    [
      "a number where a string belongs",
      JSON.stringify({ UserPoolId: 7, Username: "a" }),
      "AdminGetUser",
      "InvalidParameterException",
    ],
    [
      "an object where a list belongs",
      JSON.stringify({ UserPoolId: POOL, Username: "u", UserAttributes: {} }),
      "AdminCreateUser",
      "InvalidParameterException",
    ],
    [
      "an attribute without a name",
      JSON.stringify({ UserPoolId: POOL, Username: "u", UserAttributes: [{ Value: "x" }] }),
      "AdminCreateUser",
      "InvalidParameterException",
    ],
    [
      "a boolean as a string",
      JSON.stringify({
        UserPoolId: POOL,
        Username: "existing",
        Password: "Passw0rd!x",
        Permanent: "yes",
      }),
      "AdminSetUserPassword",
      "InvalidParameterException",
    ],
    [
      "a number in AuthParameters",
      JSON.stringify({
        ClientId: CLIENT,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "existing", PASSWORD: 5 },
      }),
      "InitiateAuth",
      "InvalidParameterException",
    ],
    [
      // A null entry is absent (browsers send DEVICE_KEY: null), so this PASSWORD is missing.
      "a null PASSWORD in AuthParameters",
      JSON.stringify({
        ClientId: CLIENT,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "existing", PASSWORD: null },
      }),
      "InitiateAuth",
      "InvalidParameterException",
    ],
    [
      "a list as ChallengeResponses",
      JSON.stringify({
        ClientId: CLIENT,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        ChallengeResponses: ["x"],
      }),
      "RespondToAuthChallenge",
      "InvalidParameterException",
    ],
    [
      "a Limit out of range",
      JSON.stringify({ UserPoolId: POOL, Limit: 1000 }),
      "ListUsers",
      "InvalidParameterException",
    ],
    [
      "a username longer than 128 characters",
      JSON.stringify({ UserPoolId: POOL, Username: "u".repeat(129) }),
      "AdminGetUser",
      "InvalidParameterException",
    ],
    [
      "an empty username",
      JSON.stringify({ UserPoolId: POOL, Username: "", MessageAction: "SUPPRESS" }),
      "AdminCreateUser",
      "InvalidParameterException",
    ],
    [
      "an unknown AuthFlow",
      JSON.stringify({ ClientId: CLIENT, AuthFlow: "MAGIC", AuthParameters: {} }),
      "InitiateAuth",
      "InvalidParameterException",
    ],
    [
      "an unknown pool",
      JSON.stringify({ UserPoolId: "us-east-1_nothere12", Username: "u" }),
      "AdminGetUser",
      "ResourceNotFoundException",
    ],
    [
      "an unknown client",
      JSON.stringify({ ClientId: "nosuchclient", AuthFlow: "USER_SRP_AUTH", AuthParameters: {} }),
      "InitiateAuth",
      "ResourceNotFoundException",
    ],
    ["an unknown operation", "{}", "DoSomethingElse", "UnknownOperationException"],
  ])("%s", async (_label, body, operation, type) => {
    const answer = await send(operation, body);
    expectCognitoError(answer, String(_label));
    expect(answer.json?.__type).toBe(type);
  });

  it("names the operation it does not implement", async () => {
    const answer = await send("AdminLinkProviderForUser", {});
    expectCognitoError(answer, "unimplemented");
    expect(answer.json?.__type).toBe("UnknownOperationException");
    expect(answer.json?.message).toContain("AdminLinkProviderForUser");
  });

  it.each([
    ["no target", {}],
    ["another service's target", { "x-amz-target": "DynamoDB_20120810.GetItem" }],
    ["a bare prefix", { "x-amz-target": "AWSCognitoIdentityProviderService." }],
    ["a lowercase operation", { "x-amz-target": "AWSCognitoIdentityProviderService.admingetuser" }],
  ])("refuses a request with %s", async (_label, headers: Record<string, string>) => {
    const answer = await call(JSON.stringify({ UserPoolId: POOL, Username: "existing" }), headers);
    expectCognitoError(answer, _label);
    expect(answer.json?.__type).toBe("UnknownOperationException");
  });

  it("answers {} and a wrong-typed value in every member with a Cognito error, for every operation", async () => {
    for (const operation of OPERATIONS) {
      expectCognitoError(await send(operation, {}), `${operation} {}`);
      for (const value of WRONG) {
        const body = Object.fromEntries(MEMBERS.map((member) => [member, value]));
        expectCognitoError(
          await send(operation, body),
          `${operation} ${JSON.stringify(value).slice(0, 20)}`,
        );
      }
    }
    await expectStillAnswering();
    // Hundreds of requests: a loaded machine needs more than the default 5 s.
  }, 30_000);

  it("answers a real pool and client with bad values in the other members without a 500", async () => {
    for (const operation of OPERATIONS) {
      for (const value of WRONG) {
        const body = {
          ...Object.fromEntries(MEMBERS.map((member) => [member, value])),
          UserPoolId: POOL,
          ClientId: operation === "DeleteUserPoolClient" ? SPARE_CLIENT : CLIENT,
          Username: "fuzzed",
        };
        const answer = await send(operation, body);
        const context = `${operation} ${JSON.stringify(value).slice(0, 20)}`;
        if (answer.status !== 200) expectCognitoError(answer, context);
      }
    }
    expect(logged.filter((line) => line.startsWith("internal error"))).toEqual([]);
    await expectStillAnswering();
  }, 30_000);

  it("treats names like __proto__ as plain data", async () => {
    const created = await send("AdminCreateUser", {
      UserPoolId: POOL,
      Username: "__proto__",
      MessageAction: "SUPPRESS",
    });
    expect(created.status).toBe(200);
    expect((await send("AdminGetUser", { UserPoolId: POOL, Username: "__proto__" })).status).toBe(
      200,
    );
    expect(
      (await send("AdminGetUser", { UserPoolId: POOL, Username: "constructor" })).json?.__type,
    ).toBe("UserNotFoundException");
    const attribute = await send("AdminUpdateUserAttributes", {
      UserPoolId: POOL,
      Username: "existing",
      UserAttributes: [{ Name: "__proto__", Value: "x" }],
    });
    expect(attribute.json?.__type).toBe("InvalidParameterException");
    const group = await send("AdminAddUserToGroup", {
      UserPoolId: POOL,
      Username: "existing",
      GroupName: "constructor",
    });
    expect(group.json?.__type).toBe("ResourceNotFoundException");
    await expectStillAnswering();
  });

  it("survives deeply nested JSON and bytes that are not UTF-8", async () => {
    const depth = 100_000;
    const nested = `{"UserPoolId": "${POOL}", "Username": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const deep = await send("AdminGetUser", nested);
    expect(deep.status).toBe(400);
    expect(deep.json?.__type).toMatch(/^(SerializationException|InvalidParameterException)$/);
    const bytes = Buffer.concat([
      Buffer.from(`{"UserPoolId": "${POOL}", "Username": "`),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}'),
    ]);
    const invalid = await call(bytes, { "x-amz-target": target("AdminGetUser") });
    expectCognitoError(invalid, "invalid UTF-8");
    await expectStillAnswering();
  });

  it("refuses an oversized body without reading it all, declared or streamed", async () => {
    const declared = await call(Buffer.alloc(MAX_BODY_BYTES + 1024, 32), {
      "x-amz-target": target("AdminGetUser"),
    });
    expect(declared.status).toBe(413);
    expect(declared.json?.__type).toBe("RequestEntityTooLargeException");
    expect(declared.headers.get("access-control-allow-origin")).toBe("*");

    // Chunked: no content-length, so the cap must hold while reading. The kernel may buffer up
    // to tcp_wmem + tcp_rmem (4 + 32 MiB here) of a stalled upload, so "stopped reading" shows as
    // an upload cut short well before 128 MiB, not as one cut at the cap itself.
    const chunk = new Uint8Array(256 * 1024).fill(32);
    const offered = 128 * MAX_BODY_BYTES;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= offered) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const streamed = await call(stream, { "x-amz-target": target("AdminGetUser") });
    expect(streamed.status).toBe(413);
    expect(streamed.json?.__type).toBe("RequestEntityTooLargeException");
    expect(sent).toBeLessThan(offered / 2);

    // Just under the cap is read and parsed.
    const padded = JSON.stringify({
      UserPoolId: POOL,
      Username: "existing",
      Pad: "x".repeat(MAX_BODY_BYTES - 200),
    });
    expect((await send("AdminGetUser", padded)).status).toBe(200);
    await expectStillAnswering();
  });

  it("answers other methods and paths with 404 and CORS headers", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["PUT", "/"],
      ["DELETE", "/"],
      ["PATCH", "/"],
      ["POST", "/elsewhere"],
      ["GET", "/nothing-here"],
      ["GET", `/${POOL}/.well-known/other.json`],
    ] as const) {
      const answer = await call("{}", { "x-amz-target": target("AdminGetUser") }, method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.headers.get("access-control-allow-origin"), `${method} ${path}`).toBe("*");
    }
    await expectStillAnswering();
  });

  it("answers CORS preflights, allowing the headers the browser asks for", async () => {
    const preflight = await fetch(`${emulator.url}/`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "content-type,x-amz-target,x-amz-user-agent,cache-control",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    for (const header of ["content-type", "x-amz-target", "x-amz-user-agent", "cache-control"]) {
      expect(preflight.headers.get("access-control-allow-headers")).toContain(header);
    }
  });

  it("sends CORS headers and the error type on errors a browser reads", async () => {
    const answer = await call("{oops", {
      "x-amz-target": target("InitiateAuth"),
      origin: "http://localhost:5173",
    });
    expectCognitoError(answer, "browser error");
    expect(answer.headers.get("access-control-expose-headers")).toContain("x-amzn-errortype");
    const wrongPassword = await send("InitiateAuth", {
      ClientId: CLIENT,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "existing", PASSWORD: "Wrong-Passw0rd!" },
    });
    expectCognitoError(wrongPassword, "wrong password");
    expect(wrongPassword.json).toEqual({
      __type: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    expect(wrongPassword.headers.get("content-type")).toBe("application/x-amz-json-1.1");
  });

  it("never repeats a password in an error or the log", async () => {
    const password = "Never-Echo-Passw0rd-913";
    const short = "Sh0rt!";
    const answers = [
      await send("AdminSetUserPassword", {
        UserPoolId: POOL,
        Username: "existing",
        Password: short,
        Permanent: true,
      }),
      await send("InitiateAuth", {
        ClientId: CLIENT,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "existing", PASSWORD: password },
      }),
      await send("AdminCreateUser", {
        UserPoolId: POOL,
        Username: "existing",
        TemporaryPassword: password,
      }),
      await send("AdminCreateUser", {
        UserPoolId: POOL,
        Username: "x y",
        TemporaryPassword: password,
      }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.json)).not.toContain(password);
      expect(JSON.stringify(answer.json)).not.toContain(short);
    }
    expect(logged.join("\n")).not.toContain(password);
  });
});
