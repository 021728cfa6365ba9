// What the conformance suites run against, and the few steps every suite repeats.
//
// Two targets, one suite:
// - default: the emulator in-process (`startEmulator({ port: 0, inMemory: true, seed })`) with a
//   ManualClock, so expiry is tested by moving time instead of waiting;
// - `CONFORMANCE_TARGET=aws` (with `AWS_REGION` and credentials from the default chain): real
//   Cognito. Each suite then creates its own throwaway pools and clients (and deletes them), because
//   what it checks depends on pool settings that cannot be changed after creation (alias
//   attributes, case sensitivity). Checks that need the emulator's clock, outbox or seed are skipped.
//
// Every call goes through a real client: the AWS SDK v3 for the admin side, amazon-cognito-identity-js
// for the browser side (see browser.ts), Amplify JS v6 (amplify.test.ts, with the storage below),
// aws-jwt-verify and jose for the tokens; the AWS CLI and boto3 drive the emulator from their own
// files (aws-cli.test.ts, boto3.test.ts).
import {
  AdminCreateUserCommand,
  type AdminCreateUserCommandInput,
  AdminInitiateAuthCommand,
  type AdminInitiateAuthCommandOutput,
  AdminSetUserPasswordCommand,
  type AttributeType,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  CreateUserPoolCommand,
  type CreateUserPoolCommandInput,
  DeleteUserPoolCommand,
  type ExplicitAuthFlowsType,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { appClientSettings, userPoolSettings } from "@gatehouse/pool-settings";
import type { Jwks } from "aws-jwt-verify/jwk";
import { expect } from "vitest";
import {
  type EmulatorOptions,
  ManualClock,
  type OutboxMessage,
  type RunningEmulator,
  startEmulator,
} from "../../src/index.ts";

/** For `it.skipIf`: what only the emulator can show (its clock, outbox, seed, options). */
export const onAws = process.env.CONFORMANCE_TARGET === "aws";

export const PASSWORD = "Permanent-Passw0rd";
export const TEMPORARY = "Temporary-Passw0rd";

/**
 * The settings of Gatehouse's own pool that the suite depends on (admin-only creation, email alias,
 * case-insensitive names), from `@gatehouse/pool-settings`: what is checked here is what deploys.
 */
export const GATEHOUSE_POOL = {
  AdminCreateUserConfig: { ...userPoolSettings.AdminCreateUserConfig },
  AliasAttributes: [...userPoolSettings.AliasAttributes],
  UsernameConfiguration: { ...userPoolSettings.UsernameConfiguration },
} satisfies Partial<CreateUserPoolCommandInput>;

/** Gatehouse's password policy (10 characters with upper, lower and a digit; no symbol needed). */
export const GATEHOUSE_PASSWORD_POLICY = { ...userPoolSettings.Policies.PasswordPolicy };

/** The flows Gatehouse's web client allows. */
export const WEB_FLOWS: ExplicitAuthFlowsType[] = [...appClientSettings.ExplicitAuthFlows];

export interface Target {
  kind: "emulator" | "aws";
  region: string;
  /** The emulator's base URL (no trailing slash); undefined against AWS. */
  url: string | undefined;
  /** identity-js's `endpoint` (with the trailing slash it needs); undefined against AWS. */
  endpoint: string | undefined;
  admin: CognitoIdentityProviderClient;
  /** The emulator's clock; null against AWS. */
  clock: ManualClock | null;
  /** Codes the emulator "sent" (ForgotPassword...), oldest first, through GET /_emulator/outbox. */
  outbox(): Promise<OutboxMessage[]>;
  jwks(poolId: string): Promise<Jwks>;
  /** The issuer tokens of this pool carry. */
  issuer(poolId: string): string;
  /** Creates a pool (deleted when the target stops) and returns its id. */
  createPool(
    input: Omit<CreateUserPoolCommandInput, "PoolName"> & { PoolName?: string },
  ): Promise<string>;
  createClient(
    poolId: string,
    input: Omit<CreateUserPoolClientCommandInput, "UserPoolId" | "ClientName"> & {
      ClientName?: string;
    },
  ): Promise<string>;
  /** Runs `body` with the emulator's clock moved forward by `ms`, then moves it back. */
  later<T>(ms: number, body: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

let sequence = 0;
/** A name no other test (or earlier run against AWS) uses. */
export const unique = (tag: string) =>
  `${tag}${process.pid.toString(36)}${Date.now().toString(36)}${(sequence++).toString(36)}`;

export async function openTarget(
  options: Pick<EmulatorOptions, "seed" | "fixedCode" | "issuer"> = {},
): Promise<Target> {
  const pools: string[] = [];
  const track = (admin: CognitoIdentityProviderClient) => ({
    createPool: async (
      input: Omit<CreateUserPoolCommandInput, "PoolName"> & { PoolName?: string },
    ) => {
      const created = await admin.send(
        new CreateUserPoolCommand({ PoolName: unique("conformance"), ...input }),
      );
      const id = created.UserPool?.Id;
      if (!id) throw new Error("CreateUserPool answered without an Id");
      pools.push(id);
      return id;
    },
    createClient: async (
      poolId: string,
      input: Omit<CreateUserPoolClientCommandInput, "UserPoolId" | "ClientName"> & {
        ClientName?: string;
      },
    ) => {
      const created = await admin.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "web", ...input }),
      );
      const id = created.UserPoolClient?.ClientId;
      if (!id) throw new Error("CreateUserPoolClient answered without a ClientId");
      return id;
    },
    dropPools: async () => {
      for (const id of pools.splice(0)) {
        if (onAws) {
          await admin
            .send(new UpdateUserPoolCommand({ UserPoolId: id, DeletionProtection: "INACTIVE" }))
            .catch(() => {});
        }
        await admin.send(new DeleteUserPoolCommand({ UserPoolId: id })).catch(() => {});
      }
    },
  });

  if (onAws) {
    const region = process.env.AWS_REGION ?? "us-east-1";
    const admin = new CognitoIdentityProviderClient({ region });
    const { dropPools, ...creators } = track(admin);
    return {
      kind: "aws",
      region,
      url: undefined,
      endpoint: undefined,
      admin,
      clock: null,
      outbox: async () => [],
      jwks: async (poolId) =>
        (await (
          await fetch(`https://cognito-idp.${region}.amazonaws.com/${poolId}/.well-known/jwks.json`)
        ).json()) as Jwks,
      issuer: (poolId) => `https://cognito-idp.${region}.amazonaws.com/${poolId}`,
      ...creators,
      later: () => {
        throw new Error("time cannot be moved on AWS");
      },
      stop: async () => {
        await dropPools();
        admin.destroy();
      },
    };
  }

  const clock = new ManualClock(Date.now());
  const emulator: RunningEmulator = await startEmulator({
    port: 0,
    inMemory: true,
    log: null,
    clock,
    ...options,
  });
  const admin = new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    // The SDK retries LimitExceededException and TooManyRequestsException with a backoff; the
    // emulator answers the same every time, so a retry only slows the suite.
    maxAttempts: 1,
  });
  const { dropPools, ...creators } = track(admin);
  const url = emulator.url;
  return {
    kind: "emulator",
    region: "us-east-1",
    url,
    endpoint: `${url}/`,
    admin,
    clock,
    outbox: async () => {
      const response = await fetch(`${url}/_emulator/outbox`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { messages: OutboxMessage[] }).messages;
    },
    jwks: async (poolId) =>
      (await (await fetch(`${url}/${poolId}/.well-known/jwks.json`)).json()) as Jwks,
    issuer: (poolId) =>
      options.issuer === "local"
        ? `${url}/${poolId}`
        : `https://cognito-idp.${poolId.split("_")[0]}.amazonaws.com/${poolId}`,
    ...creators,
    later: async (ms, body) => {
      clock.advance(ms);
      try {
        return await body();
      } finally {
        clock.advance(-ms);
      }
    },
    stop: async () => {
      await dropPools();
      admin.destroy();
      await emulator.stop();
    },
  };
}

/** Expects a Cognito error by name and, when given, by its exact message (both clients' errors). */
export async function expectError(
  promise: Promise<unknown>,
  name: string,
  message?: string | RegExp,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught as Error,
  );
  expect(error, `expected ${name}, but the call succeeded`).not.toBeNull();
  expect(error?.name).toBe(name);
  if (typeof message === "string") expect(error?.message).toBe(message);
  else if (message) expect(error?.message).toMatch(message);
}

export interface NewUser {
  username: string;
  email: string;
  sub: string;
  password: string;
}

/**
 * AdminCreateUser (SUPPRESS, a known temporary password, a verified email) and, unless
 * `permanent: false`, AdminSetUserPassword(Permanent: true).
 */
export async function createUser(
  target: Target,
  poolId: string,
  options: {
    username?: string;
    email?: string | null;
    permanent?: boolean;
    password?: string;
    attributes?: AttributeType[];
    extra?: Partial<AdminCreateUserCommandInput>;
  } = {},
): Promise<NewUser> {
  const username = options.username ?? unique("user-");
  const email = options.email === undefined ? `${unique("mail")}@example.com` : options.email;
  const created = await target.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: "SUPPRESS",
      TemporaryPassword: TEMPORARY,
      UserAttributes: [
        ...(email === null
          ? []
          : [
              { Name: "email", Value: email },
              { Name: "email_verified", Value: "true" },
            ]),
        ...(options.attributes ?? []),
      ],
      ...options.extra,
    }),
  );
  const password = options.password ?? PASSWORD;
  if (options.permanent !== false) {
    await target.admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
  }
  const sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
  if (!sub) throw new Error("AdminCreateUser answered without a sub");
  return {
    username,
    email: email ?? "",
    sub,
    password: options.permanent === false ? TEMPORARY : password,
  };
}

export function adminSignIn(
  target: Target,
  poolId: string,
  clientId: string,
  login: string,
  password: string,
  flow: "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" = "ADMIN_USER_PASSWORD_AUTH",
): Promise<AdminInitiateAuthCommandOutput> {
  return target.admin.send(
    new AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: flow,
      AuthParameters: { USERNAME: login, PASSWORD: password },
    }),
  );
}

/** The tokens of a sign-in that must have succeeded. */
export async function tokensOf(
  signIn: Promise<AdminInitiateAuthCommandOutput> | AdminInitiateAuthCommandOutput,
): Promise<{ access: string; id: string; refresh: string }> {
  const result = (await signIn).AuthenticationResult;
  expect(result?.TokenType).toBe("Bearer");
  return {
    access: result?.AccessToken ?? "",
    id: result?.IdToken ?? "",
    refresh: result?.RefreshToken ?? "",
  };
}

export const attribute = (attributes: AttributeType[] | undefined, name: string) =>
  attributes?.find((a) => a.Name === name)?.Value;

/**
 * The key-value storage Amplify v6 keeps its tokens in, for Node (a browser gives it localStorage):
 * `cognitoUserPoolsTokenProvider.setKeyValueStorage(new AmplifyMemoryStorage())`. `getItem` gives
 * null for a missing key, as localStorage does.
 */
export class AmplifyMemoryStorage {
  private readonly items = new Map<string, string>();
  async setItem(key: string, value: string): Promise<void> {
    this.items.set(key, value);
  }
  async getItem(key: string): Promise<string | null> {
    return this.items.get(key) ?? null;
  }
  async removeItem(key: string): Promise<void> {
    this.items.delete(key);
  }
  async clear(): Promise<void> {
    this.items.clear();
  }
}
