// The real local stack in one process, on free ports and in memory: local Cognito, the API and
// the site on two origins of its own (so the browser exercises CORS as in production).
import type { RunningEmulator } from "@gatehouse/cognito-emulator";
import { startLocalStack } from "@gatehouse/local-stack";
import pino from "pino";

export interface Stack {
  emulator: RunningEmulator;
  apiUrl: string;
  siteUrl: string;
  /** The same site configured with `tokenStorage: "local"`, on its own origin. */
  localStorageSiteUrl: string;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const stack = await startLocalStack({
    env: {
      ACCOUNTS_RATE_LIMIT_PER_MINUTE: "1000",
      CREDENTIALS_RATE_LIMIT_PER_MINUTE: "1000",
      // Several test files may share one pool, each API with its own database.
      RECONCILE_INTERVAL_SECONDS: "0",
    },
    dataDir: null,
    emulatorPort: 0,
    apiPort: 0,
    sites: [{ port: 0 }, { port: 0, tokenStorage: "local" }],
    logger: pino({ level: "silent" }),
    printCodes: false,
  });
  const [siteUrl, localStorageSiteUrl] = stack.siteUrls;
  if (stack.emulator === null || siteUrl === undefined || localStorageSiteUrl === undefined) {
    throw new Error("The local stack started without its local Cognito or its sites");
  }
  return {
    emulator: stack.emulator,
    apiUrl: stack.apiUrl,
    siteUrl,
    localStorageSiteUrl,
    stop: stack.stop,
  };
}
