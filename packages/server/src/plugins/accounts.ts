// The accounts routes: create an account (unauthenticated, rate limited), and the signed-in
// account's own record.
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import { type CreateAccountDeps, createAccount } from "../accounts/create-account.ts";
import { toProblem } from "../cognito/errors.ts";
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
  now?: () => number;
}

const accountSchema = {
  type: "object",
  required: ["id", "name", "email", "status", "createdAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    name: { type: "string" },
    email: { type: "string" },
    status: { type: "string", enum: ["pending", "active"] },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

const security = [{ bearer: [] }];
const nameSchema = { type: "string", minLength: 1, maxLength: 100 } as const;
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, problemSchema]));

const publicAccount = (account: Account) => ({
  id: account.id,
  name: account.name,
  email: account.email,
  status: account.status,
  createdAt: account.createdAt.toISOString(),
});

const CONTROL = /\p{Cc}/u;

function invalidName(message: string): Problem {
  return new Problem("validation_failed", message, [{ field: "name", message }]);
}

function cleanName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, " ");
  const length = [...name].length;
  if (length === 0 || length > 100) {
    throw invalidName("Enter a name of 1 to 100 characters.");
  }
  if (CONTROL.test(name)) throw invalidName("Use only printable characters in the name.");
  return name;
}

const EMAIL = /^[^\s@\p{Cc}]+@[^\s@.\p{Cc}]+(\.[^\s@.\p{Cc}]+)+$/u;

const plugin: FastifyPluginAsync<AccountsOptions> = async (app, options) => {
  const { store, identity } = options;
  const now = options.now ?? Date.now;

  app.post<{ Body: { name: string; email: string; password: string } }>(
    "/accounts",
    {
      config: { rateLimit: { max: options.createPerMinute, timeWindow: 60_000 } },
      schema: {
        summary: "Create an account",
        body: {
          type: "object",
          required: ["name", "email", "password"],
          additionalProperties: false,
          properties: {
            name: nameSchema,
            email: { type: "string", minLength: 3, maxLength: 254 },
            password: { type: "string", minLength: 1, maxLength: 256 },
          },
        },
        response: { 201: accountSchema, ...problems(400, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      if (!EMAIL.test(email)) {
        throw new Problem("validation_failed", "Enter a valid email address.", [
          { field: "email", message: "Enter a valid email address." },
        ]);
      }
      const deps: CreateAccountDeps = {
        store,
        identity,
        policy: options.policy,
        logger: request.log,
        now,
      };
      const account = await createAccount(deps, {
        name: cleanName(request.body.name),
        email,
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
      schema: {
        security,
        summary: "The signed-in account",
        response: { 200: accountSchema, ...problems(401) },
      },
    },
    async (request) => publicAccount(request.account as Account),
  );

  app.patch<{ Body: { name: string } }>(
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
        response: { 200: accountSchema, ...problems(400, 401) },
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
      schema: {
        security,
        summary: "Delete the signed-in account",
        response: { 204: { type: "null" }, ...problems(401, 503) },
      },
    },
    async (request, reply) => {
      const id = (request.account as Account).id;
      // Signed out here first: should a later step fail, the old tokens are refused all the same.
      await store.signOut(id, new Date(now()), request.accessClaims?.originJti ?? null);
      app.evictAccount(id);
      try {
        await identity.signOutEverywhere(id);
        await identity.deleteUser(id);
      } catch (error) {
        throw toProblem(error);
      }
      // The watermark before the row goes: should the delete fail, the row left for `reconcile`
      // lets no token through in the meantime.
      try {
        await store.signOut(id, new Date(now()), request.accessClaims?.originJti ?? null);
        await store.delete(id);
      } finally {
        app.evictAccount(id);
      }
      reply.code(204);
    },
  );

  app.post(
    "/me/sign-out",
    {
      onRequest: app.authenticate,
      schema: {
        security,
        summary: "Sign out everywhere: every access token issued so far is refused",
        response: { 204: { type: "null" }, ...problems(401, 503) },
      },
    },
    async (request, reply) => {
      const id = (request.account as Account).id;
      // Cognito first: once the watermark is visible, Cognito already refuses every older token,
      // so its answer about a token issued near the watermark can be trusted (authenticate.ts).
      // If Cognito cannot be reached nothing changes, and the caller can try again.
      try {
        await identity.signOutEverywhere(id);
      } catch (error) {
        throw toProblem(error);
      }
      await store.signOut(id, new Date(now()), request.accessClaims?.originJti ?? null);
      app.evictAccount(id);
      reply.code(204);
    },
  );
};

export const accounts = fp(plugin, {
  name: "gatehouse-accounts",
  fastify: "5.x",
  dependencies: ["gatehouse-authenticate"],
});
