// buildApp: the whole API from its parts, with no environment reads (see main.ts for that).
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { answerClientError } from "./client-error.ts";
import type { Identity } from "./cognito/identity.ts";
import type { AccountStore } from "./db/index.ts";
import { lazyChildLogger } from "./logger.ts";
import type { PasswordPolicy } from "./password-policy.ts";
import { accounts } from "./plugins/accounts.ts";
import { type AuthenticateOptions, authenticate } from "./plugins/authenticate.ts";
import { PROBLEM_TYPE, Problem } from "./problems.ts";
import { responseHeaders } from "./response-headers.ts";

export interface AppOptions {
  store: AccountStore;
  identity: Identity;
  /** The pool's password policy (read from Cognito at start-up). */
  policy: PasswordPolicy;
  userPoolId: string;
  clientId: string;
  /** The pool's JWKS when it must be handed over (emulator); null to let the verifier fetch it. */
  jwks: AuthenticateOptions["jwks"];
  corsOrigins: string[];
  accountsRateLimitPerMinute: number;
  /** Per client IP, each route that sends or checks a code or a password. Default 10. */
  credentialsRateLimitPerMinute?: number;
  /** Shared rate-limit counts; null keeps them in this process. */
  redis: Redis | null;
  logger: Logger;
  /** Trust X-Forwarded-For from this many proxies. */
  trustProxyHops?: number;
  /** Checks that Cognito answers, for /readyz. */
  identityReady: () => Promise<void>;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Accounts cached in process (0: none). Default 10,000. */
  accountCacheSize?: number;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // As a function: Fastify 5.12 ignores a bare hop count (trusts nothing), which would put every
    // client behind the proxy on the proxy's one rate-limit count.
    trustProxy:
      (options.trustProxyHops ?? 0) > 0
        ? (_address: string, hop: number) => hop < (options.trustProxyHops ?? 0)
        : false,
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // One line per request, written by the onResponse hook below, in place of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    clientErrorHandler: answerClientError,
    // A request's logger (bound to its id) is made only when something logs through it.
    childLoggerFactory: lazyChildLogger,
  });
  // The request line holds only the fields below, none of them secret, so it skips the wildcard
  // redaction every other line goes through (which would triple its cost, see BENCHMARKS.md).
  const requestLine = options.logger.child({}, { redact: [] });
  app.addHook("onResponse", (request, reply, done) => {
    // Through one logger made once, with the id as a field: the same line as the request's own
    // logger would write, without making that logger for every request.
    requestLine.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      "request",
    );
    done();
  });

  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    const problem = asProblem(error);
    if (problem.code === "internal") request.log.error({ err: error }, "request failed");
    if (problem.code === "unauthorized") {
      reply.header("www-authenticate", 'Bearer error="invalid_token"');
    }
    if (problem.retryAfter !== null) reply.header("retry-after", String(problem.retryAfter));
    reply
      .code(problem.status)
      .type(PROBLEM_TYPE)
      .send(JSON.stringify(problem.body(request.url)));
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem("not_found", `No route for ${request.method} ${request.url}.`);
    reply.code(404).type(PROBLEM_TYPE).send(JSON.stringify(problem.body()));
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "Gatehouse accounts API", version: "1.0.0" },
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    },
  });
  responseHeaders(app, {
    origins: options.corsOrigins,
    methods: ["GET", "POST", "PATCH", "DELETE"],
    allowedHeaders: ["authorization", "content-type"],
    exposedHeaders: ["retry-after", "location"],
    maxAgeSeconds: 600,
  });
  await app.register(rateLimit, {
    global: false,
    ...(options.redis ? { redis: options.redis, nameSpace: "gatehouse-rate-limit-" } : {}),
    // A Redis outage must not stop sign-ups: the limit is skipped (and logged) until it is back.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      const problem = new Problem(
        "rate_limited",
        `Too many attempts. Try again in ${seconds} seconds.`,
        [],
        seconds,
      );
      return problem;
    },
  });
  await app.register(authenticate, {
    store: options.store,
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    jwks: options.jwks,
    isAccessTokenActive: (token) => options.identity.isAccessTokenActive(token),
    ...(options.now ? { now: options.now } : {}),
    ...(options.accountCacheSize !== undefined
      ? { accountCacheSize: options.accountCacheSize }
      : {}),
  });
  await app.register(accounts, {
    store: options.store,
    identity: options.identity,
    policy: options.policy,
    createPerMinute: options.accountsRateLimitPerMinute,
    ...(options.credentialsRateLimitPerMinute !== undefined
      ? { credentialsPerMinute: options.credentialsRateLimitPerMinute }
      : {}),
    ...(options.now ? { now: options.now } : {}),
  });

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    const checks = await Promise.allSettled([options.store.ping(), options.identityReady()]);
    const [database, identity] = checks.map((c) =>
      c.status === "fulfilled" ? "ok" : "unavailable",
    );
    const ready = database === "ok" && identity === "ok";
    reply.code(ready ? 200 : 503);
    return { status: ready ? "ok" : "unavailable", database, identity };
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}

function asProblem(error: FastifyError | Problem): Problem {
  if (error instanceof Problem) return error;
  if (error.validation) {
    const [first] = error.validation;
    const missing =
      (first?.params as { missingProperty?: string; additionalProperty?: string } | undefined) ??
      {};
    const field =
      missing.missingProperty ??
      missing.additionalProperty ??
      (first?.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
    const message = missing.additionalProperty
      ? `Unknown field "${missing.additionalProperty}".`
      : `${field || error.validationContext || "body"} ${first?.message ?? "is not valid"}.`;
    return new Problem("validation_failed", message, [{ field: field || "body", message }]);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    // Malformed JSON, wrong content type, body too large: the client's mistake, named.
    return new Problem("validation_failed", error.message, [
      { field: "body", message: error.message },
    ]);
  }
  return new Problem("internal", "Something went wrong on our side.");
}
