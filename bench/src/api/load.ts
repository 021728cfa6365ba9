// The load: wrk (Debian's package, C) when it is installed, for GET loads, so that the load
// generator, pinned to the other core than the server's, is never the limit; autocannon (in this
// process) otherwise and for POST bodies. On one core autocannon tops out near 20,000 requests a
// second, below what the fastest servers here answer: a figure it produced says so.
// A run's figures come with the server's CPU over exactly that run (from /proc).
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import autocannon from "autocannon";
import type { RunningServer } from "../server-process.ts";

/** The load generator GET loads use on this machine. */
export const GENERATOR: "wrk" | "autocannon" = (() => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return "wrk";
  } catch (error) {
    // wrk prints its version and exits with status 1.
    return (error as { status?: number }).status === 1 ? "wrk" : "autocannon";
  }
})();

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
  /** Answers counted status by status (autocannon; wrk counts only "not 2xx or 3xx"). */
  byStatus?: boolean;
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
  const plainGet = spec.bodies === undefined && (spec.method ?? "GET") === "GET";
  if (GENERATOR === "wrk" && plainGet && spec.byStatus !== true) {
    return runWrk(server, spec);
  }
  return runAutocannon(server, spec);
}

// Each request takes the next token in turn, as autocannon's setupRequest does.
const TOKENS_SCRIPT = `
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS_FILE")) do tokens[#tokens + 1] = line end
local next = 0
request = function()
  next = next % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[next] })
end
`;

const execFileAsync = promisify(execFile);

/** wrk's durations: "512.00us", "1.20ms", "2.00s". */
function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!match) throw new Error(`wrk printed a duration this does not read: "${text}"`);
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

async function runWrk(server: RunningServer, spec: LoadSpec): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-wrk-"));
  try {
    // A 10 s timeout, as autocannon's: the slowest peer's slowest answer is a figure, not an error.
    const args = [
      "-t1",
      `-c${spec.connections}`,
      `-d${spec.seconds}s`,
      "--timeout",
      "10s",
      "--latency",
    ];
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (spec.tokens.length === 1) {
      args.push("-H", `Authorization: Bearer ${spec.tokens[0]}`);
    } else if (spec.tokens.length > 1) {
      env.BENCH_TOKENS_FILE = join(dir, "tokens.txt");
      await writeFile(env.BENCH_TOKENS_FILE, `${spec.tokens.join("\n")}\n`);
      await writeFile(join(dir, "tokens.lua"), TOKENS_SCRIPT);
      args.push("-s", join(dir, "tokens.lua"));
    }
    args.push(spec.url);
    const cpuBefore = server.cpuTimeMs();
    // wrk inherits this process's pinning (the load's core).
    const { stdout } = await execFileAsync("wrk", args, { env, maxBuffer: 1 << 20 });
    const cpuAfter = server.cpuTimeMs();
    const total = /(\d+) requests in ([\d.]+)(us|ms|s)/.exec(stdout);
    if (!total) throw new Error(`wrk printed no request count:\n${stdout}`);
    const requests = Number(total[1]);
    const seconds = milliseconds(`${total[2]}${total[3]}`) / 1000;
    const percentile = (p: string) => {
      const line = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(stdout);
      return line?.[1] ? milliseconds(line[1]) : Number.NaN;
    };
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
    const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
      stdout,
    );
    const errors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
    return {
      requests,
      seconds,
      perSecond: requests / seconds,
      p50Ms: percentile("50"),
      p99Ms: percentile("99"),
      // wrk counts answers outside 2xx and 3xx together, not by status.
      statuses: non2xx > 0 ? { "non-2xx": non2xx } : {},
      errors,
      serverCpuUs:
        cpuBefore === null || cpuAfter === null || requests === 0
          ? null
          : ((cpuAfter - cpuBefore) * 1000) / requests,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runAutocannon(server: RunningServer, spec: LoadSpec): Promise<LoadResult> {
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
