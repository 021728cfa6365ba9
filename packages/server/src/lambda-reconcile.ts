// AWS Lambda entry for reconcile on a schedule (an EventBridge rule in the CDK stack): one pass
// with the repairs applied, under the same PostgreSQL lock the API's timer takes, so runs never
// overlap. Configuration comes from the environment, as for the API.
import { loadConfig } from "./config.ts";
import { runReconcile } from "./reconcile-pass.ts";

export interface ReconcileRun {
  /** Repairs made by this pass. */
  readonly repaired: number;
  /** True when another instance held the lock, so this pass did nothing. */
  readonly skipped: boolean;
}

export async function handler(): Promise<ReconcileRun> {
  const actions = await runReconcile(loadConfig(process.env));
  return { repaired: actions?.length ?? 0, skipped: actions === null };
}
