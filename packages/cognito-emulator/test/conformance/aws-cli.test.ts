// The AWS CLI (Debian's `awscli`, /usr/bin/aws) as a client: botocore's serialiser and the CLI's own
// argument parsing (shorthand, JSON, automatic paging), as scripts drive Cognito. Each call is one
// `aws cognito-idp ...` process with `--endpoint-url` and dummy credentials from the environment;
// against AWS (CONFORMANCE_TARGET=aws) the default chain is used and no endpoint is given.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectError,
  onAws,
  openTarget,
  PASSWORD,
  type Target,
  TEMPORARY,
  unique,
} from "./harness.ts";

const AWS = "/usr/bin/aws";
const installed = existsSync(AWS);
if (!installed) {
  const message = `${AWS} is missing: install Debian's AWS CLI (apt-get install -y awscli) to run aws-cli.test.ts`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`SKIPPING the AWS CLI conformance suite: ${message}`);
}

// Every CLI process takes about a second of CPU to start; on a machine busy with other work a test
// of a dozen calls has been seen to take three minutes.
const SLOW = 600_000;

/** The Cognito error the CLI printed, named as the SDKs name it. */
class CliError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

let target: Target;
const home = mkdtempSync(path.join(tmpdir(), "aws-cli-"));
const pools: string[] = [];

/** Runs `aws cognito-idp <args>` and returns its JSON answer, or throws the Cognito error it printed. */
function aws(...args: string[]): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = target.url
    ? {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_DEFAULT_REGION: target.region,
        AWS_CONFIG_FILE: path.join(home, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_MAX_ATTEMPTS: "1",
        AWS_PAGER: "",
      }
    : { ...process.env, AWS_PAGER: "" };
  const endpoint = target.url ? ["--endpoint-url", target.url] : [];
  return new Promise((resolve, reject) => {
    execFile(
      AWS,
      ["cognito-idp", ...args, ...endpoint, "--region", target.region, "--output", "json"],
      { env, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, unknown>));
          return;
        }
        const match =
          /An error occurred \((\w+)\) when calling the \w+ operation(?: \([^)]*\))?: (.*)/s.exec(
            stderr,
          );
        if (match) reject(new CliError(match[1] ?? "", (match[2] ?? "").trim()));
        else reject(new Error(`aws ${args[0]} failed: ${stderr || error.message}`));
      },
    );
  });
}

const attr = (list: unknown, name: string) =>
  (list as { Name: string; Value: string }[] | undefined)?.find((a) => a.Name === name)?.Value;

async function createPool(...args: string[]): Promise<string> {
  const created = await aws("create-user-pool", "--pool-name", unique("cli"), ...args);
  const id = (created.UserPool as { Id?: string } | undefined)?.Id ?? "";
  expect(id).toMatch(/^[\w-]+_[0-9a-zA-Z]+$/);
  pools.push(id);
  return id;
}

async function createClient(poolId: string, ...args: string[]): Promise<string> {
  const created = await aws(
    "create-user-pool-client",
    "--user-pool-id",
    poolId,
    "--client-name",
    "cli",
    ...args,
  );
  return (created.UserPoolClient as { ClientId: string }).ClientId;
}

/** A confirmed user with a verified email and PASSWORD as permanent password. */
async function createUser(poolId: string, email = `${unique("cli")}@example.com`) {
  const username = unique("cli-");
  await aws(
    "admin-create-user",
    "--user-pool-id",
    poolId,
    "--username",
    username,
    "--message-action",
    "SUPPRESS",
    "--temporary-password",
    TEMPORARY,
    "--user-attributes",
    `Name=email,Value=${email}`,
    "Name=email_verified,Value=True",
  );
  await aws(
    "admin-set-user-password",
    "--user-pool-id",
    poolId,
    "--username",
    username,
    "--password",
    PASSWORD,
    "--permanent",
  );
  return { username, email };
}

const PASSWORD_POLICY =
  "PasswordPolicy={MinimumLength=10,RequireUppercase=true,RequireLowercase=true,RequireNumbers=true,RequireSymbols=false}";
const FLOWS = [
  "--explicit-auth-flows",
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
  "ALLOW_USER_SRP_AUTH",
];

let poolId: string;
let clientId: string;

beforeAll(async () => {
  if (!installed) return;
  target = await openTarget();
  poolId = await createPool(
    "--alias-attributes",
    "email",
    "--auto-verified-attributes",
    "email",
    "--username-configuration",
    "CaseSensitive=false",
    "--policies",
    PASSWORD_POLICY,
    "--schema",
    "Name=team,AttributeDataType=String,Mutable=true",
  );
  clientId = await createClient(poolId, ...FLOWS, "--prevent-user-existence-errors", "ENABLED");
}, SLOW);

afterAll(async () => {
  if (!installed) return;
  for (const id of pools) {
    await aws("update-user-pool", "--user-pool-id", id, "--deletion-protection", "INACTIVE").catch(
      () => {},
    );
    await aws("delete-user-pool", "--user-pool-id", id).catch(() => {});
  }
  await target?.stop();
  rmSync(home, { recursive: true, force: true });
}, SLOW);

describe.skipIf(!installed)("aws cognito-idp: pools and clients", () => {
  it(
    "create-user-pool and describe-user-pool: the full schema and the settings given",
    async () => {
      const described = await aws("describe-user-pool", "--user-pool-id", poolId);
      const pool = described.UserPool as Record<string, unknown>;
      expect(pool.Id).toBe(poolId);
      expect(pool.AliasAttributes).toEqual(["email"]);
      expect(pool.AutoVerifiedAttributes).toEqual(["email"]);
      const schema = (pool.SchemaAttributes as { Name: string }[]).map((a) => a.Name);
      expect(schema).toEqual(
        expect.arrayContaining(["sub", "email", "email_verified", "custom:team"]),
      );
      expect(
        (pool.Policies as { PasswordPolicy: { MinimumLength: number } }).PasswordPolicy
          .MinimumLength,
      ).toBe(10);
      const listed = await aws("list-user-pools", "--max-results", "60");
      expect((listed.UserPools as { Id: string }[]).map((p) => p.Id)).toContain(poolId);
    },
    SLOW,
  );

  it(
    "refuses a password policy longer than 99 and a custom attribute of an unknown type",
    async () => {
      await expectError(
        aws(
          "create-user-pool",
          "--pool-name",
          unique("cli"),
          "--policies",
          "PasswordPolicy={MinimumLength=100}",
        ),
        "InvalidParameterException",
      );
      await expectError(
        aws(
          "create-user-pool",
          "--pool-name",
          unique("cli"),
          "--schema",
          "Name=bad,AttributeDataType=Float",
        ),
        "InvalidParameterException",
      );
    },
    SLOW,
  );

  it(
    "update-user-pool, add-custom-attributes and the MFA configuration",
    async () => {
      const id = await createPool("--policies", PASSWORD_POLICY);
      await aws(
        "update-user-pool",
        "--user-pool-id",
        id,
        "--auto-verified-attributes",
        "email",
        "--policies",
        "PasswordPolicy={MinimumLength=12,RequireUppercase=false,RequireLowercase=true,RequireNumbers=false,RequireSymbols=false}",
      );
      await aws(
        "add-custom-attributes",
        "--user-pool-id",
        id,
        "--custom-attributes",
        "Name=tier,AttributeDataType=Number,Mutable=true",
      );
      const pool = (await aws("describe-user-pool", "--user-pool-id", id)).UserPool as Record<
        string,
        unknown
      >;
      expect(pool.AutoVerifiedAttributes).toEqual(["email"]);
      expect(
        (pool.Policies as { PasswordPolicy: { MinimumLength: number } }).PasswordPolicy
          .MinimumLength,
      ).toBe(12);
      expect((pool.SchemaAttributes as { Name: string }[]).map((a) => a.Name)).toContain(
        "custom:tier",
      );
      const mfa = await aws("get-user-pool-mfa-config", "--user-pool-id", id);
      expect(mfa.MfaConfiguration).toBe("OFF");
      const set = await aws(
        "set-user-pool-mfa-config",
        "--user-pool-id",
        id,
        "--mfa-configuration",
        "OFF",
      );
      expect(set.MfaConfiguration).toBe("OFF");
    },
    SLOW,
  );

  it(
    "clients: create, describe, update, list, delete",
    async () => {
      const id = await createClient(poolId, ...FLOWS, "--generate-secret");
      const described = (
        await aws("describe-user-pool-client", "--user-pool-id", poolId, "--client-id", id)
      ).UserPoolClient as Record<string, unknown>;
      expect(described.ClientSecret).toEqual(expect.any(String));
      expect(described.ExplicitAuthFlows).toEqual(FLOWS.slice(1));
      await aws(
        "update-user-pool-client",
        "--user-pool-id",
        poolId,
        "--client-id",
        id,
        "--client-name",
        "renamed",
        "--explicit-auth-flows",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      );
      const listed = await aws("list-user-pool-clients", "--user-pool-id", poolId);
      expect(listed.UserPoolClients).toEqual(
        expect.arrayContaining([expect.objectContaining({ ClientId: id, ClientName: "renamed" })]),
      );
      await aws("delete-user-pool-client", "--user-pool-id", poolId, "--client-id", id);
      await expectError(
        aws("describe-user-pool-client", "--user-pool-id", poolId, "--client-id", id),
        "ResourceNotFoundException",
      );
    },
    SLOW,
  );
});

describe.skipIf(!installed)("aws cognito-idp: users", () => {
  it(
    "the admin lifecycle: create, get, update and delete attributes, disable, enable, delete",
    async () => {
      const { username, email } = await createUser(poolId);
      const got = await aws("admin-get-user", "--user-pool-id", poolId, "--username", username);
      expect(got.Username).toBe(username);
      expect(got.UserStatus).toBe("CONFIRMED");
      expect(attr(got.UserAttributes, "email")).toBe(email);
      // "True" as the CLI user typed it: Cognito takes booleans in any case.
      expect(attr(got.UserAttributes, "email_verified")).toBe("true");
      await aws(
        "admin-update-user-attributes",
        "--user-pool-id",
        poolId,
        "--username",
        username,
        "--user-attributes",
        "Name=name,Value=Ada",
        "Name=custom:team,Value=blue",
      );
      await aws(
        "admin-delete-user-attributes",
        "--user-pool-id",
        poolId,
        "--username",
        username,
        "--user-attribute-names",
        "name",
      );
      const updated = await aws("admin-get-user", "--user-pool-id", poolId, "--username", username);
      expect(attr(updated.UserAttributes, "name")).toBeUndefined();
      expect(attr(updated.UserAttributes, "custom:team")).toBe("blue");
      await aws("admin-disable-user", "--user-pool-id", poolId, "--username", username);
      await expectError(signIn(username), "NotAuthorizedException", "User is disabled.");
      await aws("admin-enable-user", "--user-pool-id", poolId, "--username", username);
      await signIn(username);
      await aws("admin-delete-user", "--user-pool-id", poolId, "--username", username);
      await expectError(
        aws("admin-get-user", "--user-pool-id", poolId, "--username", username),
        "UserNotFoundException",
      );
    },
    SLOW,
  );

  it(
    "refuses attributes outside the schema and a phone number that is not E.164",
    async () => {
      const create = (attribute: string) =>
        aws(
          "admin-create-user",
          "--user-pool-id",
          poolId,
          "--username",
          unique("cli-"),
          "--message-action",
          "SUPPRESS",
          "--user-attributes",
          attribute,
        );
      await expectError(create("Name=custom:nosuch,Value=x"), "InvalidParameterException");
      await expectError(create("Name=phone_number,Value=0123 456"), "InvalidParameterException");
    },
    SLOW,
  );

  it(
    "list-users with filters (status in any case, prefix on email), paged by the CLI itself",
    async () => {
      const tag = unique("list");
      for (let i = 0; i < 3; i++) await createUser(poolId, `${tag}${i}@example.com`);
      const byPrefix = await aws(
        "list-users",
        "--user-pool-id",
        poolId,
        "--filter",
        `email ^= "${tag}"`,
        "--page-size",
        "2",
      );
      expect((byPrefix.Users as unknown[]).length).toBe(3);
      const confirmed = await aws(
        "list-users",
        "--user-pool-id",
        poolId,
        "--filter",
        'cognito:user_status = "confirmed"',
      );
      expect((confirmed.Users as unknown[]).length).toBeGreaterThanOrEqual(3);
    },
    SLOW,
  );

  it(
    "groups: create, get, update, list, members, delete",
    async () => {
      const { username } = await createUser(poolId);
      const group = unique("g");
      await aws(
        "create-group",
        "--user-pool-id",
        poolId,
        "--group-name",
        group,
        "--precedence",
        "3",
      );
      await aws(
        "update-group",
        "--user-pool-id",
        poolId,
        "--group-name",
        group,
        "--description",
        "editors",
        "--precedence",
        "1",
      );
      const got = (await aws("get-group", "--user-pool-id", poolId, "--group-name", group))
        .Group as Record<string, unknown>;
      expect(got).toMatchObject({ GroupName: group, Description: "editors", Precedence: 1 });
      await aws(
        "admin-add-user-to-group",
        "--user-pool-id",
        poolId,
        "--username",
        username,
        "--group-name",
        group,
      );
      const members = await aws(
        "list-users-in-group",
        "--user-pool-id",
        poolId,
        "--group-name",
        group,
      );
      expect((members.Users as { Username: string }[]).map((u) => u.Username)).toEqual([username]);
      const groups = await aws(
        "admin-list-groups-for-user",
        "--user-pool-id",
        poolId,
        "--username",
        username,
      );
      expect((groups.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toEqual([group]);
      const listed = await aws("list-groups", "--user-pool-id", poolId);
      expect((listed.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toContain(group);
      await aws(
        "admin-remove-user-from-group",
        "--user-pool-id",
        poolId,
        "--username",
        username,
        "--group-name",
        group,
      );
      await aws("delete-group", "--user-pool-id", poolId, "--group-name", group);
      await expectError(
        aws("get-group", "--user-pool-id", poolId, "--group-name", group),
        "ResourceNotFoundException",
      );
    },
    SLOW,
  );
});

function signIn(login: string, password = PASSWORD) {
  return aws(
    "admin-initiate-auth",
    "--user-pool-id",
    poolId,
    "--client-id",
    clientId,
    "--auth-flow",
    "ADMIN_USER_PASSWORD_AUTH",
    "--auth-parameters",
    `USERNAME=${login},PASSWORD=${password}`,
  );
}
const accessOf = (answer: Record<string, unknown>) =>
  (answer.AuthenticationResult as { AccessToken: string }).AccessToken;

describe.skipIf(!installed)("aws cognito-idp: sign-in and the token holder", () => {
  it(
    "admin-initiate-auth and initiate-auth sign in by email alias; refresh; get-user; global-sign-out",
    async () => {
      const { username, email } = await createUser(poolId);
      const admin = await signIn(email);
      expect((admin.AuthenticationResult as { TokenType: string }).TokenType).toBe("Bearer");
      const user = await aws(
        "initiate-auth",
        "--client-id",
        clientId,
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        `USERNAME=${email},PASSWORD=${PASSWORD}`,
      );
      const result = user.AuthenticationResult as { AccessToken: string; RefreshToken: string };
      const refreshed = await aws(
        "initiate-auth",
        "--client-id",
        clientId,
        "--auth-flow",
        "REFRESH_TOKEN_AUTH",
        "--auth-parameters",
        `REFRESH_TOKEN=${result.RefreshToken}`,
      );
      const me = await aws("get-user", "--access-token", accessOf(refreshed));
      expect(me.Username).toBe(username);
      await aws("global-sign-out", "--access-token", result.AccessToken);
      await expectError(
        aws("get-user", "--access-token", result.AccessToken),
        "NotAuthorizedException",
        "Access Token has been revoked",
      );
      await expectError(
        aws(
          "initiate-auth",
          "--client-id",
          clientId,
          "--auth-flow",
          "USER_PASSWORD_AUTH",
          "--auth-parameters",
          `USERNAME=${email},PASSWORD=Wrong-Passw0rd`,
        ),
        "NotAuthorizedException",
        "Incorrect username or password.",
      );
    },
    SLOW,
  );

  it(
    "a temporary password leads to NEW_PASSWORD_REQUIRED, answered with respond-to-auth-challenge",
    async () => {
      const username = unique("cli-");
      await aws(
        "admin-create-user",
        "--user-pool-id",
        poolId,
        "--username",
        username,
        "--message-action",
        "SUPPRESS",
        "--temporary-password",
        TEMPORARY,
      );
      const challenge = await aws(
        "initiate-auth",
        "--client-id",
        clientId,
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        `USERNAME=${username},PASSWORD=${TEMPORARY}`,
      );
      expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
      const answered = await aws(
        "respond-to-auth-challenge",
        "--client-id",
        clientId,
        "--challenge-name",
        "NEW_PASSWORD_REQUIRED",
        "--session",
        String(challenge.Session),
        "--challenge-responses",
        `USERNAME=${username},NEW_PASSWORD=${PASSWORD}`,
      );
      expect(accessOf(answered)).toBeTruthy();
    },
    SLOW,
  );

  it.skipIf(onAws)(
    "update-user-attributes sends a code; verify-user-attribute, delete-user-attributes, delete-user",
    async () => {
      const { username } = await createUser(poolId);
      const access = accessOf(await signIn(username));
      const moved = `${unique("climoved")}@example.com`;
      const updated = await aws(
        "update-user-attributes",
        "--access-token",
        access,
        "--user-attributes",
        `Name=email,Value=${moved}`,
        "Name=nickname,Value=Nick",
      );
      expect(updated.CodeDeliveryDetailsList).toEqual([
        expect.objectContaining({ AttributeName: "email", DeliveryMedium: "EMAIL" }),
      ]);
      await aws(
        "get-user-attribute-verification-code",
        "--access-token",
        access,
        "--attribute-name",
        "email",
      );
      const code =
        (await target.outbox()).filter((m) => m.destination === moved).at(-1)?.code ?? "";
      await aws(
        "verify-user-attribute",
        "--access-token",
        access,
        "--attribute-name",
        "email",
        "--code",
        code,
      );
      await aws(
        "delete-user-attributes",
        "--access-token",
        access,
        "--user-attribute-names",
        "nickname",
      );
      const me = await aws("get-user", "--access-token", access);
      expect(attr(me.UserAttributes, "email_verified")).toBe("true");
      expect(attr(me.UserAttributes, "nickname")).toBeUndefined();
      await aws("delete-user", "--access-token", access);
      await expectError(
        aws("admin-get-user", "--user-pool-id", poolId, "--username", username),
        "UserNotFoundException",
      );
    },
    SLOW,
  );

  it.skipIf(onAws)(
    "forgot-password and confirm-forgot-password with the emailed code; admin-reset-user-password",
    async () => {
      const { username, email } = await createUser(poolId);
      const sent = await aws("forgot-password", "--client-id", clientId, "--username", email);
      expect((sent.CodeDeliveryDetails as { DeliveryMedium: string }).DeliveryMedium).toBe("EMAIL");
      const code =
        (await target.outbox()).filter((m) => m.destination === email).at(-1)?.code ?? "";
      await aws(
        "confirm-forgot-password",
        "--client-id",
        clientId,
        "--username",
        email,
        "--confirmation-code",
        code,
        "--password",
        "Reset-Passw0rd-1",
      );
      await signIn(username, "Reset-Passw0rd-1");
      await aws("admin-reset-user-password", "--user-pool-id", poolId, "--username", username);
      await expectError(signIn(username, "Reset-Passw0rd-1"), "PasswordResetRequiredException");
    },
    SLOW,
  );
});

describe.skipIf(!installed)("aws cognito-idp: pool behaviours", () => {
  it.skipIf(onAws)(
    "sign-up and confirm-sign-up on an open pool",
    async () => {
      const id = await createPool(
        "--auto-verified-attributes",
        "email",
        "--policies",
        PASSWORD_POLICY,
      );
      const client = await createClient(id, ...FLOWS);
      const username = unique("cli-");
      const email = `${unique("clisignup")}@example.com`;
      const signedUp = await aws(
        "sign-up",
        "--client-id",
        client,
        "--username",
        username,
        "--password",
        PASSWORD,
        "--user-attributes",
        `Name=email,Value=${email}`,
      );
      expect(signedUp.UserConfirmed).toBe(false);
      const code =
        (await target.outbox()).filter((m) => m.destination === email).at(-1)?.code ?? "";
      await aws(
        "confirm-sign-up",
        "--client-id",
        client,
        "--username",
        username,
        "--confirmation-code",
        code,
      );
      const got = await aws("admin-get-user", "--user-pool-id", id, "--username", username);
      expect(got.UserStatus).toBe("CONFIRMED");
    },
    SLOW,
  );

  it.skipIf(onAws)(
    "admin-create-user without SUPPRESS emails the temporary password",
    async () => {
      const username = unique("cli-");
      const email = `${unique("cliinvite")}@example.com`;
      await aws(
        "admin-create-user",
        "--user-pool-id",
        poolId,
        "--username",
        username,
        "--user-attributes",
        `Name=email,Value=${email}`,
        "Name=email_verified,Value=true",
      );
      const invitation = (await target.outbox()).filter((m) => m.destination === email).at(-1);
      expect(invitation?.username).toBe(username);
    },
    SLOW,
  );

  it(
    "a pool that signs in with email as the username gives users a generated username",
    async () => {
      const id = await createPool("--username-attributes", "email", "--policies", PASSWORD_POLICY);
      const email = `${unique("cliuser")}@example.com`;
      const created = await aws(
        "admin-create-user",
        "--user-pool-id",
        id,
        "--username",
        email,
        "--message-action",
        "SUPPRESS",
      );
      const user = created.User as { Username: string; Attributes: unknown };
      expect(user.Username).toMatch(/^[0-9a-f-]{36}$/);
      expect(attr(user.Attributes, "email")).toBe(email);
      await expectError(
        aws(
          "admin-create-user",
          "--user-pool-id",
          id,
          "--username",
          "not-an-email",
          "--message-action",
          "SUPPRESS",
        ),
        "InvalidParameterException",
        "Username should be either an email or a phone number.",
      );
    },
    SLOW,
  );

  it(
    "admin_only recovery: forgot-password is refused",
    async () => {
      const id = await createPool(
        "--policies",
        PASSWORD_POLICY,
        "--account-recovery-setting",
        "RecoveryMechanisms=[{Priority=1,Name=admin_only}]",
      );
      const client = await createClient(id, ...FLOWS);
      const { username } = await createUser(id);
      await expectError(
        aws("forgot-password", "--client-id", client, "--username", username),
        "NotAuthorizedException",
      );
    },
    SLOW,
  );
});
