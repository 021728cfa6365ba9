// Cognito's JSON protocol spoken directly (no SDK retries or validation in the way), for driving
// the local Cognito as the site and an operator would.
import { localPool } from "@gatehouse/server";

export interface CognitoAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function cognitoCall(
  endpoint: string,
  target: string,
  input: unknown,
  raw?: string,
): Promise<CognitoAnswer> {
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: raw ?? JSON.stringify(input),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { unparsed: text };
  }
  return { status: response.status, body };
}

export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
  }
}

/** The call's result, or a `CognitoError` with Cognito's exception name. */
export async function cognito<T = Record<string, unknown>>(
  endpoint: string,
  target: string,
  input: unknown,
): Promise<T> {
  const answer = await cognitoCall(endpoint, target, input);
  if (answer.status !== 200) {
    throw new CognitoError(
      String(answer.body.__type ?? answer.status),
      String(answer.body.message),
    );
  }
  return answer.body as T;
}

export interface Tokens {
  AccessToken: string;
  IdToken: string;
  RefreshToken: string;
}

/** Signs in with the password (the server-side flow the app client allows). */
export async function signIn(endpoint: string, login: string, password: string): Promise<Tokens> {
  const result = await cognito<{ AuthenticationResult?: Tokens; ChallengeName?: string }>(
    endpoint,
    "AdminInitiateAuth",
    {
      UserPoolId: localPool.userPoolId,
      ClientId: localPool.clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: login, PASSWORD: password },
    },
  );
  if (!result.AuthenticationResult) {
    throw new CognitoError("Challenge", `sign-in asked for ${result.ChallengeName ?? "?"}`);
  }
  return result.AuthenticationResult;
}

export interface PoolUser {
  username: string;
  status: string;
  enabled: boolean;
  email: string | null;
  emailVerified: boolean;
}

/** Every user in the local pool (ListUsers, page by page). */
export async function listPoolUsers(endpoint: string): Promise<PoolUser[]> {
  const users: PoolUser[] = [];
  let token: string | undefined;
  do {
    const page = await cognito<{
      Users?: {
        Username: string;
        UserStatus: string;
        Enabled: boolean;
        Attributes?: { Name: string; Value: string }[];
      }[];
      PaginationToken?: string;
    }>(endpoint, "ListUsers", {
      UserPoolId: localPool.userPoolId,
      Limit: 60,
      ...(token ? { PaginationToken: token } : {}),
    });
    for (const user of page.Users ?? []) {
      const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
      users.push({
        username: user.Username,
        status: user.UserStatus,
        enabled: user.Enabled,
        email: attribute("email") ?? null,
        emailVerified: attribute("email_verified") === "true",
      });
    }
    token = page.PaginationToken;
  } while (token);
  return users;
}

export interface OutboxMessage {
  username: string;
  destination: string;
  code: string;
  reason: string;
  createdAt: string;
}

/** Outbox reads at a time: hundreds of clients reading it at once only measure the test. */
const OUTBOX_READERS = 4;
let readers = 0;
const waiting: (() => void)[] = [];

export async function outbox(endpoint: string): Promise<OutboxMessage[]> {
  if (readers >= OUTBOX_READERS) await new Promise<void>((resolve) => waiting.push(resolve));
  readers++;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${endpoint}/_emulator/outbox`);
        const body = (await response.json()) as OutboxMessage[] | { messages: OutboxMessage[] };
        return Array.isArray(body) ? body : body.messages;
      } catch (error) {
        if (attempt === 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    readers--;
    waiting.shift()?.();
  }
}
