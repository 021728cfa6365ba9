// Trusts a request only through a verified Cognito access token, and exposes the account it
// belongs to as `request.account`. Registered on its own, another app gets the same guarantees.
import { createHash } from "node:crypto";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Account, AccountStore } from "../db/index.ts";
import { Lru } from "../lru.ts";
import { Problem } from "../problems.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in account; set by `authenticate`. */
    account: Account | null;
    /** The verified access token's claims; set by `authenticate`. */
    accessClaims: AccessClaims | null;
  }
  interface FastifyInstance {
    /** An onRequest hook that refuses the request unless it carries a valid access token. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Forget a cached account on this instance (after this instance changed it). */
    evictAccount(id: string): void;
  }
}

export interface AccessClaims {
  username: string;
  sub: string;
  iat: number;
  exp: number;
  originJti: string | null;
}

type Jwks = Parameters<ReturnType<typeof CognitoJwtVerifier.create>["cacheJwks"]>[0];

export interface AuthenticateOptions {
  store: AccountStore;
  userPoolId: string;
  clientId: string;
  /**
   * The pool's JWKS, when it must be handed over rather than fetched (the local emulator serves it
   * over http, which the verifier refuses). `null`: fetched from Cognito by the verifier.
   */
  jwks: Jwks | null;
  /** Tokens longer than this are refused before parsing. Default 8 KiB. */
  maxTokenBytes?: number;
  /** Verified tokens remembered until they expire. Default 10,000. */
  tokenCacheSize?: number;
  /** Accounts remembered in process. Default 10,000. */
  accountCacheSize?: number;
  /** Seconds since the epoch. */
  now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i;
const CLOCK_SKEW_SECONDS = 60;

const refuse = (detail: string) => new Problem("unauthorized", detail);

const plugin: FastifyPluginAsync<AuthenticateOptions> = async (app, options) => {
  const maxTokenBytes = options.maxTokenBytes ?? 8192;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const verifier = CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    tokenUse: "access",
    clientId: options.clientId,
  });
  if (options.jwks) verifier.cacheJwks(options.jwks);

  const tokens = new Lru<string, AccessClaims>(options.tokenCacheSize ?? 10_000);
  const accounts = new Lru<string, Account>(options.accountCacheSize ?? 10_000);
  // Bumped on every change notification: a read that raced a change is not cached.
  let version = 0;
  const unsubscribe = options.store.onChange({
    changed(id) {
      version++;
      accounts.delete(id);
    },
    reset() {
      version++;
      accounts.clear();
    },
  });
  app.addHook("onClose", async () => unsubscribe());

  async function verify(token: string): Promise<AccessClaims> {
    const key = createHash("sha256").update(token).digest("base64url");
    const cached = tokens.get(key);
    if (cached && cached.exp > now()) return cached;
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(token);
    } catch {
      throw refuse("The access token is not valid.");
    }
    const { exp, iat, username, sub, origin_jti: originJti } = payload;
    if (typeof exp !== "number" || exp <= now()) throw refuse("The access token has expired.");
    if (typeof iat !== "number" || iat > now() + CLOCK_SKEW_SECONDS) {
      throw refuse("The access token is not valid.");
    }
    if (typeof username !== "string" || typeof sub !== "string") {
      throw refuse("The access token is not valid.");
    }
    const claims: AccessClaims = {
      username,
      sub,
      iat,
      exp,
      originJti: typeof originJti === "string" ? originJti : null,
    };
    tokens.set(key, claims);
    return claims;
  }

  async function loadAccount(id: string): Promise<Account | null> {
    const cached = accounts.get(id);
    if (cached) return cached;
    const before = version;
    const account = await options.store.findById(id);
    if (account && version === before) accounts.set(id, account);
    return account;
  }

  app.decorateRequest("account", null);
  app.decorateRequest("accessClaims", null);
  app.decorate("evictAccount", (id: string) => {
    version++;
    accounts.delete(id);
  });
  app.decorate("authenticate", async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header === undefined) throw refuse("Sign in: this request needs an access token.");
    if (header.length > maxTokenBytes + 16) throw refuse("The access token is too large.");
    const match = BEARER.exec(header);
    const token = match?.[1];
    if (!token) throw refuse("Send the access token as: Authorization: Bearer <token>.");
    if (Buffer.byteLength(token) > maxTokenBytes) throw refuse("The access token is too large.");
    const claims = await verify(token);
    if (!UUID.test(claims.username)) throw refuse("The access token is not for an account here.");
    const account = await loadAccount(claims.username.toLowerCase());
    if (account?.status !== "active" || account.cognitoSub !== claims.sub) {
      throw refuse("The account no longer exists.");
    }
    if (account.signedOutAt) {
      const watermark = Math.floor(account.signedOutAt.getTime() / 1000);
      const sameSession =
        claims.originJti !== null && claims.originJti === account.signedOutOriginJti;
      if (claims.iat < watermark || (claims.iat === watermark && sameSession)) {
        throw refuse("You signed out: sign in again.");
      }
    }
    request.account = account;
    request.accessClaims = claims;
  });
};

export const authenticate = fp(plugin, { name: "gatehouse-authenticate", fastify: "5.x" });
