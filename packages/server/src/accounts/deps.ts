// What the account flows need: the two stores, the policy, a log, a clock, and a way to drop an
// account from this instance's cache the moment a flow changed it.
import type { FastifyBaseLogger } from "fastify";
import type { Identity } from "../cognito/identity.ts";
import type { AccountStore } from "../db/index.ts";
import type { PasswordPolicy } from "../password-policy.ts";

export interface FlowDeps {
  store: AccountStore;
  identity: Identity;
  policy: PasswordPolicy;
  logger: FastifyBaseLogger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Forgets a cached account on this instance (others hear the database's change feed). */
  evict: (id: string) => void;
}
