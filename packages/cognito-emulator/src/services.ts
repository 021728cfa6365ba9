// What operations are built from. Each operation takes only the services it needs
// (`Pick<Services, "store" | "clock">`), so its dependencies show in its signature.
import type { Clock } from "./clock.ts";
import type { ExpiringMap } from "./expiring-map.ts";
import type { Outbox } from "./outbox.ts";
import type { ChallengeSession } from "./sign-in.ts";
import type { Store } from "./store.ts";
import type { TokenSigner } from "./tokens.ts";

export interface EmulatorConfig {
  /** Region of pools made by CreateUserPool. */
  region: string;
  /** Every code sent is this value (for scripted tests), or random when null. */
  fixedCode: string | null;
  /** The `iss` claim for a pool. */
  issuer(poolId: string): string;
  /** One line of operator log (never a password, token or key). */
  log(line: string): void;
}

export interface Services {
  store: Store;
  clock: Clock;
  signer: TokenSigner;
  /** Challenge sessions and SRP state, keyed by the opaque value the client sends back. */
  sessions: ExpiringMap<ChallengeSession>;
  outbox: Outbox;
  config: EmulatorConfig;
}

export const seconds = (ms: number) => Math.floor(ms / 1000);
