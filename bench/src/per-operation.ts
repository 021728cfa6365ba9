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
import { newEphemeral, passwordVerifierResponses, type SrpChallenge } from "./fast-srp.ts";
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

export async function measurePerOperation(request: PerOperationRequest): Promise<OperationCost[]> {
  const { client, server, pool, count } = request;
  const users = Array.from({ length: count }, () => {
    const username = randomUUID();
    return { username, email: `${username}@bench.example` };
  });
  const signInName = (i: number) => {
    const user = users[i] as { username: string; email: string };
    return request.signInWithEmail ? user.email : user.username;
  };
  const username = (i: number) => (users[i] as { username: string }).username;
  const costs: OperationCost[] = [];

  const measure = async (operation: string, call: (i: number) => Promise<unknown>) => {
    const cpuBefore = server.cpuTimeMs();
    const started = performance.now();
    for (let i = 0; i < count; i++) await call(i);
    const wallMs = (performance.now() - started) / count;
    const cpuAfter = server.cpuTimeMs();
    costs.push({
      operation,
      count,
      serverCpuMs: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / count,
      wallMs,
    });
  };

  await measure("AdminCreateUser", (i) =>
    client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: username(i),
        TemporaryPassword: TEMPORARY_PASSWORD,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: (users[i] as { email: string }).email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    ),
  );
  await measure("AdminSetUserPassword", (i) =>
    client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.poolId,
        Username: username(i),
        Password: PERMANENT_PASSWORD,
        Permanent: true,
      }),
    ),
  );
  await measure("AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH)", (i) =>
    client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId,
        ClientId: pool.clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username(i), PASSWORD: PERMANENT_PASSWORD },
      }),
    ),
  );
  await measure("InitiateAuth (USER_PASSWORD_AUTH)", (i) =>
    client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: signInName(i), PASSWORD: PERMANENT_PASSWORD },
      }),
    ),
  );
  if (!request.srp) return costs;

  const ephemerals = users.map(() => newEphemeral());
  const challenges: { session: string | undefined; parameters: SrpChallenge }[] = [];
  await measure("InitiateAuth (USER_SRP_AUTH)", async (i) => {
    const started = await client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: {
          USERNAME: signInName(i),
          SRP_A: (ephemerals[i] as { A: bigint }).A.toString(16),
        },
      }),
    );
    const { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } = started.ChallengeParameters ?? {};
    if (!SRP_B || !SALT || !SECRET_BLOCK || !USER_ID_FOR_SRP) {
      throw new CycleError(
        "InitiateAuth(USER_SRP_AUTH) did not return a PASSWORD_VERIFIER challenge",
      );
    }
    challenges[i] = {
      session: started.Session,
      parameters: { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP },
    };
  });
  // The client's half is worked out before the clock starts: only the server's answer is timed.
  const answers = challenges.map((challenge, i) =>
    passwordVerifierResponses(
      pool.poolId,
      PERMANENT_PASSWORD,
      ephemerals[i] as { a: bigint; A: bigint },
      challenge.parameters,
      new Date(),
    ),
  );
  await measure("RespondToAuthChallenge (PASSWORD_VERIFIER)", async (i) => {
    const result = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeResponses: answers[i],
        Session: challenges[i]?.session,
      }),
    );
    if (!result.AuthenticationResult?.AccessToken) {
      throw new CycleError("RespondToAuthChallenge(PASSWORD_VERIFIER) returned no access token");
    }
  });
  return costs;
}
