import { describe, expect, it } from "vitest";
import { quantile, summarizeCycleTimes } from "./stats.ts";

describe("cycle time statistics", () => {
  it("interpolates quantiles between ranks", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 0.9)).toBe(100);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it("compares the first and last tenth of a run in the order the cycles ran", () => {
    const times = [
      ...Array.from({ length: 10 }, () => 10),
      ...Array.from({ length: 80 }, () => 12),
      ...Array.from({ length: 10 }, () => 15),
    ];
    const summary = summarizeCycleTimes(times);
    expect(summary.count).toBe(100);
    expect(summary.firstDecile).toBe(10);
    expect(summary.lastDecile).toBe(15);
    expect(summary.drift).toBe(1.5);
    expect(summary.p50).toBe(12);
  });
});
