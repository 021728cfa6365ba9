// Where Gatehouse's API spends a core under `GET /me` load: a V8 CPU profile (`node --cpu-prof`)
// of the API process, summarised over the load window only (not start-up), as the hottest frames.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { monotonicUs, summarizeProfile } from "../profile-summary.ts";
import type { Cognito } from "./fixture.ts";
import { runLoad } from "./load.ts";
import { type Database, type Logging, startGatehouse } from "./servers.ts";

export interface ProfileResult {
  logging: Logging;
  seconds: number;
  perSecond: number;
  /** Sampled time in the window, and the part of it not idle. */
  sampledMs: number;
  busyMs: number;
  /** Hottest frames by self time, as a share of busy time. */
  self: { frame: string; share: number }[];
  /** Frames with everything they called, as a share of busy time. */
  inclusive: { frame: string; share: number }[];
  file: string;
}

export async function profileGetMe(options: {
  cognito: Cognito;
  workDir: string;
  database: Database;
  logging: Logging;
  token: string;
  seconds: number;
  connections: number;
  serverCpus: string;
  profileDir: string;
  top: number;
}): Promise<ProfileResult> {
  const dir = join(options.profileDir, `get-me-${options.logging}`);
  // An earlier run's profiles would be read as this one's (the largest file is taken).
  await rm(dir, { recursive: true, force: true });
  const server = await startGatehouse({
    cognito: options.cognito,
    workDir: options.workDir,
    database: options.database,
    logging: options.logging,
    cpus: options.serverCpus,
    name: `gatehouse-profile-${options.logging}`,
    nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    loader: "tsx",
  });
  let perSecond: number;
  let window: { fromUs: number; toUs: number };
  try {
    const load = { url: `${server.url}/me`, tokens: [options.token], connections: 50 };
    await runLoad(server, { ...load, seconds: 2 });
    const fromUs = monotonicUs();
    const result = await runLoad(server, {
      ...load,
      connections: options.connections,
      seconds: options.seconds,
    });
    window = { fromUs, toUs: monotonicUs() };
    perSecond = result.perSecond;
  } finally {
    await server.stop();
  }
  // The main thread's profile is the largest (workers, if any, write their own).
  const files = await Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith(".cpuprofile"))
      .map(async (f) => ({ f, text: await readFile(join(dir, f), "utf8") })),
  );
  const main = files.sort((a, b) => b.text.length - a.text.length)[0];
  if (!main) throw new Error(`no CPU profile was written to ${dir}`);
  const summary = summarizeProfile(JSON.parse(main.text), window);
  const busyMs = summary.totalMs - summary.idleMs;
  const shares = (entries: [string, number][]) =>
    entries
      .filter(([frame]) => !frame.startsWith("(idle)") && !frame.startsWith("(root)"))
      .slice(0, options.top)
      .map(([frame, ms]) => ({ frame, share: ms / busyMs }));
  return {
    logging: options.logging,
    seconds: options.seconds,
    perSecond,
    sampledMs: summary.totalMs,
    busyMs,
    self: shares(summary.self),
    inclusive: shares(summary.inclusive),
    file: join(dir, main.f),
  };
}
