// Hostile traffic: `GET /me` with tokens that must all be refused — valid tokens with a broken
// signature, and tokens naming a `kid` the pool never had (a new one every request) — against
// Gatehouse and the peers that verify. What it costs each server, and how many times each went
// to fetch the pool's keys because of it (counted at each server's own pass-through in front of
// Cognito). The servers are those of the `GET /me` runs with logging on, after their valid loads.
import { randomUUID } from "node:crypto";
import { runLoad } from "./load.ts";
import { type Contestant, SERVER_LABEL, type ServerKey } from "./requests.ts";

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

/** The servers that verify tokens: Gatehouse on PGlite, the LRU peer and the Express stack. */
export const HOSTILE_SERVERS: readonly ServerKey[] = ["aws-jwt-verify-lru", "express", "pglite"];

export async function measureHostile(options: {
  servers: readonly Contestant[];
  /** Which of them take the hostile loads; default HOSTILE_SERVERS. */
  only?: readonly ServerKey[];
  tokens: readonly string[];
  seconds: number;
  connections: number;
}): Promise<HostileRow[]> {
  const attacks: Record<Attack, string[]> = {
    "bad-signature": badSignatures(options.tokens),
    "random-kid": randomKids(options.tokens[0] ?? "", options.tokens.length),
  };
  const only = options.only ?? HOSTILE_SERVERS;
  const servers = options.servers.filter((s) => only.includes(s.key));
  const rows: HostileRow[] = [];
  for (const attack of ["bad-signature", "random-kid"] as const) {
    for (const { key, server, cognito: own } of servers) {
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
  return rows;
}

export { SERVER_LABEL };
