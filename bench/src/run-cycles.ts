export interface CycleRun {
  /** Cycles that finished. */
  completed: number;
  /** Wall time from the first start to the last finish. */
  wallMs: number;
  /** Each finished cycle's time, indexed by the order the cycles started. */
  timesMs: number[];
  /** True when the time budget stopped the run before `count` cycles. */
  budgetHit: boolean;
}

export interface RunCyclesOptions {
  count: number;
  /** Cycles in flight at once. */
  concurrency: number;
  /** Start no new cycle after this many milliseconds. */
  budgetMs?: number;
  /** Called when a cycle has finished, after its time is taken (so not counted in it). */
  afterCycle?: (index: number) => void;
}

/** Runs `cycle(i)` for i = 0..count-1 with a fixed number in flight; the first failure rejects. */
export async function runCycles(
  options: RunCyclesOptions,
  cycle: (index: number) => Promise<void>,
): Promise<CycleRun> {
  const times: number[] = [];
  let next = 0;
  let failed = false;
  let budgetHit = false;
  const started = performance.now();
  const deadline = options.budgetMs === undefined ? Infinity : started + options.budgetMs;

  const worker = async () => {
    while (!failed && next < options.count) {
      if (performance.now() > deadline) {
        budgetHit = true;
        return;
      }
      const index = next++;
      const t0 = performance.now();
      try {
        await cycle(index);
      } catch (error) {
        failed = true;
        throw error;
      }
      times[index] = performance.now() - t0;
      options.afterCycle?.(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const wallMs = performance.now() - started;
  // Cycles finish out of order when several are in flight; the array is indexed by start order.
  const timesMs = times.filter((t) => t !== undefined);
  return { completed: timesMs.length, wallMs, timesMs, budgetHit };
}
