// A data directory across restarts: a clean stop of the library, and `kill -9` of the CLI right
// after acknowledged writes. The signing key stays the same (and private to its owner), and no
// password, temporary password or refresh token is ever written down.
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
  AddCustomAttributesCommand,
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUsersCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import { startCli } from "./cli-process.ts";

const POOL = "us-east-1_durable01";
const CLIENT = "durableclient0000000000001";
const TEMPORARY = "Durable-Temp-Passw0rd-41";
const PERMANENT = "Durable-Perm-Passw0rd-57";
const SEEDED = "Seeded-Passw0rd-Original-3";
const dir = mkdtempSync(path.join(tmpdir(), "cognito-durable-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const seedFile = path.join(dir, "seed.json");
writeFileSync(
  seedFile,
  JSON.stringify({
    userPools: [
      {
        Id: POOL,
        PoolName: "durable",
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
            Username: "seeded",
            Password: SEEDED,
            Attributes: { email: "seeded@example.com", email_verified: "true" },
          },
        ],
      },
    ],
  }),
);

const client = (url: string) =>
  new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });

const signIn = (cognito: CognitoIdentityProviderClient, USERNAME: string, PASSWORD: string) =>
  cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: POOL,
      ClientId: CLIENT,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME, PASSWORD },
    }),
  );

const refresh = (cognito: CognitoIdentityProviderClient, REFRESH_TOKEN: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: CLIENT,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN },
    }),
  );

async function kid(url: string): Promise<string> {
  const jwks = (await (await fetch(`${url}/${POOL}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string }[];
  };
  return jwks.keys[0]?.kid ?? "";
}

/** Every file under `root`, with its text. */
function filesOf(root: string): { file: string; text: string }[] {
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((file) => statSync(path.join(root, file)).isFile())
    .map((file) => ({ file, text: readFileSync(path.join(root, file), "latin1") }));
}

function expectNothingSecretOnDisk(root: string, secrets: string[]) {
  const files = filesOf(root);
  expect(files.length).toBeGreaterThan(0);
  for (const { file, text } of files) {
    for (const secret of secrets) {
      expect(text.includes(secret), `${secret.slice(0, 6)}… found in ${file}`).toBe(false);
    }
  }
}

describe("a data directory across a clean restart (library)", () => {
  it("keeps pools, clients, users, groups, passwords, sessions and sign-outs", async () => {
    const dataDir = path.join(dir, "library");
    const first = await startEmulator({ port: 0, dataDir, seed: seedFile, log: null });
    const cognito = client(first.url);
    await cognito.send(new CreateGroupCommand({ UserPoolId: POOL, GroupName: "staff" }));
    const names = ["kept-1", "kept-2", "kept-3"];
    for (const Username of names) {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL,
          Username,
          MessageAction: "SUPPRESS",
          TemporaryPassword: TEMPORARY,
          UserAttributes: [
            { Name: "email", Value: `${Username}@example.com` },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      );
    }
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL,
        Username: "kept-1",
        Password: PERMANENT,
        Permanent: true,
      }),
    );
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: POOL, Username: "kept-1", GroupName: "staff" }),
    );
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: POOL, Username: "kept-3" }));
    const kept = (await signIn(cognito, "kept-1@example.com", PERMANENT)).AuthenticationResult;
    const signedOut = (await signIn(cognito, "seeded", SEEDED)).AuthenticationResult;
    // The seeded user picks a new password; the seed must not put the old one back.
    await cognito.send(
      new ChangePasswordCommand({
        AccessToken: signedOut?.AccessToken,
        PreviousPassword: SEEDED,
        ProposedPassword: PERMANENT,
      }),
    );
    await cognito.send(new GlobalSignOutCommand({ AccessToken: signedOut?.AccessToken }));
    const kidBefore = await kid(first.url);
    cognito.destroy();
    await first.stop();

    const second = await startEmulator({ port: 0, dataDir, seed: seedFile, log: null });
    const again = client(second.url);
    try {
      expect(await kid(second.url)).toBe(kidBefore);
      const { UserPoolClient } = await again.send(
        new DescribeUserPoolClientCommand({ UserPoolId: POOL, ClientId: CLIENT }),
      );
      expect(UserPoolClient?.ClientName).toBe("web");
      const listed = await again.send(new ListUsersCommand({ UserPoolId: POOL }));
      expect(listed.Users?.map((u) => u.Username).sort()).toEqual([...names, "seeded"].sort());
      const third = await again.send(
        new AdminGetUserCommand({ UserPoolId: POOL, Username: "kept-3" }),
      );
      expect(third.Enabled).toBe(false);

      // Passwords: permanent, temporary (still a challenge) and the changed seeded one.
      const tokens = (await signIn(again, "kept-1@example.com", PERMANENT)).AuthenticationResult;
      expect(decodeJwt(tokens?.AccessToken ?? "")["cognito:groups"]).toEqual(["staff"]);
      expect((await signIn(again, "kept-2", TEMPORARY)).ChallengeName).toBe(
        "NEW_PASSWORD_REQUIRED",
      );
      await signIn(again, "seeded", PERMANENT);
      await expect(signIn(again, "seeded", SEEDED)).rejects.toMatchObject({
        name: "NotAuthorizedException",
      });

      // Tokens from before the restart: still valid, or still revoked.
      expect(
        (await again.send(new GetUserCommand({ AccessToken: kept?.AccessToken }))).Username,
      ).toBe("kept-1");
      await refresh(again, kept?.RefreshToken ?? "");
      await expect(
        again.send(new GetUserCommand({ AccessToken: signedOut?.AccessToken })),
      ).rejects.toMatchObject({
        name: "NotAuthorizedException",
        message: "Access Token has been revoked",
      });
      await expect(refresh(again, signedOut?.RefreshToken ?? "")).rejects.toMatchObject({
        name: "NotAuthorizedException",
        message: "Refresh Token has been revoked",
      });
    } finally {
      again.destroy();
      await second.stop();
    }
    expectNothingSecretOnDisk(dataDir, [
      TEMPORARY,
      PERMANENT,
      SEEDED,
      kept?.RefreshToken ?? "",
      signedOut?.RefreshToken ?? "",
    ]);
  });
});

describe("pool administration across a restart (library)", () => {
  it("keeps updated settings, custom attributes, MFA, deleted clients, groups, attributes and address usernames", async () => {
    const dataDir = path.join(dir, "administration");
    const first = await startEmulator({ port: 0, dataDir, log: null });
    const cognito = client(first.url);
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: "administered",
        Schema: [{ Name: "tenant", AttributeDataType: "String", Mutable: false }],
      }),
    );
    const UserPoolId = created.UserPool?.Id ?? "";
    await cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId,
        Policies: { PasswordPolicy: { MinimumLength: 14 } },
        UserPoolTags: { kept: "yes" },
      }),
    );
    await cognito.send(
      new AddCustomAttributesCommand({
        UserPoolId,
        CustomAttributes: [{ Name: "plan", AttributeDataType: "String" }],
      }),
    );
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: "OPTIONAL",
      }),
    );
    const clientIds: string[] = [];
    for (const ClientName of ["kept", "deleted"]) {
      const made = await cognito.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName }));
      clientIds.push(made.UserPoolClient?.ClientId ?? "");
    }
    await cognito.send(new DeleteUserPoolClientCommand({ UserPoolId, ClientId: clientIds[1] }));
    await cognito.send(new CreateGroupCommand({ UserPoolId, GroupName: "crew", Precedence: 9 }));
    await cognito.send(
      new UpdateGroupCommand({ UserPoolId, GroupName: "crew", Precedence: 2, Description: "new" }),
    );
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: "custom",
        MessageAction: "SUPPRESS",
        TemporaryPassword: "Durable-Temp-Passw0rd-ABCD",
        UserAttributes: [
          { Name: "custom:tenant", Value: "acme" },
          { Name: "custom:plan", Value: "pro" },
          { Name: "given_name", Value: "Gone" },
        ],
      }),
    );
    await cognito.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId,
        Username: "custom",
        UserAttributeNames: ["given_name"],
      }),
    );
    const byEmail = await cognito.send(
      new CreateUserPoolCommand({ PoolName: "by-email", UsernameAttributes: ["email"] }),
    );
    const emailPoolId = byEmail.UserPool?.Id ?? "";
    const invited = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: emailPoolId,
        Username: "ada@example.com",
        MessageAction: "SUPPRESS",
      }),
    );
    cognito.destroy();
    await first.stop();

    const second = await startEmulator({ port: 0, dataDir, log: null });
    const again = client(second.url);
    try {
      const pool = (await again.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool;
      expect(pool?.Policies?.PasswordPolicy?.MinimumLength).toBe(14);
      expect(pool?.UserPoolTags).toEqual({ kept: "yes" });
      expect(pool?.MfaConfiguration).toBe("OPTIONAL");
      expect(pool?.SchemaAttributes?.map((a) => a.Name)).toEqual(
        expect.arrayContaining(["custom:tenant", "custom:plan"]),
      );
      const mfa = await again.send(new GetUserPoolMfaConfigCommand({ UserPoolId }));
      expect(mfa.SoftwareTokenMfaConfiguration).toEqual({ Enabled: true });
      const clients = await again.send(
        new ListUserPoolClientsCommand({ UserPoolId, MaxResults: 10 }),
      );
      expect(clients.UserPoolClients?.map((c) => c.ClientId)).toEqual([clientIds[0]]);
      const group = await again.send(new GetGroupCommand({ UserPoolId, GroupName: "crew" }));
      expect(group.Group).toMatchObject({ Precedence: 2, Description: "new" });
      const user = await again.send(new AdminGetUserCommand({ UserPoolId, Username: "custom" }));
      const names = user.UserAttributes?.map((a) => a.Name);
      expect(names).toEqual(expect.arrayContaining(["custom:tenant", "custom:plan"]));
      expect(names).not.toContain("given_name");
      await expect(
        again.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId,
            Username: "custom",
            UserAttributes: [{ Name: "custom:tenant", Value: "other" }],
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
      // The address that stands in for the username still finds the user, and still is taken.
      const ada = await again.send(
        new AdminGetUserCommand({ UserPoolId: emailPoolId, Username: "ada@example.com" }),
      );
      expect(ada.Username).toBe(invited.User?.Username);
      await expect(
        again.send(
          new AdminCreateUserCommand({
            UserPoolId: emailPoolId,
            Username: "ada@example.com",
            MessageAction: "SUPPRESS",
          }),
        ),
      ).rejects.toMatchObject({ name: "AliasExistsException" });
    } finally {
      again.destroy();
      await second.stop();
    }
  });
});

describe("kill -9 of the CLI", () => {
  const dataDir = path.join(dir, "cli");

  it("keeps every acknowledged write, the same key (mode 0600), and no secret on disk", async () => {
    const first = await startCli(
      ["--port", "0", "--data-dir", dataDir, "--seed", seedFile],
      children,
    );
    const cognito = client(first.url);
    const usernames = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    // Concurrent, as a busy server would send them; each is acknowledged before the kill.
    await Promise.all(
      usernames.map((Username) =>
        cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: POOL,
            Username,
            TemporaryPassword: TEMPORARY,
            MessageAction: "SUPPRESS",
          }),
        ),
      ),
    );
    await Promise.all(
      usernames.slice(0, 10).map((Username) =>
        cognito.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: POOL,
            Username,
            Password: PERMANENT,
            Permanent: true,
          }),
        ),
      ),
    );
    const session = (await signIn(cognito, "user-0", PERMANENT)).AuthenticationResult;
    const kidBefore = await kid(first.url);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    cognito.destroy();

    const second = await startCli(
      ["--port", "0", "--data-dir", dataDir, "--seed", seedFile],
      children,
    );
    const again = client(second.url);
    try {
      const listed = await again.send(new ListUsersCommand({ UserPoolId: POOL, Limit: 60 }));
      expect(listed.Users?.map((u) => u.Username).sort()).toEqual([...usernames, "seeded"].sort());
      expect(await kid(second.url)).toBe(kidBefore);
      for (const Username of ["user-0", "user-9"]) {
        expect((await signIn(again, Username, PERMANENT)).AuthenticationResult).toBeDefined();
      }
      expect((await signIn(again, "user-10", TEMPORARY)).ChallengeName).toBe(
        "NEW_PASSWORD_REQUIRED",
      );
      await refresh(again, session?.RefreshToken ?? "");
    } finally {
      again.destroy();
      second.child.kill("SIGKILL");
      await new Promise((resolve) => second.child.once("exit", resolve));
    }

    const key = readdirSync(dataDir).find((file) => file.endsWith(".pem"));
    expect(key).toBeDefined();
    expect(statSync(path.join(dataDir, key ?? "")).mode & 0o777).toBe(0o600);
    expectNothingSecretOnDisk(dataDir, [TEMPORARY, PERMANENT, SEEDED, session?.RefreshToken ?? ""]);
    // The first CLI start after a change to src/ bundles it anew.
  }, 20_000);

  it("starts after a crash tore the journal's last line", async () => {
    const journal = readdirSync(dataDir).find((file) => file.endsWith(".jsonl"));
    expect(journal).toBeDefined();
    appendFileSync(path.join(dataDir, journal ?? ""), '{"put":"user","v":{"poolId":"us-east-1_dur');
    const third = await startCli(
      ["--port", "0", "--data-dir", dataDir, "--seed", seedFile],
      children,
    );
    const cognito = client(third.url);
    try {
      const user = await cognito.send(
        new AdminGetUserCommand({ UserPoolId: POOL, Username: "user-17" }),
      );
      expect(user.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
      expect((await signIn(cognito, "user-3", PERMANENT)).AuthenticationResult).toBeDefined();
    } finally {
      cognito.destroy();
    }
  });
});
