// The `cognito-emulator` command as people run it: its flags, what it prints, and its refusals.
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BIN, startCli as start } from "./cli-process.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});
const dir = mkdtempSync(path.join(tmpdir(), "cognito-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const startCli = (args: string[]) => start(args, children);
const run = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 15_000 });
const admin = (url: string) =>
  new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });

/** A port nothing listens on (taken from the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const POOL = "us-east-1_cliseeded";
const CLIENT = "cliseededclient00000000001";
const seedFile = path.join(dir, "seed.json");
writeFileSync(
  seedFile,
  JSON.stringify({
    userPools: [
      {
        Id: POOL,
        PoolName: "cli-seeded",
        AliasAttributes: ["email"],
        Clients: [
          {
            ClientId: CLIENT,
            ClientName: "web",
            ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
          },
        ],
        Users: [
          {
            Username: "carol",
            Password: "Carol-Passw0rd!",
            Attributes: { email: "carol@example.com", email_verified: "true" },
          },
        ],
      },
    ],
  }),
);

describe("the cognito-emulator command", () => {
  it("prints its usage with --help and exits 0", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    for (const flag of [
      "--host",
      "--port",
      "--data-dir",
      "--in-memory",
      "--seed",
      "--fixed-code",
      "--allow-origin",
      "--help",
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [["--bogus"], "--bogus"],
    [["--port", "seventy"], "--port"],
    [["--port", "70000"], "--port"],
    [["--fixed-code", "12"], "--fixed-code"],
    [["--issuer", "elsewhere"], "--issuer"],
    [["--allow-origin", "localhost:8080"], "--allow-origin"],
    [["--in-memory", "--data-dir", "/tmp/x"], "--data-dir"],
    [["--in-memory", "--seed", "/nonexistent/seed.json", "--port", "0"], "/nonexistent/seed.json"],
  ])("refuses %j, naming what was wrong", (args, named) => {
    const result = run(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(named);
    expect(result.stdout).not.toContain("listening");
  });

  it("refuses a seed file that is not JSON, naming the file", () => {
    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, "{ userPools: ");
    const result = run(["--in-memory", "--port", "0", "--seed", broken]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(broken);
  });

  it("lets the origins given by --allow-origin call admin operations, and no other page", async () => {
    const { url } = await startCli([
      "--in-memory",
      "--port",
      "0",
      "--allow-origin",
      "https://one.example,https://two.example",
    ]);
    const outbox = (origin: string) =>
      fetch(`${url}/_emulator/outbox`, { headers: { origin } }).then((r) => r.status);
    expect(await outbox("https://one.example")).toBe(200);
    expect(await outbox("https://two.example")).toBe(200);
    expect(await outbox("http://localhost:8080")).toBe(403);
    expect((await fetch(`${url}/_emulator/outbox`)).status).toBe(200);
  });

  it("starts in memory on a free port, prints its URL and answers /health", async () => {
    const { url } = await startCli(["--in-memory", "--port", "0"]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("listens on the port it is given, and says so when that port is taken", async () => {
    const port = await freePort();
    const { url } = await startCli(["--in-memory", "--port", String(port)]);
    expect(url).toBe(`http://127.0.0.1:${port}`);

    const blocker: Server = createServer();
    const taken = await freePort();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    try {
      const result = run(["--in-memory", "--port", String(taken)]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(String(taken));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("applies --seed: lists the pool and client, whose user signs in", async () => {
    const { url, output } = await startCli(["--in-memory", "--port", "0", "--seed", seedFile]);
    await expect.poll(output).toContain(CLIENT);
    expect(output()).toContain(POOL);
    const cognito = admin(url);
    try {
      const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: POOL }));
      expect(UserPool?.Name).toBe("cli-seeded");
      const signedIn = await cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: POOL,
          ClientId: CLIENT,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "carol@example.com", PASSWORD: "Carol-Passw0rd!" },
        }),
      );
      expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
    } finally {
      cognito.destroy();
    }
  });

  it("sends every code as --fixed-code says, to the outbox and the log", async () => {
    const started = await startCli([
      "--in-memory",
      "--port",
      "0",
      "--seed",
      seedFile,
      "--fixed-code",
      "654321",
    ]);
    const cognito = admin(started.url);
    try {
      for (let i = 0; i < 2; i++) {
        await cognito.send(new ForgotPasswordCommand({ ClientId: CLIENT, Username: "carol" }));
      }
    } finally {
      cognito.destroy();
    }
    const outbox = (await (await fetch(`${started.url}/_emulator/outbox`)).json()) as {
      messages: { username: string; code: string; destination: string }[];
    };
    expect(outbox.messages).toEqual([
      expect.objectContaining({
        username: "carol",
        code: "654321",
        destination: "carol@example.com",
      }),
      expect.objectContaining({ username: "carol", code: "654321" }),
    ]);
    await expect.poll(started.output).toContain("654321");
  });

  it("stops cleanly on SIGTERM", async () => {
    const { child } = await startCli(["--in-memory", "--port", "0"]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
