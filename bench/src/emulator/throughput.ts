// Cycle throughput with every server up at once, and each operation's server CPU on its own.
import {
  accountCycle,
  type CognitoCaller,
  type CycleResult,
  PERMANENT_PASSWORD,
  type Pool,
  type SignIn,
} from "../account-cycle.ts";
import { type Ephemeral, newEphemeral } from "../fast-srp.ts";
import { identityJsSignIn } from "../identity-js-sign-in.ts";
import { measurePerOperation } from "../per-operation.ts";
import { runCycles } from "../run-cycles.ts";
import type { RunningServer } from "../server-process.ts";
import { quantile } from "../stats.ts";
import { type EmulatorContext, newCaller } from "./context.ts";
import {
  type BenchResults,
  type Contender,
  DRIVER_LABEL,
  type Driver,
  signInLabel,
  type ThroughputResult,
} from "./options.ts";

export async function measureThroughput(context: EmulatorContext): Promise<{
  throughput: ThroughputResult[];
  perOperation: BenchResults["perOperation"];
  srp: BenchResults["srp"];
}> {
  const { options, contenders } = context;
  const { log } = options;
  // shared machine touches all of them alike ---
  const throughput: ThroughputResult[] = [];
  const perOperation: BenchResults["perOperation"] = [];
  const srp: BenchResults["srp"] = { fastClientSignedIn: false, identityJsSignedIn: null };
  const running: {
    contender: Contender;
    server: RunningServer;
    clients: Record<Driver, CognitoCaller>;
  }[] = [];
  try {
    for (const contender of contenders) {
      const server = await context.startFresh(contender);
      running.push({
        contender,
        server,
        clients: { sdk: newCaller("sdk", server.url), http: newCaller("http", server.url) },
      });
    }
    for (const { contender, server, clients } of running) {
      for (const signIn of contender.signIns) {
        for (const driver of options.drivers) {
          const client = clients[driver];
          const warm = await context.newPool(client, contender, `warmup-${signIn}-${driver}`);
          await cycles({
            client,
            server,
            pool: warm,
            contender,
            signIn,
            count: options.warmupCycles,
            concurrency: 1,
          });
          if (signIn === "srp" && driver === options.drivers[0]) {
            srp.fastClientSignedIn = true;
            srp.identityJsSignedIn = await checkIdentityJs(client, server.url, warm, contender);
            log(`srp       identity-js signs in: ${srp.identityJsSignedIn ? "yes" : "NO"}`);
          }
        }
      }
    }
    for (const concurrency of options.concurrencies) {
      for (const driver of options.drivers) {
        for (const { contender, server, clients } of running) {
          for (const signIn of contender.signIns) {
            const client = clients[driver];
            const pool = await context.newPool(
              client,
              contender,
              `throughput-${signIn}-${driver}-${concurrency}`,
            );
            const run = await cycles({
              client,
              server,
              pool,
              contender,
              signIn,
              count: options.throughputCycles,
              concurrency,
            });
            const result: ThroughputResult = {
              target: contender.name,
              signIn,
              driver,
              concurrency,
              cycles: run.completed,
              wallMs: run.wallMs,
              accountsPerSecond: (run.completed * 1000) / run.wallMs,
              p50Ms: quantile(run.timesMs, 0.5),
              p90Ms: quantile(run.timesMs, 0.9),
              serverCpuMsPerCycle: run.serverCpuMsPerCycle,
              clientCpuMsPerCycle: run.clientCpuMsPerCycle,
            };
            throughput.push(result);
            log(
              `cycles/s  ${contender.name} ${signInLabel(signIn)} ${DRIVER_LABEL[driver]} ×${concurrency}: ${result.accountsPerSecond.toFixed(1)}`,
            );
          }
        }
      }
    }
    for (const { contender, server, clients } of running) {
      const client = clients.http;
      const costs = await measurePerOperation({
        client,
        server,
        pool: await context.newPool(client, contender, "per-operation"),
        count: options.perOperationCalls,
        signInWithEmail: contender.signInWithEmail,
        srp: contender.signIns.includes("srp"),
      });
      perOperation.push({ target: contender.name, costs });
      log(`per-op    ${contender.name}: ${costs.length} operations`);
    }
  } finally {
    for (const { server, clients } of running) {
      clients.sdk.destroy();
      clients.http.destroy();
      await server.stop();
    }
  }
  throughput.sort(
    (a, b) =>
      contenders.findIndex((c) => c.name === a.target) -
        contenders.findIndex((c) => c.name === b.target) ||
      b.driver.localeCompare(a.driver) ||
      a.signIn.localeCompare(b.signIn) ||
      a.concurrency - b.concurrency,
  );

  return { throughput, perOperation, srp };
}

export interface CyclesRequest {
  client: CognitoCaller;
  server: RunningServer;
  pool: Pool;
  contender: Contender;
  signIn: SignIn;
  count: number;
  concurrency: number;
  budgetMs?: number;
}

/**
 * Runs `count` cycles and says what they cost: wall time, and CPU on each side. SRP secrets are
 * drawn before the clock starts.
 */
export async function cycles(request: CyclesRequest) {
  const { client, server, pool, contender, signIn, count, concurrency, budgetMs } = request;
  const ephemerals: Ephemeral[] =
    signIn === "srp" ? Array.from({ length: count }, newEphemeral) : [];
  const serverCpuBefore = server.cpuTimeMs();
  const clientCpuBefore = process.cpuUsage();
  // One in flight, the server's CPU after each cycle is that cycle's alone: deciles of CPU tell a
  // server that slows down from a neighbour on the machine taking the cores.
  const serverCpuAfter: (number | null)[] = [];
  const afterCycle =
    concurrency === 1
      ? (index: number) => {
          serverCpuAfter[index] = server.cpuTimeMs();
        }
      : undefined;
  const run = await runCycles({ count, concurrency, budgetMs, afterCycle }, async (index) => {
    await accountCycle({
      client,
      pool,
      signIn,
      signInWithEmail: contender.signInWithEmail,
      ephemeral: ephemerals[index],
    });
  });
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuEnd = server.cpuTimeMs();
  const perCycle = (ms: number) => (run.completed > 0 ? ms / run.completed : Number.NaN);
  return {
    ...run,
    serverCpuMsPerCycle:
      serverCpuBefore === null || serverCpuEnd === null
        ? null
        : perCycle(serverCpuEnd - serverCpuBefore),
    serverCpuDeciles: cpuDeciles(serverCpuBefore, serverCpuAfter, run.completed),
    clientCpuMsPerCycle: perCycle((clientCpu.user + clientCpu.system) / 1000),
  };
}

/** Server CPU per cycle over the first and the last tenth of a run, from per-cycle readings. */
function cpuDeciles(
  before: number | null,
  after: readonly (number | null)[],
  completed: number,
): { first: number; last: number } | null {
  const tenth = Math.floor(completed / 10);
  if (before === null || tenth === 0 || after.length < completed) return null;
  const firstEnd = after[tenth - 1];
  const lastStart = after[completed - tenth - 1];
  const lastEnd = after[completed - 1];
  if (firstEnd == null || lastStart == null || lastEnd == null) return null;
  return { first: (firstEnd - before) / tenth, last: (lastEnd - lastStart) / tenth };
}

async function checkIdentityJs(
  client: CognitoCaller,
  url: string,
  pool: Pool,
  contender: Contender,
): Promise<boolean> {
  const account: CycleResult = await accountCycle({
    client,
    pool,
    signIn: "password",
    signInWithEmail: contender.signInWithEmail,
  });
  const name = contender.signInWithEmail ? account.email : account.username;
  const username = await identityJsSignIn(url, pool, name, PERMANENT_PASSWORD);
  return username === account.username;
}
