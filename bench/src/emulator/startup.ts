// Start-up to first answer: spawn → first 200 from GET /health, after one unmeasured spawn.
import { join } from "node:path";
import { prepareCognitoLocalDir } from "../cognito-local.ts";
import type { RunningServer } from "../server-process.ts";
import { quantile } from "../stats.ts";
import type { EmulatorContext } from "./context.ts";
import { OURS, PEER, type StartupResult } from "./options.ts";

export async function measureStartup(context: EmulatorContext): Promise<StartupResult[]> {
  const { options } = context;
  const { log } = options;
  const includePeer = options.targets.includes("peer");
  const includeOurs = options.targets.includes("ours");
  const startup: StartupResult[] = [];
  const startupModes: { target: string; mode: string; start: () => Promise<RunningServer> }[] = [];
  if (includePeer) {
    startupModes.push({
      target: PEER,
      mode: "empty data dir",
      start: async () => {
        const dir = await context.freshDir("peer-startup");
        await prepareCognitoLocalDir(dir);
        return context.startPeer(dir);
      },
    });
  }
  if (includeOurs) {
    startupModes.push(
      {
        target: OURS,
        mode: "--in-memory",
        start: async () =>
          context.startOurs(await context.freshDir("ours-startup"), { inMemory: true }),
      },
      {
        target: OURS,
        mode: "empty --data-dir",
        start: async () => {
          const dir = await context.freshDir("ours-startup");
          return context.startOurs(dir, { dataDir: join(dir, "data") });
        },
      },
    );
  }
  for (const mode of startupModes) {
    const times: number[] = [];
    for (let run = 0; run <= options.startupRuns; run++) {
      const server = await mode.start();
      times.push(server.startupMs);
      await server.stop();
    }
    const [coldMs = Number.NaN, ...runsMs] = times;
    const medianMs = quantile(runsMs, 0.5);
    startup.push({ target: mode.target, mode: mode.mode, coldMs, runsMs, medianMs });
    log(`start-up  ${mode.target} (${mode.mode}): ${medianMs.toFixed(0)} ms`);
  }

  return startup;
}
