// The load: autocannon in this process, which the API benchmarks pin to the other core than the
// server's. A run's figures come with the server's CPU over exactly that run (from /proc).
import { execFileSync } from "node:child_process";
import autocannon from "autocannon";
import type { RunningServer } from "../server-process.ts";

/** Pins every thread of this process (and what it starts later) to `cpus`. */
export function pinThisProcess(cpus: string): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" });
}

export interface LoadSpec {
  url: string;
  /** Sent in turn, one per request, across all connections. */
  tokens: readonly string[];
  connections: number;
  seconds: number;
  method?: "GET" | "POST";
  /** A body per request (POST /accounts); replaces tokens when given. */
  bodies?: () => string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers outside 2xx, by status. */
  statuses: Record<string, number>;
  errors: number;
  /** Server CPU per answered request, in microseconds; null off Linux. */
  serverCpuUs: number | null;
}

export async function runLoad(server: RunningServer, spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  const single = spec.tokens.length === 1 && spec.bodies === undefined;
  const headers: Record<string, string> = {};
  if (spec.tokens.length > 0) headers.authorization = `Bearer ${spec.tokens[0]}`;
  if (spec.bodies) headers["content-type"] = "application/json";
  const statuses: Record<string, number> = {};
  const cpuBefore = server.cpuTimeMs();
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    requests: [
      {
        method: spec.method ?? "GET",
        headers,
        ...(single
          ? {}
          : {
              setupRequest: (request: autocannon.Request) => {
                if (spec.bodies) return { ...request, body: spec.bodies() };
                const token = spec.tokens[next++ % spec.tokens.length];
                return {
                  ...request,
                  headers: { ...request.headers, authorization: `Bearer ${token}` },
                };
              },
            }),
        onResponse: (status: number) => {
          if (status < 200 || status > 299) statuses[status] = (statuses[status] ?? 0) + 1;
        },
      },
    ],
  });
  const cpuAfter = server.cpuTimeMs();
  const requests = result.requests.total;
  const seconds = result.duration;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
    serverCpuUs:
      cpuBefore === null || cpuAfter === null || requests === 0
        ? null
        : ((cpuAfter - cpuBefore) * 1000) / requests,
  };
}
