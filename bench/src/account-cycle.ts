// One account cycle, as the product runs it: the back end creates the user with a temporary
// password and no message, makes a permanent password, signs in as admin, and then the user signs
// in (USER_PASSWORD_AUTH, or SRP as the browser does). Driven by the real AWS SDK v3.
import { randomUUID } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type ExplicitAuthFlowsType,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { type Ephemeral, newEphemeral, passwordVerifierResponses } from "./fast-srp.ts";

/** How the user signs in at the end of the cycle. */
export type SignIn = "password" | "srp";

export interface Pool {
  poolId: string;
  clientId: string;
}

export class CycleError extends Error {
  readonly code = "CYCLE_FAILED";
}

// Good for the production policy (10+ characters, upper, lower, digit) and Cognito's default.
export const TEMPORARY_PASSWORD = "Temporary-Passw0rd!";
export const PERMANENT_PASSWORD = "Permanent-Passw0rd!";

/** Every auth flow the cycles use; the production client allows SRP and admin only. */
export const BENCH_AUTH_FLOWS: ExplicitAuthFlowsType[] = [
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_USER_PASSWORD_AUTH",
];

/** What the cycle uses of a client: the SDK's, or the load generator's (http-caller.ts). */
export type CognitoCaller = Pick<CognitoIdentityProviderClient, "send" | "destroy">;

export function cognitoClient(url: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    // A failure must show, not be hidden by a retry.
    maxAttempts: 1,
  });
}

/** A new, empty pool and an app client that allows every flow the cycles use. */
export async function createPool(
  client: CognitoCaller,
  poolName: string,
  settings: Record<string, unknown> = {},
): Promise<Pool> {
  const created = await client.send(new CreateUserPoolCommand({ ...settings, PoolName: poolName }));
  const poolId = created.UserPool?.Id;
  if (poolId === undefined) throw new CycleError("CreateUserPool returned no pool id");
  const appClient = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: `${poolName}-client`,
      GenerateSecret: false,
      ExplicitAuthFlows: BENCH_AUTH_FLOWS,
    }),
  );
  const clientId = appClient.UserPoolClient?.ClientId;
  if (clientId === undefined) throw new CycleError("CreateUserPoolClient returned no client id");
  return { poolId, clientId };
}

export interface CycleOptions {
  client: CognitoCaller;
  pool: Pool;
  signIn: SignIn;
  /**
   * Sign in with the email (an alias, as people do) rather than the username. Needs a pool with
   * `AliasAttributes: ["email"]`.
   */
  signInWithEmail: boolean;
  /** A precomputed SRP secret (`A` does not depend on the server, so it is drawn beforehand). */
  ephemeral?: Ephemeral;
}

function requireToken(result: { AuthenticationResult?: { AccessToken?: string } }, step: string) {
  const token = result.AuthenticationResult?.AccessToken;
  if (typeof token !== "string" || token.length === 0) {
    throw new CycleError(`${step} returned no access token`);
  }
}

export interface CycleResult {
  username: string;
  email: string;
}

/** Runs one full cycle for a new account; throws if any step does not do what Cognito does. */
export async function accountCycle(options: CycleOptions): Promise<CycleResult> {
  const { client, pool } = options;
  const username = randomUUID();
  const email = `${username}@bench.example`;
  const signInName = options.signInWithEmail ? email : username;

  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.poolId,
      Username: username,
      TemporaryPassword: TEMPORARY_PASSWORD,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: pool.poolId,
      Username: username,
      Password: PERMANENT_PASSWORD,
      Permanent: true,
    }),
  );
  requireToken(
    await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId,
        ClientId: pool.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: PERMANENT_PASSWORD },
      }),
    ),
    "AdminInitiateAuth",
  );

  if (options.signIn === "password") {
    requireToken(
      await client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: signInName, PASSWORD: PERMANENT_PASSWORD },
        }),
      ),
      "InitiateAuth(USER_PASSWORD_AUTH)",
    );
  } else {
    await srpSignIn(client, pool, signInName, options.ephemeral ?? newEphemeral());
  }
  return { username, email };
}

/** InitiateAuth(USER_SRP_AUTH) and RespondToAuthChallenge(PASSWORD_VERIFIER), as identity-js. */
export async function srpSignIn(
  client: CognitoCaller,
  pool: Pool,
  signInName: string,
  ephemeral: Ephemeral,
): Promise<void> {
  const started = await client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: signInName, SRP_A: ephemeral.A.toString(16) },
    }),
  );
  const params = started.ChallengeParameters ?? {};
  const { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } = params;
  if (
    started.ChallengeName !== "PASSWORD_VERIFIER" ||
    SRP_B === undefined ||
    SALT === undefined ||
    SECRET_BLOCK === undefined ||
    USER_ID_FOR_SRP === undefined
  ) {
    throw new CycleError(
      "InitiateAuth(USER_SRP_AUTH) did not return a PASSWORD_VERIFIER challenge",
    );
  }
  const responses = passwordVerifierResponses(
    pool.poolId,
    PERMANENT_PASSWORD,
    ephemeral,
    { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP },
    new Date(),
  );
  requireToken(
    await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeResponses: responses,
        Session: started.Session,
      }),
    ),
    "RespondToAuthChallenge(PASSWORD_VERIFIER)",
  );
}
