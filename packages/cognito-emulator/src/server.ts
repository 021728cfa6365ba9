// The HTTP face: Cognito's JSON 1.1 protocol on POST /, JWKS and discovery per pool, health and
// the outbox. Like Cognito, only the operations a browser may call without AWS credentials answer
// web pages of any origin; the rest (which real Cognito accepts only signed with IAM credentials,
// which no web page holds) refuse a request from a page whose origin is not on the allow list.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  CognitoError,
  InternalErrorException,
  SerializationException,
  UnknownOperationException,
} from "./errors.ts";
import { regionOf } from "./ids.ts";
import { Input } from "./input.ts";
import type { Services } from "./services.ts";
import type { Operation } from "./targets/index.ts";

/** Cognito's own limit on a request is far below this; anything larger is refused unread. */
export const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
const JSON_TYPE = "application/x-amz-json-1.1";

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers":
    "content-type, x-amz-target, x-amz-user-agent, x-amz-date, x-amz-security-token, x-amz-content-sha256, authorization, amz-sdk-invocation-id, amz-sdk-request, cache-control",
  "access-control-expose-headers": "x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date",
  "access-control-max-age": "86400",
};

/**
 * The operations a browser may call with no AWS credentials: unauthenticated ones and those that
 * act with the caller's own access token. Everything else needs IAM credentials at real Cognito.
 */
export const BROWSER_OPERATIONS: ReadonlySet<string> = new Set([
  "InitiateAuth",
  "RespondToAuthChallenge",
  "SignUp",
  "ConfirmSignUp",
  "ResendConfirmationCode",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "GetTokensFromRefreshToken",
  "RevokeToken",
  "GetUser",
  "UpdateUserAttributes",
  "DeleteUserAttributes",
  "DeleteUser",
  "ChangePassword",
  "GlobalSignOut",
  "GetUserAttributeVerificationCode",
  "VerifyUserAttribute",
  "AssociateSoftwareToken",
  "VerifySoftwareToken",
  "SetUserMFAPreference",
  "SetUserSettings",
  "ConfirmDevice",
  "ForgetDevice",
  "GetDevice",
  "ListDevices",
  "UpdateDeviceStatus",
  "GetUserAuthFactors",
  "StartWebAuthnRegistration",
  "CompleteWebAuthnRegistration",
  "ListWebAuthnCredentials",
  "DeleteWebAuthnCredential",
]);

/** The site's origins as `npm start` serves it: the default allow list. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  "http://localhost:8080",
  "http://127.0.0.1:8080",
];

const refusedOrigin = (origin: string, what: string) =>
  new CognitoError(
    "AccessDeniedException",
    `${what} cannot be called from a web page at ${origin}: it needs AWS credentials, and the origin is not on this emulator's allow list (--allow-origin).`,
    403,
  );

/** How one request is answered across origins. */
interface CrossOrigin {
  /** Send CORS headers (a browser operation, or a public document). */
  cors: boolean;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  type = JSON_TYPE,
  extra = {},
  cors = true,
) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...(cors ? CORS_HEADERS : {}),
    "content-type": type,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": crypto.randomUUID(),
    ...extra,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: CognitoError, cors: boolean) {
  send(
    response,
    error.status,
    { __type: error.type, message: error.message },
    JSON_TYPE,
    {
      "x-amzn-errortype": error.type,
      // A body left unread (too large) cannot be followed by another request on this connection.
      ...(error.status === 413 ? { connection: "close" } : {}),
    },
    cors,
  );
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Read no further; the answer closes the connection, dropping the rest unread.
        request.pause();
        request.removeAllListeners("data");
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

const tooLarge = () =>
  new CognitoError(
    "RequestEntityTooLargeException",
    `Request body is larger than ${MAX_BODY_BYTES} bytes`,
    413,
  );

export interface ServerDeps {
  services: Services;
  operations: Map<string, Operation>;
  /** The emulator's base URL, known once listening. */
  baseUrl: () => string;
  /**
   * Web page origins that may call the operations needing AWS credentials (and read
   * `/_emulator/*`); their answers still carry no CORS headers. Default DEFAULT_ALLOWED_ORIGINS.
   */
  allowedOrigins?: readonly string[];
}

export function createEmulatorServer({
  services,
  operations,
  baseUrl,
  allowedOrigins = DEFAULT_ALLOWED_ORIGINS,
}: ServerDeps): Server {
  const allowed = new Set(allowedOrigins);
  /** A request from a web page (it has an Origin) whose origin is not allowed. */
  const foreign = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    return origin !== undefined && !allowed.has(origin) ? origin : null;
  };
  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    crossOrigin: CrossOrigin,
  ) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method === "OPTIONS") {
      // Whatever headers a browser client asks to send are fine: nothing here depends on them.
      const asked = request.headers["access-control-request-headers"];
      response.writeHead(204, {
        ...CORS_HEADERS,
        ...(asked ? { "access-control-allow-headers": asked } : {}),
      });
      response.end();
      return;
    }
    if (request.method === "GET") {
      if (url.pathname.startsWith("/_emulator/")) {
        // Live codes and the like: never readable by a page, refused for one not on the list.
        crossOrigin.cors = false;
        const origin = foreign(request);
        if (origin) throw refusedOrigin(origin, url.pathname);
      }
      await getRoute(url.pathname, response, services, baseUrl(), crossOrigin.cors);
      return;
    }
    if (request.method !== "POST" || url.pathname !== "/") {
      send(response, 404, {
        __type: "ResourceNotFoundException",
        message: `No route for ${request.method} ${url.pathname}`,
      });
      return;
    }
    const body = await readBody(request);
    const target = String(request.headers["x-amz-target"] ?? "");
    if (!target.startsWith(TARGET_PREFIX)) {
      throw new UnknownOperationException(
        target === "" ? "Missing X-Amz-Target header" : `Unknown target: ${target}`,
      );
    }
    const name = target.slice(TARGET_PREFIX.length);
    if (!BROWSER_OPERATIONS.has(name)) {
      crossOrigin.cors = false;
      const origin = foreign(request);
      if (origin) throw refusedOrigin(origin, name);
    }
    const operation = operations.get(name);
    if (!operation) {
      throw new UnknownOperationException(
        `The operation ${name} is not supported by this emulator`,
      );
    }
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    } catch {
      throw new SerializationException("Request body is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new SerializationException("Request body must be a JSON object");
    }
    // Only until the first key is generated, just after start-up.
    if (!services.signer.isReady) await services.signer.ready;
    send(
      response,
      200,
      await operation(new Input(parsed as Record<string, unknown>)),
      JSON_TYPE,
      {},
      crossOrigin.cors,
    );
  };

  return createServer((request, response) => {
    const crossOrigin: CrossOrigin = { cors: true };
    handle(request, response, crossOrigin).catch((error: unknown) => {
      if (response.headersSent) return;
      if (error instanceof CognitoError) {
        sendError(response, error, crossOrigin.cors);
        return;
      }
      services.config.log(`internal error: ${(error as Error).stack ?? String(error)}`);
      sendError(response, new InternalErrorException("Internal error"), crossOrigin.cors);
    });
  });
}

async function getRoute(
  path: string,
  response: ServerResponse,
  services: Services,
  base: string,
  cors: boolean,
) {
  if (path === "/health") {
    send(response, 200, { status: "ok" }, "application/json");
    return;
  }
  if (path === "/_emulator/outbox") {
    send(response, 200, { messages: services.outbox.messages }, "application/json", {}, cors);
    return;
  }
  const match = /^\/([\w-]+_[0-9a-zA-Z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(
    path,
  );
  const pool = match?.[1] === undefined ? undefined : services.store.pool(match[1]);
  if (!match || !pool) {
    send(response, 404, { message: "Not found" }, "application/json", {}, cors);
    return;
  }
  const poolId = pool.record.id;
  if (match[2] === "jwks.json") {
    if (!services.signer.isReady) await services.signer.ready;
    send(response, 200, { keys: [services.signer.key.jwk] }, "application/json");
    return;
  }
  const issuer = services.config.issuer(poolId);
  send(
    response,
    200,
    {
      issuer,
      jwks_uri: `${base}/${poolId}/.well-known/jwks.json`,
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      response_types_supported: ["code", "token"],
      scopes_supported: ["openid", "email", "phone", "profile"],
      region: regionOf(poolId),
    },
    "application/json",
  );
}
