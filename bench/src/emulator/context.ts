// What every phase of the emulator benchmark shares: one temporary directory with a fresh
// subdirectory per server, and how each contender is started.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type CognitoCaller, cognitoClient, createPool } from "../account-cycle.ts";
import { benchPoolSettings, type Storage, startEmulatorCli } from "../cognito-emulator.ts";
import { prepareCognitoLocalDir, startCognitoLocal } from "../cognito-local.ts";
import { httpCaller } from "../http-caller.ts";
import type { RunningServer } from "../server-process.ts";
import {
  type BenchOptions,
  type Contender,
  type Driver,
  OURS_CONTENDER,
  PEER_CONTENDER,
} from "./options.ts";

export function newCaller(driver: Driver, url: string): CognitoCaller {
  return driver === "sdk" ? cognitoClient(url) : httpCaller(url);
}

export interface EmulatorContext {
  options: BenchOptions;
  contenders: Contender[];
  freshDir(label: string): Promise<string>;
  startPeer(dir: string, timeoutMs?: number): Promise<RunningServer>;
  startOurs(
    dir: string,
    storage: Storage,
    seedPath?: string,
    timeoutMs?: number,
  ): Promise<RunningServer>;
  /** A contender on fresh, empty data. */
  startFresh(contender: Contender): Promise<RunningServer>;
  newPool(client: CognitoCaller, contender: Contender, name: string): ReturnType<typeof createPool>;
}

export function emulatorContext(
  options: BenchOptions,
  root: string,
  profileDir: string,
): EmulatorContext {
  const oursNodeArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  let dirCount = 0;
  const context: EmulatorContext = {
    options,
    contenders: [
      ...(options.targets.includes("peer") ? [PEER_CONTENDER] : []),
      ...(options.targets.includes("ours") ? [OURS_CONTENDER] : []),
    ],
    async freshDir(label) {
      const dir = join(root, `${String(++dirCount).padStart(2, "0")}-${label}`);
      await mkdir(dir, { recursive: true });
      return dir;
    },
    startPeer: (dir, timeoutMs) => startCognitoLocal(dir, { timeoutMs }),
    startOurs: (dir, storage, seedPath, timeoutMs) =>
      startEmulatorCli({ workDir: dir, storage, seedPath, nodeArgs: oursNodeArgs, timeoutMs }),
    async startFresh(contender) {
      const dir = await context.freshDir(contender === PEER_CONTENDER ? "peer" : "ours");
      if (contender === PEER_CONTENDER) {
        await prepareCognitoLocalDir(dir);
        return context.startPeer(dir);
      }
      return context.startOurs(dir, { dataDir: join(dir, "data") });
    },
    newPool: (client, contender, name) =>
      createPool(client, name, contender === OURS_CONTENDER ? benchPoolSettings : {}),
  };
  return context;
}
