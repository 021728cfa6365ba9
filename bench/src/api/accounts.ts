// Account creation through Gatehouse's `POST /accounts` against the local Cognito, beside its
// floor: the same Cognito calls (AdminCreateUser, AdminSetUserPassword) made directly, with no
// API or database around them. Cognito calls per account are counted at the pass-through.
import { randomUUID } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { PERMANENT_PASSWORD } from "../account-cycle.ts";
import { httpCaller } from "../http-caller.ts";
import { runCycles } from "../run-cycles.ts";
import type { RunningServer } from "../server-process.ts";
import { quantile } from "../stats.ts";
import { type Cognito, POOL } from "./fixture.ts";

export type PasswordSetup = "set-password" | "challenge";

export interface AccountsRow {
  /** Gatehouse with this PASSWORD_SETUP, or null for the direct calls. */
  passwordSetup: PasswordSetup | null;
  created: number;
  perSecond: number;
  p99Ms: number | null;
  cognitoCallsPerAccount: number;
  calls: Record<string, number>;
  /** Answers other than 201, by status (there should be none). */
  failures: Record<string, number>;
}

/** The floor: the two calls an account needs, straight to Cognito through `cognito`'s proxy. */
export async function measureDirectCalls(options: {
  cognito: Cognito;
  /** Accounts per measurement. */
  accounts: number;
  connections: number;
}): Promise<AccountsRow> {
  const { cognito } = options;
  const client = httpCaller(cognito.proxy.url);
  cognito.proxy.reset();
  const started = performance.now();
  const direct = await runCycles(
    { count: options.accounts, concurrency: options.connections },
    async () => {
      const username = randomUUID();
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL.userPoolId,
          Username: username,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: `${username}@bench.example` },
            { Name: "email_verified", Value: "true" },
            { Name: "name", Value: "Bench Person" },
          ],
        }),
      );
      await client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: POOL.userPoolId,
          Username: username,
          Password: PERMANENT_PASSWORD,
          Permanent: true,
        }),
      );
    },
  );
  client.destroy();
  const directSeconds = (performance.now() - started) / 1000;
  return {
    passwordSetup: null,
    created: direct.completed,
    perSecond: direct.completed / directSeconds,
    p99Ms: null,
    cognitoCallsPerAccount: cognito.proxy.totalCalls() / Math.max(1, direct.completed),
    calls: Object.fromEntries(cognito.proxy.calls),
    failures: {},
  };
}

/**
 * `POST /accounts` on a Gatehouse API started with `passwordSetup`, which reaches Cognito only
 * through `cognito`'s proxy (so that the calls counted are all its own).
 */
export async function measureCreation(options: {
  server: RunningServer;
  cognito: Cognito;
  passwordSetup: PasswordSetup;
  accounts: number;
  connections: number;
}): Promise<AccountsRow> {
  const { server, cognito, passwordSetup } = options;
  const failures: Record<string, number> = {};
  const create = async () => {
    const response = await fetch(`${server.url}/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "Bench Person",
        email: `${randomUUID()}@bench.example`,
        password: PERMANENT_PASSWORD,
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 201) {
      failures[response.status] = (failures[response.status] ?? 0) + 1;
    }
  };
  // Unmeasured, so the JIT and the connections are warm.
  await runCycles({ count: options.connections * 2, concurrency: options.connections }, create);
  cognito.proxy.reset();
  for (const key of Object.keys(failures)) delete failures[key];
  // Every request of the run has finished when it returns: the calls counted are all theirs.
  const run = await runCycles(
    { count: options.accounts, concurrency: options.connections },
    create,
  );
  const created = run.completed - Object.values(failures).reduce((a, b) => a + b, 0);
  return {
    passwordSetup,
    created,
    perSecond: (created * 1000) / run.wallMs,
    p99Ms: quantile(run.timesMs, 0.99),
    cognitoCallsPerAccount: cognito.proxy.totalCalls() / Math.max(1, created),
    calls: Object.fromEntries(cognito.proxy.calls),
    failures,
  };
}
