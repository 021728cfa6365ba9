import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({
    inMemory: true,
    log: null,
    seed: { userPools: [{ Id: "us-east-1_badinput1", PoolName: "bad" }] },
  });
});
afterAll(() => emulator.stop());

const target = (operation: string) => `AWSCognitoIdentityProviderService.${operation}`;

async function call(body: string | Buffer, headers: Record<string, string> = {}, method = "POST") {
  const response = await fetch(emulator.url, {
    method,
    headers: { "content-type": "application/x-amz-json-1.1", ...headers },
    ...(method === "GET" ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : null,
  };
}

describe("bad input gets Cognito's errors, never a 500", () => {
  it.each([
    ["malformed JSON", "{not json", "AdminGetUser", "SerializationException"],
    ["a JSON array", "[1,2]", "AdminGetUser", "SerializationException"],
    [
      "a missing required field",
      JSON.stringify({ UserPoolId: "us-east-1_badinput1" }),
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
      JSON.stringify({ UserPoolId: "us-east-1_badinput1", Username: "u", UserAttributes: {} }),
      "AdminCreateUser",
      "InvalidParameterException",
    ],
    [
      "a boolean as a string",
      JSON.stringify({
        UserPoolId: "us-east-1_badinput1",
        Username: "u",
        Password: "Passw0rd!x",
        Permanent: "yes",
      }),
      "AdminSetUserPassword",
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
    const response = await call(body, { "x-amz-target": target(operation) });
    expect(response.status).toBe(400);
    expect(response.json.__type).toBe(type);
    expect(response.headers.get("x-amzn-errortype")).toBe(type);
    expect(response.json.message).toEqual(expect.any(String));
  });

  it("names the operation it does not implement", async () => {
    const response = await call("{}", { "x-amz-target": target("AdminLinkProviderForUser") });
    expect(response.json.message).toContain("AdminLinkProviderForUser");
  });

  it("refuses a request with no target", async () => {
    const response = await call("{}");
    expect(response.status).toBe(400);
    expect(response.json.__type).toBe("UnknownOperationException");
  });

  it("refuses an oversized body without reading it all", async () => {
    const response = await call(Buffer.alloc(2 * 1024 * 1024, 32), {
      "x-amz-target": target("AdminGetUser"),
    });
    expect(response.status).toBe(413);
    expect(response.json.__type).toBe("RequestEntityTooLargeException");
  });

  it("answers other methods and paths with 404, and CORS preflights with 204", async () => {
    expect((await call("", {}, "GET")).status).toBe(404);
    const put = await fetch(`${emulator.url}/`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(404);
    const preflight = await fetch(`${emulator.url}/`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:8080", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-amz-target");
  });

  it("sends CORS headers on errors too, and keeps answering afterwards", async () => {
    const response = await call("{oops", {
      "x-amz-target": target("InitiateAuth"),
      origin: "http://localhost:8080",
    });
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const health = await fetch(`${emulator.url}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
  });
});
