// A load generator's client: the same JSON 1.1 requests the AWS SDK v3 sends (operation in
// X-Amz-Target, the command's input as the body), over kept-alive sockets, without the SDK's
// middleware stack, signing and retries. On a two-core machine the SDK's own CPU (about a
// millisecond a call) takes a core the servers under test would otherwise have, so throughput is
// also measured with this.
import { Agent, request } from "node:http";
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { CognitoCaller } from "./account-cycle.ts";

const OPERATIONS = new Map<unknown, string>([
  [AdminCreateUserCommand, "AdminCreateUser"],
  [AdminInitiateAuthCommand, "AdminInitiateAuth"],
  [AdminSetUserPasswordCommand, "AdminSetUserPassword"],
  [CreateUserPoolClientCommand, "CreateUserPoolClient"],
  [CreateUserPoolCommand, "CreateUserPool"],
  [InitiateAuthCommand, "InitiateAuth"],
  [RespondToAuthChallengeCommand, "RespondToAuthChallenge"],
]);

export class HttpCallError extends Error {
  readonly code = "HTTP_CALL_FAILED";
}

/** Posts one operation and resolves to the parsed answer; anything but a 200 rejects. */
function post(agent: Agent, url: URL, operation: string, input: unknown): Promise<unknown> {
  const body = Buffer.from(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
          "content-length": body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) {
            reject(new HttpCallError(`${operation} answered ${res.statusCode}: ${text}`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new HttpCallError(`${operation} answered 200 with a body that is not JSON`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A caller for the commands the account cycle sends, in place of the SDK client. */
export function httpCaller(endpoint: string): CognitoCaller {
  const url = new URL("/", endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const caller = {
    send(command: { input: unknown; constructor: unknown }) {
      const operation = OPERATIONS.get(command.constructor);
      if (operation === undefined) {
        return Promise.reject(new HttpCallError("httpCaller does not know this command"));
      }
      return post(agent, url, operation, command.input);
    },
    destroy() {
      agent.destroy();
    },
  };
  // Structurally what the cycle uses of the SDK client: send(command) and destroy().
  return caller as unknown as CognitoCaller;
}
