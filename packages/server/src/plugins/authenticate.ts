// Trusts a request only through a verified Cognito access token, and exposes the account it
// belongs to as `request.account`. Registered on its own, another app gets the same guarantees.
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from "fastify";
import fp from "fastify-plugin";
import { identityUnavailable } from "../cognito/errors.ts";
import type { Account, AccountStore } from "../db/index.ts";
import { Lru } from "../lru.ts";
import { Problem } from "../problems.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in account; set by `authenticate`. */
    account: Account | null;
    /** The verified access token's claims; set by `authenticate`. */
    accessClaims: AccessClaims | null;
    /** The verified access token itself, for the Cognito operations that act as its user. */
    accessToken: string | null;
  }
  interface FastifyContextConfig {
    /**
     * An account whose email is not proven yet may use this route (GET /me, sign-out, delete,
     * email verification); every other authenticated route answers it 403 `email_unverified`.
     */
    allowUnverified?: boolean;
  }
  interface FastifyInstance {
    /** An onRequest hook that refuses the request unless it carries a valid access token. */
    authenticate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
    /** Forget a cached account on this instance (after this instance changed it). */
    evictAccount(id: string): void;
  }
}

export interface AccessClaims {
  username: string;
  sub: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  /** The sign-in session the token belongs to (refreshes keep it). */
  originJti: string | null;
}

type Jwks = Parameters<ReturnType<typeof CognitoJwtVerifier.create>["cacheJwks"]>[0];

export interface AuthenticateOptions {
  store: AccountStore;
  userPoolId: string;
  clientId: string;
  /**
   * The pool's JWKS, handed over rather than fetched (the local emulator serves it over http, which
   * the verifier refuses); then no key is ever fetched. `null`: the verifier fetches Cognito's.
   */
  jwks: Jwks | null;
  /**
   * Asks Cognito whether a verified token is still honoured (identity.isAccessTokenActive). Used
   * only for tokens issued within a few seconds of the account's last sign-out, where `iat` (whole
   * seconds) and two clocks cannot tell before from after. `null`: such tokens are refused.
   */
  isAccessTokenActive: ((accessToken: string) => Promise<boolean>) | null;
  /**
   * Where fetched keys come from when none are handed over (tests); default aws-jwt-verify's own
   * HTTPS fetch of the pool's JWKS.
   */
  jwksFetcher?: Fetcher;
  /** Tokens longer than this are refused before parsing. Default 8 KiB. */
  maxTokenBytes?: number;
  /** Verified tokens remembered until they expire. Default 10,000. */
  tokenCacheSize?: number;
  /** Accounts remembered in process. Default 10,000. */
  accountCacheSize?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** A verified token, remembered until it expires. */
interface VerifiedToken {
  /** The whole token (the cache finds it by its last characters, see `tokenKey`). */
  token: string;
  claims: AccessClaims;
  /** The account the token's `username` names; null when that is not an account id here. */
  accountId: string | null;
  /** Cognito said it was still honoured after the sign-out at this watermark (ms). */
  activeAfterSignOutAt: number | null;
  /** Cognito said it was revoked: it never will be honoured again. */
  revoked: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i;
const CLOCK_SKEW_SECONDS = 60;
/**
 * How far Cognito's clock (which sets `iat`) and ours (which sets the watermark) may disagree.
 * Tokens issued this close to a sign-out are checked with Cognito instead of compared.
 */
const SIGN_OUT_UNCERTAINTY_MS = 2000;

/**
 * What the verified-token cache is keyed by: the signature's last 24 characters (over 140 random
 * bits), so that finding a token hashes 24 characters rather than its 1,000 or so. Only verified
 * tokens are stored and a hit must equal the whole token, so a token made to share a key with
 * another gains nothing: it is verified like any unknown token.
 */
const tokenKey = (token: string) => token.slice(-24);

const refuse = (detail: string) => new Problem("unauthorized", detail);
const ambiguous = () =>
  new Problem("validation_failed", "Send one Authorization header, not several.", [
    { field: "authorization", message: "Send one Authorization header, not several." },
  ]);

/** Node keeps only the first of repeated Authorization headers; the raw list has them all. */
function authorizationHeaders(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.length === 13 && raw[i]?.toLowerCase() === "authorization") count++;
  }
  return count;
}
const signedOut = () => refuse("You signed out: sign in again.");

/**
 * Where a token stands against the account's sign-out watermark. Cognito's global sign-out runs
 * before the watermark is written, so a token of the session that signed out, or one issued
 * clearly before, is dead; one issued clearly after is a new sign-in; in between, Cognito knows.
 */
export function againstWatermark(
  claims: Pick<AccessClaims, "iat" | "originJti">,
  account: Pick<Account, "signedOutAt" | "signedOutOriginJti">,
): "live" | "revoked" | "ask-cognito" {
  if (account.signedOutAt === null) return "live";
  if (claims.originJti !== null && claims.originJti === account.signedOutOriginJti) {
    return "revoked";
  }
  const watermark = account.signedOutAt.getTime();
  // `iat` is whole seconds: the token was issued somewhere in [iat, iat + 1) s.
  const earliest = claims.iat * 1000;
  const latest = earliest + 999;
  if (latest < watermark - SIGN_OUT_UNCERTAINTY_MS) return "revoked";
  if (earliest > watermark + SIGN_OUT_UNCERTAINTY_MS) return "live";
  return "ask-cognito";
}

const plugin: FastifyPluginAsync<AuthenticateOptions> = async (app, options) => {
  const maxTokenBytes = options.maxTokenBytes ?? 8192;
  const nowMs = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(nowMs() / 1000);
  const fetcher = options.jwks
    ? // Handed-over keys are the only keys: an unknown `kid` is refused, not looked up at AWS.
      { fetch: () => Promise.reject(new Error("keys are handed over, not fetched")) }
    : options.jwksFetcher;
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: options.userPoolId, tokenUse: "access", clientId: options.clientId },
    fetcher ? { jwksCache: new SimpleJwksCache({ fetcher }) } : undefined,
  );
  if (options.jwks) verifier.cacheJwks(options.jwks);
  else {
    // Fetched now rather than by the first request; should it fail, a request fetches it later.
    verifier.hydrate().catch((error: unknown) => {
      app.log.warn({ err: error }, "could not load the pool's keys yet; will retry on use");
    });
  }

  const tokens = new Lru<string, VerifiedToken>(options.tokenCacheSize ?? 10_000);
  const accounts = new Lru<string, Account>(options.accountCacheSize ?? 10_000);
  /** One question to Cognito per token at a time, however many requests carry it. */
  const asking = new Map<string, Promise<boolean>>();
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

  /** A token verified before and not expired; the whole token must match, not just its key. */
  function remembered(token: string): VerifiedToken | undefined {
    const cached = tokens.get(tokenKey(token));
    return cached && cached.token === token && cached.claims.exp > nowSeconds()
      ? cached
      : undefined;
  }

  /**
   * Verifies a token with the keys in memory: its claims, or null when its key is not among them
   * (keys not loaded yet, AWS rotated its keys, or a forgery), which only `verifyFetching` can
   * settle. Throws a refusal for a token that is not valid.
   */
  function verifyNow(token: string): VerifiedToken | null {
    let payload: JwtPayload;
    try {
      payload = verifier.verifySync(token);
    } catch (error) {
      if (
        error instanceof JwksNotAvailableInCacheError ||
        error instanceof KidNotFoundInJwksError
      ) {
        return null;
      }
      throw refuse("The access token is not valid.");
    }
    return remember(token, payload);
  }

  /** The same, fetching the JWKS if need be, as often as the verifier's penalty box allows. */
  async function verifyFetching(token: string): Promise<VerifiedToken> {
    let payload: JwtPayload;
    try {
      // Handed-over keys are never fetched: their fetcher refuses, and so does this.
      payload = await verifier.verify(token);
    } catch {
      throw refuse("The access token is not valid.");
    }
    return remember(token, payload);
  }

  /** A signed token's claims checked, and the token remembered until it expires. */
  function remember(token: string, payload: JwtPayload): VerifiedToken {
    const { exp, iat, username, sub, origin_jti: originJti } = payload;
    if (typeof exp !== "number" || exp <= nowSeconds()) {
      throw refuse("The access token has expired.");
    }
    if (typeof iat !== "number" || iat > nowSeconds() + CLOCK_SKEW_SECONDS) {
      throw refuse("The access token is not valid.");
    }
    if (typeof username !== "string" || typeof sub !== "string") {
      throw refuse("The access token is not valid.");
    }
    const verified: VerifiedToken = {
      token,
      claims: {
        username,
        sub,
        iat,
        exp,
        originJti: typeof originJti === "string" ? originJti : null,
      },
      accountId: UUID.test(username) ? username.toLowerCase() : null,
      activeAfterSignOutAt: null,
      revoked: false,
    };
    tokens.set(tokenKey(token), verified);
    return verified;
  }

  async function loadAccount(id: string): Promise<Account | null> {
    const cached = accounts.get(id);
    if (cached) return cached;
    const before = version;
    const account = await options.store.findById(id);
    if (account && version === before) accounts.set(id, account);
    return account;
  }

  async function stillHonoured(token: string): Promise<boolean> {
    const check = options.isAccessTokenActive;
    if (!check) return false;
    let pending = asking.get(token);
    if (!pending) {
      pending = check(token).finally(() => asking.delete(token));
      asking.set(token, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (error instanceof Problem) throw error;
      throw identityUnavailable();
    }
  }

  app.decorateRequest("account", null);
  app.decorateRequest("accessClaims", null);
  app.decorateRequest("accessToken", null);
  app.decorate("evictAccount", (id: string) => {
    version++;
    accounts.delete(id);
  });
  /** The Authorization header, when there is exactly one. */
  function authorizationOf(request: FastifyRequest): string {
    const header = request.headers.authorization;
    // Two headers (or two values joined by a proxy) leave which one counts to chance: refused.
    if (authorizationHeaders(request.raw.rawHeaders) > 1 || header?.includes(",")) {
      throw ambiguous();
    }
    if (header === undefined) throw refuse("Sign in: this request needs an access token.");
    return header;
  }

  function accountIdOf(verified: VerifiedToken): string {
    if (verified.revoked) throw signedOut();
    if (verified.accountId === null) throw refuse("The access token is not for an account here.");
    return verified.accountId;
  }

  /** Refuses a token whose account is gone, not made yet, or another user's by now. */
  function checkAccount(
    verified: VerifiedToken,
    account: Account | null | undefined,
  ): asserts account is Account {
    if (!account || account.status === "pending" || account.cognitoSub !== verified.claims.sub) {
      throw refuse("The account no longer exists.");
    }
  }

  /**
   * The token against the account's sign-out watermark: refused, or whether it is settled (false:
   * only Cognito can tell, see `againstWatermark`).
   */
  function settled(verified: VerifiedToken, account: Account): boolean {
    const standing = againstWatermark(verified.claims, account);
    if (standing === "revoked") throw signedOut();
    return (
      standing === "live" || verified.activeAfterSignOutAt === (account.signedOutAt?.getTime() ?? 0)
    );
  }

  function admit(
    request: FastifyRequest,
    token: string,
    verified: VerifiedToken,
    account: Account,
  ) {
    if (account.status === "unverified" && request.routeOptions.config.allowUnverified !== true) {
      throw new Problem(
        "email_unverified",
        "Verify your email address first: enter the code we sent to it.",
      );
    }
    request.account = account;
    request.accessToken = token;
    request.accessClaims = verified.claims;
  }

  /** The token of an `Authorization` header not seen before: its form and size checked. */
  function tokenOf(header: string): string {
    if (header.length > maxTokenBytes + 16) throw refuse("The access token is too large.");
    const token = BEARER.exec(header)?.[1] ?? "";
    if (!token) throw refuse("Send the access token as: Authorization: Bearer <token>.");
    // The pattern admits ASCII only, so its length is its size in bytes.
    if (token.length > maxTokenBytes) throw refuse("The access token is too large.");
    return token;
  }

  /**
   * What is left when something is not in memory: the JWKS fetched, the account loaded, or
   * Cognito asked whether a token from around a sign-out is still honoured.
   */
  async function admitLater(
    request: FastifyRequest,
    token: string,
    known: VerifiedToken | null,
  ): Promise<void> {
    const verified = known ?? (await verifyFetching(token));
    const account = await loadAccount(accountIdOf(verified));
    checkAccount(verified, account);
    if (!settled(verified, account)) {
      if (!(await stillHonoured(token))) {
        verified.revoked = true;
        throw signedOut();
      }
      verified.activeAfterSignOutAt = account.signedOutAt?.getTime() ?? 0;
    }
    admit(request, token, verified, account);
  }

  // A callback hook, not an async one: a request whose token is verified (or verifiable with the
  // keys in memory) for an account in memory, clear of any sign-out, is admitted synchronously,
  // without a promise or a turn of the microtask queue. That is every request but the first of an
  // account on this instance, a key rotation, and the seconds around a sign-out.
  app.decorate(
    "authenticate",
    (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      let token: string;
      let verified: VerifiedToken | null;
      try {
        const header = authorizationOf(request);
        // "Bearer <a token verified before>" is found without the pattern, which it matched then.
        token = header.startsWith("Bearer ") ? header.slice(7) : "";
        verified = remembered(token) ?? null;
        if (verified === null) {
          token = tokenOf(header);
          verified = verifyNow(token);
        }
        if (verified !== null) {
          const account = accounts.get(accountIdOf(verified));
          if (account !== undefined) {
            checkAccount(verified, account);
            if (settled(verified, account)) {
              admit(request, token, verified, account);
              done();
              return;
            }
          }
        }
      } catch (error) {
        done(error as Error);
        return;
      }
      admitLater(request, token, verified).then(() => done(), done);
    },
  );
};

export const authenticate = fp(plugin, { name: "gatehouse-authenticate", fastify: "5.x" });
