// Hostile traffic: `GET /me` with tokens that must all be refused — valid tokens with a broken
// signature, and tokens naming a `kid` the pool never had (a new one every request) — against
// Gatehouse and the peers that verify. What it costs each server, and how many times each went
// to fetch the pool's keys because of it (counted at the pass-through in front of Cognito).
import { randomUUID } from "node:crypto";
import type { RunningServer } from "../server-process.ts";
import { startCountingProxy } from "./counting-proxy.ts";
import { type Cognito, POOL } from "./fixture.ts";
import { runLoad } from "./load.ts";
import type { PeerKind } from "./peer-server.ts";
import { SERVER_LABEL, type ServerKey } from "./requests.ts";
import { type Database, startGatehouse, startPeer } from "./servers.ts";

export type Attack = "bad-signature" | "random-kid";
export const ATTACK_LABEL: Record<Attack, string> = {
  "bad-signature": "valid claims, broken signature",
  "random-kid": "a kid the pool never had, new every request",
};

export interface HostileRow {
  server: ServerKey;
  attack: Attack;
  perSecond: number;
  serverCpuUs: number | null;
  /** Answers other than 401 (there should be none). */
  notRefused: number;
  jwksFetches: number;
  seconds: number;
}

/** Valid tokens with their signature's first byte flipped. */
export function badSignatures(tokens: readonly string[]): string[] {
  return tokens.map((token) => {
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    return `${header}.${payload}.${bytes.toString("base64url")}`;
  });
}

/** `count` tokens like `token`, each naming a new random kid (the signature is then moot). */
export function randomKids(token: string, count: number): string[] {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const head = JSON.parse(Buffer.from(header, "base64url").toString()) as Record<string, unknown>;
  return Array.from({ length: count }, () => {
    const forged = Buffer.from(JSON.stringify({ ...head, kid: randomUUID() })).toString(
      "base64url",
    );
    return `${forged}.${payload}.${signature}`;
  });
}

export async function measureHostile(options: {
  cognito: Cognito;
  workDir: string;
  database: Database;
  tokens: readonly string[];
  seconds: number;
  connections: number;
  serverCpus: string;
}): Promise<HostileRow[]> {
  const { cognito, workDir, serverCpus } = options;
  const attacks: Record<Attack, string[]> = {
    "bad-signature": badSignatures(options.tokens),
    "random-kid": randomKids(options.tokens[0] ?? "", options.tokens.length),
  };
  const servers: { key: ServerKey; server: RunningServer; own: Cognito }[] = [];
  const peers: PeerKind[] = ["aws-jwt-verify-lru", "express"];
  const rows: HostileRow[] = [];
  // Each server reaches Cognito through a pass-through of its own, so that a fetch still running
  // after its load has stopped is never counted against the next server.
  const ownCognito = async (): Promise<Cognito> => {
    const proxy = await startCountingProxy(cognito.emulator.url);
    return {
      ...cognito,
      proxy,
      jwksUrl: `${proxy.url}/${POOL.userPoolId}/.well-known/jwks.json`,
      stop: () => proxy.close(),
    };
  };
  try {
    for (const kind of peers) {
      const own = await ownCognito();
      servers.push({
        key: kind,
        own,
        server: await startPeer(kind, own, workDir, "on", serverCpus),
      });
    }
    const own = await ownCognito();
    servers.push({
      key: options.database.kind,
      own,
      server: await startGatehouse({
        cognito: own,
        workDir,
        database: options.database,
        logging: "on",
        cpus: serverCpus,
        name: "gatehouse-hostile",
      }),
    });
    for (const attack of ["bad-signature", "random-kid"] as const) {
      for (const { key, server, own } of servers) {
        const before = own.proxy.jwksFetches;
        const result = await runLoad(server, {
          url: `${server.url}/me`,
          tokens: attacks[attack],
          connections: options.connections,
          seconds: options.seconds,
          byStatus: true,
        });
        const refused = result.statuses["401"] ?? 0;
        rows.push({
          server: key,
          attack,
          perSecond: result.perSecond,
          serverCpuUs: result.serverCpuUs,
          notRefused: result.requests - refused,
          jwksFetches: own.proxy.jwksFetches - before,
          seconds: result.seconds,
        });
      }
    }
  } finally {
    for (const { server, own } of servers) {
      await server.stop();
      await own.stop();
    }
  }
  return rows;
}

export { SERVER_LABEL };
