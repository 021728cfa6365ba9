// The real local stack in one process, on free ports: local Cognito, the API (PGlite in memory)
// and the site on its own origin, so the browser exercises CORS as in production.
import { createServer } from "node:net";
import { type RunningEmulator, startEmulator } from "@gatehouse/cognito-emulator";
import {
  localPool,
  localSeed,
  passwordPolicyOf,
  startLocalApi,
  userPoolSettings,
} from "@gatehouse/server";
import { serveSite, siteConfig } from "@gatehouse/web";
import pino from "pino";

export interface Stack {
  emulator: RunningEmulator;
  apiUrl: string;
  siteUrl: string;
  /** The same site configured with `tokenStorage: "local"`, on its own origin. */
  localStorageSiteUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startStack(): Promise<Stack> {
  const emulator = await startEmulator({ inMemory: true, log: null, seed: localSeed() });
  const sitePort = await freePort();
  const siteUrl = `http://localhost:${sitePort}`;
  const localSitePort = await freePort();
  const localStorageSiteUrl = `http://localhost:${localSitePort}`;
  const api = await startLocalApi({
    cognitoEndpoint: emulator.url,
    userPoolId: localPool.userPoolId,
    clientId: localPool.clientId,
    corsOrigins: [siteUrl, localStorageSiteUrl],
    logger: pino({ level: "silent" }),
  });
  const config = siteConfig({
    region: localPool.region,
    userPoolId: localPool.userPoolId,
    clientId: localPool.clientId,
    cognitoEndpoint: emulator.url,
    apiBaseUrl: api.url,
    passwordPolicy: passwordPolicyOf(userPoolSettings.Policies.PasswordPolicy),
  });
  const site = await serveSite({ port: sitePort, config });
  const localSite = await serveSite({
    port: localSitePort,
    config: siteConfig({ ...config, cognitoEndpoint: emulator.url, tokenStorage: "local" }),
  });
  return {
    emulator,
    apiUrl: api.url,
    siteUrl: site.url,
    localStorageSiteUrl: localSite.url,
    async stop() {
      await localSite.stop();
      await site.stop();
      await api.stop();
      await emulator.stop();
    },
  };
}
