// Server CPU per operation: each step of the account cycle sent on its own, many times in a row,
// one in flight, and the server process's CPU (all its threads, from /proc) divided by the count.
// Where a cycle's time goes, operation by operation.
import { randomUUID } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  type CognitoCaller,
  CycleError,
  PERMANENT_PASSWORD,
  type Pool,
  TEMPORARY_PASSWORD,
} from "./account-cycle.ts";
import {
  type Ephemeral,
  newEphemeral,
  passwordVerifierResponses,
  type SrpChallenge,
} from "./fast-srp.ts";
import type { RunningServer } from "./server-process.ts";

export interface OperationCost {
  operation: string;
  count: number;
  /** Server CPU per call; null where /proc is missing. */
  serverCpuMs: number | null;
  /** Round trip per call, as this client saw it. */
  wallMs: number;
}

export interface PerOperationRequest {
  client: CognitoCaller;
  server: RunningServer;
  pool: Pool;
  /** Calls per operation (each on a different user, so every call does its full work). */
  count: number;
  /** Sign in with the email alias (ours) or the username (cognito-local has no aliases). */
  signInWithEmail: boolean;
  /** Also measure the two SRP steps (cognito-local has no SRP). */
  srp: boolean;
}

interface BenchUser {
  username: string;
  email: string;
  /** What the user signs in with: the email alias on ours, the username on cognito-local. */
  login: string;
  ephemeral: Ephemeral;
  challenge?: { session: string | undefined; parameters: SrpChallenge };
  answer?: Record<string, string>;
}

export async function measurePerOperation(request: PerOperationRequest): Promise<OperationCost[]> {
  const { client, server, pool, count } = request;
  const users: BenchUser[] = Array.from({ length: count }, () => {
    const username = randomUUID();
    const email = `${username}@bench.example`;
    const login = request.signInWithEmail ? email : username;
    // SRP secrets are drawn before any clock runs.
    return { username, email, login, ephemeral: newEphemeral() };
  });
  const costs: OperationCost[] = [];

  const measure = async (operation: string, call: (user: BenchUser) => Promise<unknown>) => {
    const cpuBefore = server.cpuTimeMs();
    const started = performance.now();
    for (const user of users) await call(user);
    const wallMs = (performance.now() - started) / count;
    const cpuAfter = server.cpuTimeMs();
    costs.push({
      operation,
      count,
      serverCpuMs: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / count,
      wallMs,
    });
  };

  await measure("AdminCreateUser", (user) =>
    client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: user.username,
        TemporaryPassword: TEMPORARY_PASSWORD,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: user.email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    ),
  );
  await measure("AdminSetUserPassword", (user) =>
    client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.poolId,
        Username: user.username,
        Password: PERMANENT_PASSWORD,
        Permanent: true,
      }),
    ),
  );
  await measure("AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH)", (user) =>
    client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId,
        ClientId: pool.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: user.username, PASSWORD: PERMANENT_PASSWORD },
      }),
    ),
  );
  await measure("InitiateAuth (USER_PASSWORD_AUTH)", (user) =>
    client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: user.login, PASSWORD: PERMANENT_PASSWORD },
      }),
    ),
  );
  if (!request.srp) return costs;

  await measure("InitiateAuth (USER_SRP_AUTH)", async (user) => {
    const started = await client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: { USERNAME: user.login, SRP_A: user.ephemeral.A.toString(16) },
      }),
    );
    const { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } = started.ChallengeParameters ?? {};
    if (!SRP_B || !SALT || !SECRET_BLOCK || !USER_ID_FOR_SRP) {
      throw new CycleError(
        "InitiateAuth(USER_SRP_AUTH) did not return a PASSWORD_VERIFIER challenge",
      );
    }
    user.challenge = {
      session: started.Session,
      parameters: { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP },
    };
  });
  // The client's half is worked out before the clock starts: only the server's answer is timed.
  for (const user of users) {
    if (!user.challenge) throw new CycleError("no SRP challenge to answer");
    user.answer = passwordVerifierResponses(
      pool.poolId,
      PERMANENT_PASSWORD,
      user.ephemeral,
      user.challenge.parameters,
      new Date(),
    );
  }
  await measure("RespondToAuthChallenge (PASSWORD_VERIFIER)", async (user) => {
    const result = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeResponses: user.answer,
        Session: user.challenge?.session,
      }),
    );
    if (!result.AuthenticationResult?.AccessToken) {
      throw new CycleError("RespondToAuthChallenge(PASSWORD_VERIFIER) returned no access token");
    }
  });
  return costs;
}
