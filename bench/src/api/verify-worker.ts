// Token verification alone, in one process pinned to one core (run by verification.ts): each
// verifier checks the same access tokens, round after round, interleaved. Reads its input as JSON
// from the file named by argv[2]; prints its results as one JSON line.
import { createPublicKey, verify as rsaVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { authenticate } from "@gatehouse/server";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import Fastify, { type FastifyRequest } from "fastify";
import { createLocalJWKSet, jwtVerify } from "jose";
import jwt from "jsonwebtoken";
import jwksRsa from "jwks-rsa";
import { quantile } from "../stats.ts";

export interface VerifyInput {
  userPoolId: string;
  clientId: string;
  jwksUrl: string;
  jwks: { keys: ({ kid: string; kty: string; e: string; n: string } & Record<string, unknown>)[] };
  account: { id: string; sub: string; email: string };
  /** Distinct valid tokens: each is verified once per round ("first sight"). */
  tokens: string[];
  rounds: number;
  /** Tokens with random kids sent to a verifier that fetches keys, for this long. */
  hostileSeconds: number;
}

export interface VerifyRow {
  verifier: string;
  perSecond: number;
  /** Microseconds per verification (median round). */
  us: number;
  rounds: number[];
}

export interface VerifyOutput {
  rows: VerifyRow[];
  /** Random-kid tokens against aws-jwt-verify's default key cache (Gatehouse against AWS). */
  fetchingVerifier: { tokens: number; seconds: number; fetches: number };
}

type Check = (token: string) => unknown;

const input = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as VerifyInput;
const issuer = `https://cognito-idp.${input.userPoolId.split("_")[0]}.amazonaws.com/${input.userPoolId}`;
const [jwk] = input.jwks.keys;
if (!jwk) throw new Error("the JWKS has no key");

// The limit: one RS256 signature check, the JSON of header and payload, the expiry.
const publicKey = createPublicKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
const raw: Check = (token) => {
  const dot1 = token.indexOf(".");
  const dot2 = token.indexOf(".", dot1 + 1);
  const header = JSON.parse(Buffer.from(token.slice(0, dot1), "base64url").toString());
  if (header.kid !== jwk.kid || header.alg !== "RS256") throw new Error("wrong key");
  const ok = rsaVerify(
    "sha256",
    Buffer.from(token.slice(0, dot2)),
    publicKey,
    Buffer.from(token.slice(dot2 + 1), "base64url"),
  );
  if (!ok) throw new Error("bad signature");
  const payload = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), "base64url").toString());
  if (payload.exp <= Date.now() / 1000) throw new Error("expired");
  return payload;
};

const aws = CognitoJwtVerifier.create({
  userPoolId: input.userPoolId,
  tokenUse: "access",
  clientId: input.clientId,
});
aws.cacheJwks(input.jwks as Parameters<typeof aws.cacheJwks>[0]);

const joseKeys = createLocalJWKSet(input.jwks as Parameters<typeof createLocalJWKSet>[0]);

const jwksClient = jwksRsa({ jwksUri: input.jwksUrl, cache: true, rateLimit: true });
// Fetched once here, as a server does at its first request; from then on jwks-rsa's cache.
await jwksClient.getSigningKey(jwk.kid);
const jsonwebtoken: Check = async (token) => {
  const header = jwt.decode(token, { complete: true })?.header;
  const key = (await jwksClient.getSigningKey(header?.kid)).getPublicKey();
  return jwt.verify(token, key, { algorithms: ["RS256"], issuer });
};

// Gatehouse's own check, the authenticate hook of its API, on a Fastify instance of its own with
// the account in its cache: the hook is called directly, with no HTTP around it.
async function gatehouse() {
  const account = {
    id: input.account.id,
    email: input.account.email,
    name: "Bench Person",
    status: "active",
    cognitoSub: input.account.sub,
    createdAt: new Date(),
    updatedAt: new Date(),
    signedOutAt: null,
    signedOutOriginJti: null,
  };
  const store = new Proxy({} as Parameters<typeof authenticate>[1]["store"], {
    get: (_target, name) =>
      name === "onChange"
        ? () => () => {}
        : name === "findById"
          ? async () => account
          : () => Promise.reject(new Error(`the store's ${String(name)} is not used here`)),
  });
  const app = Fastify({ logger: false });
  await app.register(authenticate, {
    store,
    userPoolId: input.userPoolId,
    clientId: input.clientId,
    jwks: input.jwks as Parameters<typeof authenticate>[1]["jwks"],
    isAccessTokenActive: null,
  });
  await app.ready();
  // The hook admits synchronously whatever it can settle from memory: a promise only for the rest.
  return (token: string) => {
    let settled = false;
    let failure: Error | undefined;
    let finish: ((error?: Error) => void) | null = null;
    app.authenticate(
      {
        headers: { authorization: `Bearer ${token}` },
        raw: { rawHeaders: ["authorization", `Bearer ${token}`] },
        routeOptions: { config: {} },
      } as unknown as FastifyRequest,
      undefined as never,
      (error) => {
        settled = true;
        failure = error;
        finish?.(error);
      },
    );
    if (settled) return failure ? Promise.reject(failure) : undefined;
    return new Promise<void>((resolve, reject) => {
      finish = (error) => (error ? reject(error) : resolve());
    });
  };
}

async function timeAll(check: Check, tokens: readonly string[]): Promise<number> {
  const started = performance.now();
  for (const token of tokens) {
    const pending = check(token);
    if (pending) await pending;
  }
  return performance.now() - started;
}

const repeatToken = input.tokens[0] ?? "";
const repeat = Array.from({ length: input.tokens.length }, () => repeatToken);
// A new Gatehouse instance per round, so that each round is its first sight of every token.
const contenders: { verifier: string; make: () => Promise<Check>; tokens: readonly string[] }[] = [
  { verifier: "node:crypto RS256 (the limit)", make: async () => raw, tokens: input.tokens },
  {
    verifier: "aws-jwt-verify",
    make: async () => (token) => aws.verify(token),
    tokens: input.tokens,
  },
  {
    verifier: "jose",
    make: async () => (token) => jwtVerify(token, joseKeys, { issuer, algorithms: ["RS256"] }),
    tokens: input.tokens,
  },
  {
    verifier: "jsonwebtoken + jwks-rsa",
    make: async () => jsonwebtoken,
    tokens: input.tokens,
  },
  { verifier: "Gatehouse, first sight", make: gatehouse, tokens: input.tokens },
  {
    verifier: "Gatehouse, repeat",
    make: async () => {
      const check = await gatehouse();
      await check(repeatToken);
      return check;
    },
    tokens: repeat,
  },
];

const times = new Map<string, number[]>();
// One unmeasured pass each, so the JIT has seen every path.
for (const c of contenders) await timeAll(await c.make(), c.tokens.slice(0, 200));
for (let round = 0; round < input.rounds; round++) {
  for (const c of contenders) {
    const check = await c.make();
    const ms = await timeAll(check, c.tokens);
    times.set(c.verifier, [...(times.get(c.verifier) ?? []), (c.tokens.length * 1000) / ms]);
  }
}
const rows: VerifyRow[] = contenders.map(({ verifier }) => {
  const rounds = times.get(verifier) ?? [];
  const perSecond = quantile(rounds, 0.5);
  return { verifier, perSecond, us: 1e6 / perSecond, rounds };
});

// Random kids against the key cache Gatehouse uses against AWS: aws-jwt-verify's own, with its
// penalty box, whose fetcher here counts instead of going to AWS.
let fetches = 0;
const jwksBody = new TextEncoder().encode(JSON.stringify(input.jwks)).buffer;
const fetching = CognitoJwtVerifier.create(
  { userPoolId: input.userPoolId, tokenUse: "access", clientId: input.clientId },
  {
    jwksCache: new SimpleJwksCache({
      fetcher: {
        fetch: async () => {
          fetches++;
          return jwksBody as ArrayBuffer;
        },
      },
    }),
  },
);
await fetching.hydrate();
fetches = 0;
const [header, payload, signature] = repeatToken.split(".") as [string, string, string];
const randomKid = () => {
  const head = JSON.parse(Buffer.from(header, "base64url").toString());
  head.kid = Math.random().toString(36).slice(2);
  return `${Buffer.from(JSON.stringify(head)).toString("base64url")}.${payload}.${signature}`;
};
let sent = 0;
const until = performance.now() + input.hostileSeconds * 1000;
while (performance.now() < until) {
  sent++;
  await fetching.verify(randomKid()).catch(() => {});
}

const output: VerifyOutput = {
  rows,
  fetchingVerifier: { tokens: sent, seconds: input.hostileSeconds, fetches },
};
process.stdout.write(`${JSON.stringify(output)}\n`);
