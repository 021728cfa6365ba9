// The peers of `GET /me`, each as its own process (run by api-requests.ts, pinned to one core):
//   ceiling          Fastify, no authentication at all
//   aws-jwt-verify   Fastify + aws-jwt-verify, verifying every request
//   aws-jwt-verify-lru  the same + a ~30-line LRU of verified tokens
//   express          Express + jsonwebtoken + jwks-rsa, as the tutorials write it
// Environment: PEER, PORT, USER_POOL_ID, CLIENT_ID, JWKS_URL, LOG (on: one pino line per request,
// id, status and time, to stdout through pino's asynchronous destination, as Gatehouse does).
import { CognitoJwtVerifier } from "aws-jwt-verify";
import express from "express";
import Fastify from "fastify";
import jwt, { type JwtHeader, type JwtPayload, type SigningKeyCallback } from "jsonwebtoken";
import jwksRsa from "jwks-rsa";
import pino from "pino";
import { TokenLru } from "./token-lru.ts";

export const PEERS = ["ceiling", "aws-jwt-verify", "aws-jwt-verify-lru", "express"] as const;
export type PeerKind = (typeof PEERS)[number];

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const kind = env("PEER") as PeerKind;
if (!PEERS.includes(kind)) throw new Error(`PEER must be one of ${PEERS.join(", ")}`);
const port = Number(env("PORT"));
const userPoolId = env("USER_POOL_ID");
const clientId = env("CLIENT_ID");
const jwksUrl = env("JWKS_URL");
const log = process.env.LOG === "on" ? pino(pino.destination({ sync: false })) : null;

/** What every peer answers for `GET /me`: the shape and size of Gatehouse's account. */
const account = (username: string) => ({
  id: username,
  name: "Bench Person",
  email: "bench@example.com",
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
});

const bearer = (header: string | undefined) =>
  header?.startsWith("Bearer ") ? header.slice(7) : null;

async function awsVerifier() {
  const verifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: "access", clientId });
  const response = await fetch(jwksUrl);
  verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);
  return verifier;
}

async function fastifyPeer() {
  const app = Fastify({ logger: false });
  if (log) {
    app.addHook("onResponse", async (request, reply) => {
      log.info({ reqId: request.id, status: reply.statusCode, ms: reply.elapsedTime });
    });
  }
  app.get("/health", async () => ({ status: "ok" }));
  if (kind === "ceiling") {
    app.get("/me", async () => account("00000000-0000-4000-8000-000000000000"));
  } else {
    const verifier = await awsVerifier();
    const cache = kind === "aws-jwt-verify-lru" ? new TokenLru<{ username: string }>(10_000) : null;
    app.get("/me", async (request, reply) => {
      const token = bearer(request.headers.authorization);
      if (!token) return reply.code(401).send({ error: "unauthorized" });
      let claims = cache?.get(token, Date.now() / 1000);
      if (!claims) {
        try {
          const payload = await verifier.verify(token);
          claims = { username: String(payload.username) };
          cache?.set(token, claims, payload.exp);
        } catch {
          return reply.code(401).send({ error: "unauthorized" });
        }
      }
      return account(claims.username);
    });
  }
  await app.listen({ port, host: "127.0.0.1" });
}

async function expressPeer() {
  const issuer = `https://cognito-idp.${userPoolId.split("_")[0]}.amazonaws.com/${userPoolId}`;
  const client = jwksRsa({
    jwksUri: jwksUrl,
    cache: true,
    rateLimit: true,
    jwksRequestsPerMinute: 10,
  });
  const getKey = (header: JwtHeader, callback: SigningKeyCallback) => {
    client.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
  };
  const app = express();
  app.disable("x-powered-by");
  let next = 0;
  if (log) {
    app.use((_req, res, done) => {
      const started = performance.now();
      const reqId = `req-${++next}`;
      res.on("finish", () => {
        log.info({ reqId, status: res.statusCode, ms: performance.now() - started });
      });
      done();
    });
  }
  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/me", (req, res) => {
    const token = bearer(req.headers.authorization);
    if (!token) {
      res.status(401).json({ error: "unauthorized" });
      return;
    }
    jwt.verify(token, getKey, { algorithms: ["RS256"], issuer }, (error, decoded) => {
      const claims = decoded as JwtPayload | undefined;
      if (error || claims?.token_use !== "access" || claims.client_id !== clientId) {
        res.status(401).json({ error: "unauthorized" });
        return;
      }
      res.json(account(String(claims.username)));
    });
  });
  app.listen(port, "127.0.0.1");
}

if (kind === "express") await expressPeer();
else await fastifyPeer();
// A normal exit on SIGTERM, so `node --cpu-prof` writes the peer's profile too.
process.once("SIGTERM", () => process.exit(0));
