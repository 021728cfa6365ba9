// `GET /me` under load: Gatehouse's real API beside its peers, every server its own process
// pinned to one core and the load (this process) to the other, with the same tokens and keys.
// All servers of one logging mode run at once and are measured in turn, round after round, so a
// change in the machine's load touches them alike; each figure is the median of its rounds.
import type { RunningServer } from "../server-process.ts";
import { quantile } from "../stats.ts";
import { type Cognito, startBehindOwnProxy } from "./fixture.ts";
import { type LoadResult, runLoad } from "./load.ts";
import type { PeerKind } from "./peer-server.ts";
import { type Database, type Logging, startGatehouse, startPeer } from "./servers.ts";

export const SERVER_LABEL = {
  ceiling: "Fastify, no authentication (ceiling)",
  "aws-jwt-verify-lru": "Fastify + aws-jwt-verify + token LRU",
  "aws-jwt-verify": "Fastify + aws-jwt-verify",
  express: "Express + jsonwebtoken + jwks-rsa",
  pglite: "Gatehouse GET /me, PGlite",
  postgres: "Gatehouse GET /me, PostgreSQL",
} as const;
export type ServerKey = keyof typeof SERVER_LABEL;
const PEER_KEYS: PeerKind[] = ["ceiling", "aws-jwt-verify-lru", "aws-jwt-verify", "express"];

export interface RequestsSettings {
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  /** Distinct tokens sent in turn: 1, and e.g. 10,000. */
  tokenCounts: number[];
  logging: Logging[];
  /** The peers to run beside Gatehouse (default: all). */
  peers?: PeerKind[];
  /** The servers that take the loads of more than one token (default: all). */
  manyTokenServers?: ServerKey[];
  /** Gatehouse's databases; a PostgreSQL one is absent when no server was reachable. */
  databases: Database[];
  serverCpus: string;
}

export interface RequestsRow {
  server: ServerKey;
  logging: Logging;
  tokens: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU per request, µs. */
  serverCpuUs: number | null;
  rounds: number[];
}

/** A server under load, with the pass-through of its own that counts its calls to Cognito. */
export interface Contestant {
  key: ServerKey;
  server: RunningServer;
  cognito: Cognito;
}

export async function measureRequests(
  settings: RequestsSettings,
  cognito: Cognito,
  workDir: string,
  tokenSets: Map<number, readonly string[]>,
  log: (line: string) => void,
  /** Run after the loads of each logging mode, while its servers are still up. */
  whileUp?: (logging: Logging, contestants: readonly Contestant[]) => Promise<void>,
): Promise<RequestsRow[]> {
  const rows: RequestsRow[] = [];
  for (const logging of settings.logging) {
    const contestants: Contestant[] = [];
    try {
      for (const kind of settings.peers ?? PEER_KEYS) {
        contestants.push({
          key: kind,
          ...(await startBehindOwnProxy(cognito, (own) =>
            startPeer(kind, own, workDir, logging, settings.serverCpus),
          )),
        });
      }
      for (const database of settings.databases) {
        contestants.push({
          key: database.kind,
          ...(await startBehindOwnProxy(cognito, (own) =>
            startGatehouse({
              cognito: own,
              workDir,
              database,
              logging,
              cpus: settings.serverCpus,
              name: `gatehouse-${database.kind}-${logging}`,
            }),
          )),
        });
      }
      const [firstTokens] = tokenSets.values();
      if (settings.warmupSeconds > 0) {
        for (const { server } of contestants) {
          await check(server, firstTokens ?? [], settings, settings.warmupSeconds);
        }
      }
      for (const count of settings.tokenCounts) {
        const tokens = tokenSets.get(count);
        if (!tokens) throw new Error(`no set of ${count} tokens`);
        const runs = new Map<ServerKey, LoadResult[]>();
        for (let round = 0; round < settings.rounds; round++) {
          for (const { key, server } of contestants) {
            if (
              count > 1 &&
              settings.manyTokenServers &&
              !settings.manyTokenServers.includes(key)
            ) {
              continue;
            }
            const result = await check(server, tokens, settings, settings.seconds, key);
            runs.set(key, [...(runs.get(key) ?? []), result]);
          }
        }
        for (const [key, results] of runs) {
          const median = (pick: (r: LoadResult) => number) => quantile(results.map(pick), 0.5);
          const cpu = results.map((r) => r.serverCpuUs).filter((c) => c !== null);
          const row: RequestsRow = {
            server: key,
            logging,
            tokens: count,
            perSecond: median((r) => r.perSecond),
            p50Ms: median((r) => r.p50Ms),
            p99Ms: median((r) => r.p99Ms),
            serverCpuUs: cpu.length > 0 ? quantile(cpu, 0.5) : null,
            rounds: results.map((r) => r.perSecond),
          };
          rows.push(row);
          log(
            `GET /me  ${SERVER_LABEL[key]}, logging ${logging}, ${count} token(s): ${row.perSecond.toFixed(0)} req/s, p99 ${row.p99Ms} ms`,
          );
        }
      }
      await whileUp?.(logging, contestants);
    } finally {
      // Side by side: a peer still busy with the last hostile load takes a while to stop.
      await Promise.all(
        contestants.map(async ({ server, cognito: own }) => {
          await server.stop();
          await own.stop();
        }),
      );
    }
  }
  return rows;
}

/** One load run; every answer must be 200, or the figure would measure refusals. */
async function check(
  server: RunningServer,
  tokens: readonly string[],
  settings: RequestsSettings,
  seconds: number,
  key?: ServerKey,
): Promise<LoadResult> {
  const result = await runLoad(server, {
    url: `${server.url}/me`,
    tokens,
    connections: settings.connections,
    seconds,
  });
  if (result.requests === 0 || result.errors > 0 || Object.keys(result.statuses).length > 0) {
    throw new Error(
      `${key ? SERVER_LABEL[key] : server.url} did not answer every GET /me with 200: ${result.requests} answered, ${result.errors} errors, other statuses ${JSON.stringify(result.statuses)} (log: ${server.logPath})`,
    );
  }
  return result;
}
