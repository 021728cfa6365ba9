// The accounts routes. Each validates, calls one flow (src/accounts/), and answers.
import type { JsonSchemaToTsProvider } from "@fastify/type-provider-json-schema-to-ts";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import fp from "fastify-plugin";
import { changePassword } from "../accounts/change-password.ts";
import { createAccount } from "../accounts/create-account.ts";
import { deleteAccount } from "../accounts/delete-account.ts";
import type { FlowDeps } from "../accounts/deps.ts";
import { normaliseEmail } from "../accounts/email.ts";
import { confirmPasswordReset, requestPasswordReset } from "../accounts/reset-password.ts";
import { signOut } from "../accounts/sign-out.ts";
import { type Caller, sendVerificationCode, verifyEmail } from "../accounts/verify-email.ts";
import type { Identity } from "../cognito/identity.ts";
import type { Account, AccountStore } from "../db/index.ts";
import type { PasswordPolicy } from "../password-policy.ts";
import { Problem, problemSchema } from "../problems.ts";

export interface AccountsOptions {
  store: AccountStore;
  identity: Identity;
  policy: PasswordPolicy;
  /** Account creations allowed per client IP per minute. */
  createPerMinute: number;
  /**
   * Requests per client IP per minute to each route that sends or checks a code or a password
   * (password reset, its confirmation, email verification, password change). Default 10.
   */
  credentialsPerMinute?: number;
  now?: () => number;
}

const accountSchema = {
  type: "object",
  required: ["id", "name", "email", "status", "createdAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    name: { type: "string" },
    email: { type: "string" },
    status: { type: "string", enum: ["unverified", "active"] },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

/**
 * GET /me's body for an account, made once per account object (a change makes a new one), so the
 * usual request copies a string rather than serialising.
 */
const meBodies = new WeakMap<Account, string>();
function meBody(account: Account): string {
  let body = meBodies.get(account);
  if (body === undefined) {
    body = JSON.stringify(publicAccount(account));
    meBodies.set(account, body);
  }
  return body;
}

const security = [{ bearer: [] }];
const nameSchema = { type: "string", minLength: 1, maxLength: 100 } as const;
const emailSchema = { type: "string", minLength: 3, maxLength: 254 } as const;
const passwordSchema = { type: "string", minLength: 1, maxLength: 256 } as const;
// Cognito's own pattern for a code; anything else would reach it as a bad parameter.
const codeSchema = { type: "string", minLength: 1, maxLength: 64, pattern: "^\\S+$" } as const;
const empty = { type: "null" } as const;
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, problemSchema]));

function publicAccount(account: Account) {
  // authenticate refuses pending accounts and a creation answers only once the row is unverified.
  if (account.status === "pending") throw new Error("a pending account is never answered");
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
  };
}

const CONTROL = /[\p{Cc}\p{Cf}]/u;

function invalidName(message: string): Problem {
  return new Problem("validation_failed", message, [{ field: "name", message }]);
}

function cleanName(raw: string): string {
  const name = raw.normalize("NFC").trim().replace(/\s+/g, " ");
  const length = [...name].length;
  if (length === 0 || length > 100) {
    throw invalidName("Enter a name of 1 to 100 characters.");
  }
  if (CONTROL.test(name)) throw invalidName("Use only printable characters in the name.");
  return name;
}

const plugin: FastifyPluginAsync<AccountsOptions> = async (fastify, options) => {
  // Request bodies are typed from the route schemas, never by a hand-written copy.
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const { store, identity } = options;
  const deps = (log: FlowDeps["logger"]): FlowDeps => ({
    store,
    identity,
    policy: options.policy,
    logger: log,
    now: options.now ?? Date.now,
    evict: (id) => app.evictAccount(id),
  });
  const limited = {
    rateLimit: { max: options.credentialsPerMinute ?? 10, timeWindow: 60_000 },
  };
  const caller = (request: { account: Account | null; accessToken: string | null }): Caller => ({
    account: request.account as Account,
    accessToken: request.accessToken as string,
  });

  app.post(
    "/accounts",
    {
      config: { rateLimit: { max: options.createPerMinute, timeWindow: 60_000 } },
      schema: {
        summary: "Create an account; a code goes to the email, which its owner then proves",
        body: {
          type: "object",
          required: ["name", "email", "password"],
          additionalProperties: false,
          properties: { name: nameSchema, email: emailSchema, password: passwordSchema },
        },
        response: { 201: accountSchema, ...problems(400, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const account = await createAccount(deps(request.log), {
        name: cleanName(request.body.name),
        email: normaliseEmail(request.body.email),
        password: request.body.password,
      });
      reply.code(201).header("location", "/me");
      return publicAccount(account);
    },
  );

  app.get(
    "/me",
    {
      onRequest: app.authenticate,
      config: { allowUnverified: true },
      schema: {
        security,
        summary: "The signed-in account",
        response: { 200: accountSchema, ...problems(400, 401) },
      },
    },
    (request, reply) => {
      // The body is the schema's shape already serialised (meBody), which the typed reply can't see.
      (reply as FastifyReply)
        .type("application/json; charset=utf-8")
        .send(meBody(request.account as Account));
    },
  );

  app.patch(
    "/me",
    {
      onRequest: app.authenticate,
      schema: {
        security,
        summary: "Rename the signed-in account",
        body: {
          type: "object",
          required: ["name"],
          additionalProperties: false,
          properties: { name: nameSchema },
        },
        response: { 200: accountSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const id = (request.account as Account).id;
      const renamed = await store.rename(id, cleanName(request.body.name));
      app.evictAccount(id);
      if (!renamed) throw new Problem("unauthorized", "The account no longer exists.");
      return publicAccount(renamed);
    },
  );

  app.delete(
    "/me",
    {
      onRequest: app.authenticate,
      config: { allowUnverified: true },
      schema: {
        security,
        summary: "Delete the signed-in account",
        response: { 204: empty, ...problems(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.account as Account;
      await deleteAccount(deps(request.log), id, request.accessClaims?.originJti ?? null);
      reply.code(204);
    },
  );

  app.post(
    "/me/sign-out",
    {
      onRequest: app.authenticate,
      config: { allowUnverified: true },
      schema: {
        security,
        summary: "Sign out everywhere: every access token issued so far is refused",
        response: { 204: empty, ...problems(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.account as Account;
      await signOut(deps(request.log), id, request.accessClaims?.originJti ?? null);
      reply.code(204);
    },
  );

  app.post(
    "/me/email-verification",
    {
      onRequest: app.authenticate,
      config: { allowUnverified: true, ...limited },
      schema: {
        security,
        summary:
          "Prove the email: {} sends a new code (202); {code} checks it and answers the account, now active",
        body: {
          type: "object",
          additionalProperties: false,
          properties: { code: codeSchema },
        },
        response: {
          200: accountSchema,
          202: empty,
          ...problems(400, 401, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { code } = request.body;
      if (code === undefined) {
        const sent = await sendVerificationCode(deps(request.log), caller(request));
        if (!sent) return publicAccount(request.account as Account);
        reply.code(202);
        return;
      }
      return publicAccount(await verifyEmail(deps(request.log), caller(request), code));
    },
  );

  app.post(
    "/me/password",
    {
      onRequest: app.authenticate,
      config: limited,
      schema: {
        security,
        summary: "Change the password; every session from before it ends, this one included",
        body: {
          type: "object",
          required: ["currentPassword", "newPassword"],
          additionalProperties: false,
          properties: { currentPassword: passwordSchema, newPassword: passwordSchema },
        },
        response: { 204: empty, ...problems(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      await changePassword(
        deps(request.log),
        { ...caller(request), originJti: request.accessClaims?.originJti ?? null },
        request.body,
      );
      reply.code(204);
    },
  );

  app.post(
    "/password-reset",
    {
      config: limited,
      schema: {
        summary:
          "Send a password reset code to the email, if it signs an account in (202 either way)",
        body: {
          type: "object",
          required: ["email"],
          additionalProperties: false,
          properties: { email: emailSchema },
        },
        response: { 202: empty, ...problems(400, 429, 503) },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(deps(request.log), normaliseEmail(request.body.email));
      reply.code(202);
    },
  );

  app.post(
    "/password-reset/confirm",
    {
      config: limited,
      schema: {
        summary: "Set a new password with the emailed code; every earlier session ends",
        body: {
          type: "object",
          required: ["email", "code", "password"],
          additionalProperties: false,
          properties: { email: emailSchema, code: codeSchema, password: passwordSchema },
        },
        response: { 204: empty, ...problems(400, 429, 503) },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(deps(request.log), {
        email: normaliseEmail(request.body.email),
        code: request.body.code,
        password: request.body.password,
      });
      reply.code(204);
    },
  );
};

export const accounts = fp(plugin, {
  name: "gatehouse-accounts",
  fastify: "5.x",
  dependencies: ["gatehouse-authenticate"],
});
