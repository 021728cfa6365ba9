import { describe, expect, it } from "vitest";
import { replaceSection } from "./benchmarks-file.ts";

describe("BENCHMARKS.md's generated sections", () => {
  const doc = "# Benchmarks\n\nWhy the figures are what they are.\n";

  it("are added at the end the first time, and replaced in place after, keeping the rest", () => {
    const once = replaceSection(doc, "api", "| old | figures |");
    expect(once).toContain("Why the figures are what they are.");
    expect(once).toContain("| old | figures |");
    const edited = once.replace("Why the figures", "Why, written by hand, the figures");
    const twice = replaceSection(`${edited}\n## Later section\n`, "api", "| new | figures |");
    expect(twice).not.toContain("| old | figures |");
    expect(twice).toContain("| new | figures |");
    expect(twice).toContain("Why, written by hand, the figures");
    expect(twice.indexOf("| new | figures |")).toBeLessThan(twice.indexOf("## Later section"));
  });

  it("belong each to one suite", () => {
    const both = replaceSection(replaceSection(doc, "emulator", "E1"), "api", "A1");
    const updated = replaceSection(both, "emulator", "E2");
    expect(updated).toContain("E2");
    expect(updated).toContain("A1");
    expect(updated).not.toContain("E1");
  });
});
