import type { ChildProcess } from "node:child_process";
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, describe, expect, it } from "vitest";
import { startCli } from "./cli-process.ts";

const POOL = "us-east-1_durable01";
const PASSWORD = "Durable-Passw0rd-41";
const dir = mkdtempSync(path.join(tmpdir(), "cognito-durable-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const seedFile = path.join(dir, "seed.json");
writeFileSync(seedFile, JSON.stringify({ userPools: [{ Id: POOL, PoolName: "durable" }] }));
const dataDir = path.join(dir, "data");

const client = (url: string) =>
  new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });

async function kid(url: string): Promise<string> {
  const jwks = (await (await fetch(`${url}/${POOL}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string }[];
  };
  return jwks.keys[0]?.kid ?? "";
}

describe("storage", () => {
  it("keeps every acknowledged write across kill -9, with the same key, and no password on disk", async () => {
    const first = await startCli(
      ["--port", "0", "--data-dir", dataDir, "--seed", seedFile],
      children,
    );
    const cognito = client(first.url);
    const usernames = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    for (const username of usernames) {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL,
          Username: username,
          TemporaryPassword: PASSWORD,
          MessageAction: "SUPPRESS",
        }),
      );
    }
    const kidBefore = await kid(first.url);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    cognito.destroy();

    const second = await startCli(
      ["--port", "0", "--data-dir", dataDir, "--seed", seedFile],
      children,
    );
    const again = client(second.url);
    const listed = await again.send(new ListUsersCommand({ UserPoolId: POOL, Limit: 60 }));
    expect(listed.Users?.map((u) => u.Username).sort()).toEqual([...usernames].sort());
    expect(await kid(second.url)).toBe(kidBefore);
    again.destroy();
    second.child.kill("SIGKILL");
    await new Promise((resolve) => second.child.once("exit", resolve));

    const key = readdirSync(dataDir).find((file) => file.endsWith(".pem"));
    expect(key).toBeDefined();
    expect(statSync(path.join(dataDir, key ?? "")).mode & 0o777).toBe(0o600);
    for (const file of readdirSync(dataDir)) {
      expect(readFileSync(path.join(dataDir, file), "utf8")).not.toContain(PASSWORD);
    }
  });

  it("starts after a crash tore the journal's last line", async () => {
    appendFileSync(
      path.join(dataDir, "journal.jsonl"),
      '{"put":"user","v":{"poolId":"us-east-1_dur',
    );
    const third = await startCli(
      ["--port", "0", "--data-dir", dataDir, "--seed", seedFile],
      children,
    );
    const cognito = client(third.url);
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL, Username: "user-7" }),
    );
    expect(user.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    cognito.destroy();
  });
});
