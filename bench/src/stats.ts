/** The q-quantile (0..1) of samples by linear interpolation between closest ranks. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? Number.NaN;
  return lowValue + (highValue - lowValue) * (position - low);
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

export interface CycleTimeSummary {
  /** Cycles measured. */
  count: number;
  p50: number;
  p90: number;
  mean: number;
  /** Median of the first 10 % of cycles, in the order they ran. */
  firstDecile: number;
  /** Median of the last 10 % of cycles, in the order they ran. */
  lastDecile: number;
  /** lastDecile / firstDecile: above 1 means cycles got slower as the run went on. */
  drift: number;
}

/**
 * Summarises cycle times given in the order the cycles started. Deciles use medians so that one
 * stray pause from a neighbour on a shared machine does not decide a goal; p90 still shows pauses.
 */
export function summarizeCycleTimes(timesInOrder: readonly number[]): CycleTimeSummary {
  const tenth = Math.max(1, Math.floor(timesInOrder.length / 10));
  const firstDecile = quantile(timesInOrder.slice(0, tenth), 0.5);
  const lastDecile = quantile(timesInOrder.slice(-tenth), 0.5);
  return {
    count: timesInOrder.length,
    p50: quantile(timesInOrder, 0.5),
    p90: quantile(timesInOrder, 0.9),
    mean: mean(timesInOrder),
    firstDecile,
    lastDecile,
    drift: lastDecile / firstDecile,
  };
}
