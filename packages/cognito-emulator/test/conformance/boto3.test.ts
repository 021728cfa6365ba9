// boto3 (Debian's `python3-boto3`, run by /usr/bin/python3) as a client: botocore's serialiser and
// parser as Python scripts and tools built on it drive Cognito. One Python process serves the whole
// file: each call is a JSON line in (operation and arguments), a JSON line out (the answer without
// its ResponseMetadata, or the error's code and message). Against the emulator it gets
// `endpoint_url` and dummy credentials; against AWS (CONFORMANCE_TARGET=aws) the default chain.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
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

const PYTHON = "/usr/bin/python3";
const installed = spawnSync(PYTHON, ["-c", "import boto3"]).status === 0;
if (!installed) {
  const message = `${PYTHON} cannot import boto3: install Debian's python3-boto3 (apt-get install -y python3-boto3) to run boto3.test.ts`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`SKIPPING the boto3 conformance suite: ${message}`);
}

const SERVER = `
import json, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, region = sys.argv[1], sys.argv[2]
client = boto3.client(
    "cognito-idp",
    region_name=region,
    endpoint_url=endpoint or None,
    config=Config(retries={"max_attempts": 1, "mode": "standard"}),
)
for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = getattr(client, request["operation"])(**request["arguments"])
        answer.pop("ResponseMetadata", None)
        reply = {"ok": answer}
    except ClientError as error:
        reply = {"error": {"name": error.response["Error"]["Code"], "message": error.response["Error"].get("Message", "")}}
    except Exception as error:
        reply = {"error": {"name": "Python" + type(error).__name__, "message": str(error)}}
    print(json.dumps(reply, default=str), flush=True)
`;

// biome-ignore lint/suspicious/noExplicitAny: botocore answers are JSON whose shape each test checks.
type Answer = Record<string, any>;

class Boto3Error extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

let target: Target;
let python: ChildProcessWithoutNullStreams;
let pending: ((line: string) => void)[] = [];

/** Calls `client.<operation>(**arguments)` in the Python process. */
function boto3(operation: string, args: Answer = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    pending.push((line) => {
      const reply = JSON.parse(line) as { ok?: Answer; error?: { name: string; message: string } };
      if (reply.error) reject(new Boto3Error(reply.error.name, reply.error.message));
      else resolve(reply.ok ?? {});
    });
    python.stdin.write(`${JSON.stringify({ operation, arguments: args })}\n`);
  });
}

const attr = (list: { Name: string; Value: string }[] | undefined, name: string) =>
  list?.find((a) => a.Name === name)?.Value;
const POLICY = {
  PasswordPolicy: {
    MinimumLength: 10,
    RequireUppercase: true,
    RequireLowercase: true,
    RequireNumbers: true,
    RequireSymbols: false,
  },
};
const FLOWS = [
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
  "ALLOW_USER_SRP_AUTH",
];
const pools: string[] = [];

async function createPool(settings: Answer = {}): Promise<string> {
  const created = await boto3("create_user_pool", {
    PoolName: unique("boto"),
    Policies: POLICY,
    ...settings,
  });
  const id = created.UserPool.Id as string;
  pools.push(id);
  return id;
}
async function createClient(UserPoolId: string, settings: Answer = {}): Promise<string> {
  const created = await boto3("create_user_pool_client", {
    UserPoolId,
    ClientName: "boto",
    ExplicitAuthFlows: FLOWS,
    ...settings,
  });
  return created.UserPoolClient.ClientId as string;
}
async function createUser(UserPoolId: string, email = `${unique("boto")}@example.com`) {
  const username = unique("boto-");
  await boto3("admin_create_user", {
    UserPoolId,
    Username: username,
    MessageAction: "SUPPRESS",
    TemporaryPassword: TEMPORARY,
    UserAttributes: [
      { Name: "email", Value: email },
      { Name: "email_verified", Value: "True" },
    ],
  });
  await boto3("admin_set_user_password", {
    UserPoolId,
    Username: username,
    Password: PASSWORD,
    Permanent: true,
  });
  return { username, email };
}

let poolId: string;
let clientId: string;
const signIn = (USERNAME: string, PASSWORD_ = PASSWORD, pool = poolId, client = clientId) =>
  boto3("admin_initiate_auth", {
    UserPoolId: pool,
    ClientId: client,
    AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME, PASSWORD: PASSWORD_ },
  });
const outboxCode = async (destination: string) =>
  (await target.outbox()).filter((m) => m.destination === destination).at(-1)?.code ?? "";

beforeAll(async () => {
  if (!installed) return;
  target = await openTarget();
  const env = target.url
    ? {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_CONFIG_FILE: "/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
        AWS_EC2_METADATA_DISABLED: "true",
      }
    : process.env;
  python = spawn(PYTHON, ["-c", SERVER, target.url ?? "", target.region], { env });
  const stderr: string[] = [];
  python.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  python.on("exit", (code) => {
    for (const waiting of pending.splice(0)) {
      waiting(
        JSON.stringify({
          error: { name: "PythonExited", message: `exit ${code}: ${stderr.join("")}` },
        }),
      );
    }
  });
  createInterface({ input: python.stdout }).on("line", (line) => {
    const next = pending.shift();
    next?.(line);
  });
  poolId = await createPool({
    AliasAttributes: ["email"],
    AutoVerifiedAttributes: ["email"],
    UsernameConfiguration: { CaseSensitive: false },
    Schema: [{ Name: "team", AttributeDataType: "String", Mutable: true }],
  });
  clientId = await createClient(poolId, { PreventUserExistenceErrors: "ENABLED" });
}, 60_000);

afterAll(async () => {
  if (!installed) return;
  for (const id of pools) {
    await boto3("update_user_pool", { UserPoolId: id, DeletionProtection: "INACTIVE" }).catch(
      () => {},
    );
    await boto3("delete_user_pool", { UserPoolId: id }).catch(() => {});
  }
  python.stdin.end();
  pending = [];
  await target?.stop();
}, 60_000);

describe.skipIf(!installed)("boto3: pools and clients", () => {
  it("create_user_pool and describe_user_pool: the full schema and the settings given", async () => {
    const pool = (await boto3("describe_user_pool", { UserPoolId: poolId })).UserPool;
    expect(pool.Id).toBe(poolId);
    expect(pool.AliasAttributes).toEqual(["email"]);
    expect(pool.Policies.PasswordPolicy.MinimumLength).toBe(10);
    // botocore parses the dates into datetimes: the emulator sent numbers it could parse.
    expect(typeof pool.CreationDate).toBe("string");
    const names = (pool.SchemaAttributes as { Name: string }[]).map((a) => a.Name);
    expect(names).toEqual(
      expect.arrayContaining(["sub", "email", "phone_number", "updated_at", "custom:team"]),
    );
    const listed = await boto3("list_user_pools", { MaxResults: 60 });
    expect((listed.UserPools as { Id: string }[]).map((p) => p.Id)).toContain(poolId);
  });

  it("refuses settings Cognito refuses", async () => {
    await expectError(
      boto3("create_user_pool", {
        PoolName: unique("boto"),
        Policies: { PasswordPolicy: { MinimumLength: 100 } },
      }),
      "InvalidParameterException",
    );
    await expectError(
      boto3("create_user_pool", {
        PoolName: unique("boto"),
        Schema: [{ Name: "x", AttributeDataType: "Float" }],
      }),
      "InvalidParameterException",
    );
    await expectError(
      boto3("create_group", {
        UserPoolId: poolId,
        GroupName: unique("g"),
        RoleArn: "not-an-arn-but-twenty-characters",
      }),
      "InvalidParameterException",
    );
  });

  it("update_user_pool, add_custom_attributes, the MFA configuration", async () => {
    const id = await createPool();
    await boto3("update_user_pool", {
      UserPoolId: id,
      AutoVerifiedAttributes: ["email"],
      Policies: { PasswordPolicy: { ...POLICY.PasswordPolicy, MinimumLength: 14 } },
    });
    await boto3("add_custom_attributes", {
      UserPoolId: id,
      CustomAttributes: [{ Name: "tier", AttributeDataType: "Number", Mutable: true }],
    });
    const pool = (await boto3("describe_user_pool", { UserPoolId: id })).UserPool;
    expect(pool.AutoVerifiedAttributes).toEqual(["email"]);
    expect(pool.Policies.PasswordPolicy.MinimumLength).toBe(14);
    expect((pool.SchemaAttributes as { Name: string }[]).map((a) => a.Name)).toContain(
      "custom:tier",
    );
    await expectError(
      boto3("add_custom_attributes", {
        UserPoolId: id,
        CustomAttributes: [{ Name: "tier", AttributeDataType: "String" }],
      }),
      "InvalidParameterException",
    );
    expect((await boto3("get_user_pool_mfa_config", { UserPoolId: id })).MfaConfiguration).toBe(
      "OFF",
    );
    const set = await boto3("set_user_pool_mfa_config", {
      UserPoolId: id,
      MfaConfiguration: "OFF",
    });
    expect(set.MfaConfiguration).toBe("OFF");
  });

  it("clients: create with a secret, describe, update, list, delete", async () => {
    const id = await createClient(poolId, { GenerateSecret: true });
    const described = (
      await boto3("describe_user_pool_client", { UserPoolId: poolId, ClientId: id })
    ).UserPoolClient;
    expect(described.ClientSecret).toEqual(expect.any(String));
    await boto3("update_user_pool_client", {
      UserPoolId: poolId,
      ClientId: id,
      ClientName: "renamed",
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const listed = await boto3("list_user_pool_clients", { UserPoolId: poolId, MaxResults: 60 });
    expect(listed.UserPoolClients).toEqual(
      expect.arrayContaining([expect.objectContaining({ ClientId: id, ClientName: "renamed" })]),
    );
    await boto3("delete_user_pool_client", { UserPoolId: poolId, ClientId: id });
    await expectError(
      boto3("describe_user_pool_client", { UserPoolId: poolId, ClientId: id }),
      "ResourceNotFoundException",
    );
  });
});

describe.skipIf(!installed)("boto3: users and groups", () => {
  it("the admin lifecycle: create, get, update and delete attributes, disable, enable, delete", async () => {
    const { username, email } = await createUser(poolId);
    const got = await boto3("admin_get_user", { UserPoolId: poolId, Username: username });
    expect(got.UserStatus).toBe("CONFIRMED");
    expect(attr(got.UserAttributes, "email")).toBe(email);
    expect(attr(got.UserAttributes, "email_verified")).toBe("true");
    await boto3("admin_update_user_attributes", {
      UserPoolId: poolId,
      Username: username,
      UserAttributes: [
        { Name: "name", Value: "Ada" },
        { Name: "custom:team", Value: "blue" },
      ],
    });
    await boto3("admin_delete_user_attributes", {
      UserPoolId: poolId,
      Username: username,
      UserAttributeNames: ["name"],
    });
    const updated = await boto3("admin_get_user", { UserPoolId: poolId, Username: username });
    expect(attr(updated.UserAttributes, "name")).toBeUndefined();
    expect(attr(updated.UserAttributes, "custom:team")).toBe("blue");
    await boto3("admin_disable_user", { UserPoolId: poolId, Username: username });
    await expectError(signIn(username), "NotAuthorizedException", "User is disabled.");
    await boto3("admin_enable_user", { UserPoolId: poolId, Username: username });
    await signIn(username);
    await boto3("admin_delete_user", { UserPoolId: poolId, Username: username });
    await expectError(
      boto3("admin_get_user", { UserPoolId: poolId, Username: username }),
      "UserNotFoundException",
    );
  });

  it("refuses attributes outside the schema and a phone number that is not E.164", async () => {
    const create = (Name: string, Value: string) =>
      boto3("admin_create_user", {
        UserPoolId: poolId,
        Username: unique("boto-"),
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name, Value }],
      });
    await expectError(create("custom:nosuch", "x"), "InvalidParameterException");
    await expectError(create("phone_number", "555-0100"), "InvalidParameterException");
    await expectError(create("email_verified", "maybe"), "InvalidParameterException");
  });

  it("list_users: filters (status in any case, email prefix) and pages", async () => {
    const tag = unique("bolist");
    for (let i = 0; i < 3; i++) await createUser(poolId, `${tag}${i}@example.com`);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await boto3("list_users", {
        UserPoolId: poolId,
        Filter: `email ^= "${tag}"`,
        Limit: 2,
        ...(token ? { PaginationToken: token } : {}),
      });
      seen.push(...(page.Users as { Username: string }[]).map((u) => u.Username));
      token = page.PaginationToken;
    } while (token);
    expect(seen).toHaveLength(3);
    const confirmed = await boto3("list_users", {
      UserPoolId: poolId,
      Filter: 'cognito:user_status = "Confirmed"',
    });
    expect(confirmed.Users.length).toBeGreaterThanOrEqual(3);
  });

  it("groups: create, update, get, members, list, delete", async () => {
    const { username } = await createUser(poolId);
    const group = unique("g");
    await boto3("create_group", { UserPoolId: poolId, GroupName: group, Precedence: 2 });
    await boto3("update_group", {
      UserPoolId: poolId,
      GroupName: group,
      Description: "editors",
      Precedence: 1,
    });
    expect(
      (await boto3("get_group", { UserPoolId: poolId, GroupName: group })).Group,
    ).toMatchObject({ GroupName: group, Description: "editors", Precedence: 1 });
    await boto3("admin_add_user_to_group", {
      UserPoolId: poolId,
      Username: username,
      GroupName: group,
    });
    const members = await boto3("list_users_in_group", { UserPoolId: poolId, GroupName: group });
    expect(members.Users.map((u: { Username: string }) => u.Username)).toEqual([username]);
    const groups = await boto3("admin_list_groups_for_user", {
      UserPoolId: poolId,
      Username: username,
    });
    expect(groups.Groups.map((g: { GroupName: string }) => g.GroupName)).toEqual([group]);
    await boto3("admin_remove_user_from_group", {
      UserPoolId: poolId,
      Username: username,
      GroupName: group,
    });
    await boto3("delete_group", { UserPoolId: poolId, GroupName: group });
    await expectError(
      boto3("get_group", { UserPoolId: poolId, GroupName: group }),
      "ResourceNotFoundException",
    );
  });
});

describe.skipIf(!installed)("boto3: sign-in and the token holder", () => {
  it("admin_initiate_auth and initiate_auth by email alias; refresh; get_user; global_sign_out", async () => {
    const { username, email } = await createUser(poolId);
    const admin = await signIn(email);
    expect(admin.AuthenticationResult.TokenType).toBe("Bearer");
    const user = await boto3("initiate_auth", {
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD },
    });
    const { AccessToken, RefreshToken } = user.AuthenticationResult;
    const refreshed = await boto3("initiate_auth", {
      ClientId: clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: RefreshToken },
    });
    expect(refreshed.AuthenticationResult.RefreshToken).toBeUndefined();
    const me = await boto3("get_user", { AccessToken: refreshed.AuthenticationResult.AccessToken });
    expect(me.Username).toBe(username);
    await boto3("global_sign_out", { AccessToken });
    await expectError(
      boto3("get_user", { AccessToken }),
      "NotAuthorizedException",
      "Access Token has been revoked",
    );
    await expectError(signIn(email, "Wrong-Passw0rd"), "NotAuthorizedException");
  });

  it("NEW_PASSWORD_REQUIRED answered with respond_to_auth_challenge", async () => {
    const username = unique("boto-");
    await boto3("admin_create_user", {
      UserPoolId: poolId,
      Username: username,
      MessageAction: "SUPPRESS",
      TemporaryPassword: TEMPORARY,
    });
    const challenge = await boto3("initiate_auth", {
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: TEMPORARY },
    });
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    const answered = await boto3("respond_to_auth_challenge", {
      ClientId: clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: PASSWORD },
    });
    expect(answered.AuthenticationResult.AccessToken).toBeTruthy();
  });

  it.skipIf(onAws)(
    "update_user_attributes, verify_user_attribute, delete_user_attributes, delete_user",
    async () => {
      const { username } = await createUser(poolId);
      const access = (await signIn(username)).AuthenticationResult.AccessToken as string;
      const moved = `${unique("bomoved")}@example.com`;
      const updated = await boto3("update_user_attributes", {
        AccessToken: access,
        UserAttributes: [
          { Name: "email", Value: moved },
          { Name: "nickname", Value: "Nick" },
        ],
      });
      expect(updated.CodeDeliveryDetailsList[0]).toMatchObject({
        AttributeName: "email",
        DeliveryMedium: "EMAIL",
      });
      await boto3("verify_user_attribute", {
        AccessToken: access,
        AttributeName: "email",
        Code: await outboxCode(moved),
      });
      await boto3("delete_user_attributes", {
        AccessToken: access,
        UserAttributeNames: ["nickname"],
      });
      const me = await boto3("get_user", { AccessToken: access });
      expect(attr(me.UserAttributes, "email")).toBe(moved);
      expect(attr(me.UserAttributes, "email_verified")).toBe("true");
      expect(attr(me.UserAttributes, "nickname")).toBeUndefined();
      await boto3("delete_user", { AccessToken: access });
      await expectError(
        boto3("admin_get_user", { UserPoolId: poolId, Username: username }),
        "UserNotFoundException",
      );
    },
  );

  it.skipIf(onAws)(
    "forgot_password and confirm_forgot_password with the emailed code",
    async () => {
      const { username, email } = await createUser(poolId);
      const sent = await boto3("forgot_password", { ClientId: clientId, Username: email });
      expect(sent.CodeDeliveryDetails.DeliveryMedium).toBe("EMAIL");
      await boto3("confirm_forgot_password", {
        ClientId: clientId,
        Username: email,
        ConfirmationCode: await outboxCode(email),
        Password: "Reset-Passw0rd-1",
      });
      await signIn(username, "Reset-Passw0rd-1");
    },
  );
});

describe.skipIf(!installed)("boto3: pool behaviours", () => {
  it.skipIf(onAws)("sign_up and confirm_sign_up on an open pool", async () => {
    const id = await createPool({ AutoVerifiedAttributes: ["email"] });
    const client = await createClient(id);
    const username = unique("boto-");
    const email = `${unique("bosignup")}@example.com`;
    const signedUp = await boto3("sign_up", {
      ClientId: client,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: "email", Value: email }],
    });
    expect(signedUp.UserConfirmed).toBe(false);
    expect(signedUp.CodeDeliveryDetails.DeliveryMedium).toBe("EMAIL");
    await boto3("confirm_sign_up", {
      ClientId: client,
      Username: username,
      ConfirmationCode: await outboxCode(email),
    });
    expect((await boto3("admin_get_user", { UserPoolId: id, Username: username })).UserStatus).toBe(
      "CONFIRMED",
    );
  });

  it.skipIf(onAws)("admin_create_user without SUPPRESS emails the temporary password", async () => {
    const username = unique("boto-");
    const email = `${unique("boinvite")}@example.com`;
    await boto3("admin_create_user", {
      UserPoolId: poolId,
      Username: username,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    });
    const invitation = (await target.outbox()).filter((m) => m.destination === email).at(-1);
    expect(invitation?.username).toBe(username);
  });

  it("a pool with email as the username: a generated username, the address in email", async () => {
    const id = await createPool({ UsernameAttributes: ["email"] });
    const email = `${unique("bouser")}@example.com`;
    const created = await boto3("admin_create_user", {
      UserPoolId: id,
      Username: email,
      MessageAction: "SUPPRESS",
    });
    expect(created.User.Username).toMatch(/^[0-9a-f-]{36}$/);
    expect(attr(created.User.Attributes, "email")).toBe(email);
    await expectError(
      boto3("admin_create_user", {
        UserPoolId: id,
        Username: email,
        MessageAction: "SUPPRESS",
      }),
      "AliasExistsException",
    );
    await expectError(
      boto3("admin_create_user", {
        UserPoolId: id,
        Username: "not-an-email",
        MessageAction: "SUPPRESS",
      }),
      "InvalidParameterException",
      "Username should be either an email or a phone number.",
    );
  });

  it("admin_only recovery: forgot_password is refused", async () => {
    const id = await createPool({
      AccountRecoverySetting: { RecoveryMechanisms: [{ Priority: 1, Name: "admin_only" }] },
    });
    const client = await createClient(id);
    const { username } = await createUser(id);
    await expectError(
      boto3("forgot_password", { ClientId: client, Username: username }),
      "NotAuthorizedException",
    );
  });
});
