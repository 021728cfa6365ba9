// What each suite tried and measured, written by the suite itself as it runs; `run.ts` turns these
// files and vitest's own pass/fail record into RELIABILITY.md, so no figure there is typed by hand.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./processes.ts";

export const RESULTS_DIR = path.join(ROOT, "reliability/results");

/** `test:reliability` runs the suites at full size; `npm test` runs the same checks smaller. */
export const FULL = process.env.RELIABILITY_FULL === "1";
export const scale = (fast: number, full: number) => (FULL ? full : fast);

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface SuiteResult {
  /** The suite's file name without `.test.ts`. */
  id: string;
  title: string;
  /** What was tried, in a sentence or two. */
  about: string;
  scale: "fast" | "full";
  figures: { name: string; value: string }[];
  tables: Table[];
  notes: string[];
}

export class SuiteReport {
  private readonly result: SuiteResult;

  constructor(id: string, title: string, about: string) {
    this.result = {
      id,
      title,
      about,
      scale: FULL ? "full" : "fast",
      figures: [],
      tables: [],
      notes: [],
    };
  }

  /** One measured figure; a later one with the same name replaces it. */
  figure(name: string, value: string | number): void {
    const text = typeof value === "number" ? formatNumber(value) : value;
    const existing = this.result.figures.find((f) => f.name === name);
    if (existing) existing.value = text;
    else this.result.figures.push({ name, value: text });
    this.save();
  }

  table(table: Table): void {
    this.result.tables = this.result.tables.filter((t) => t.title !== table.title);
    this.result.tables.push(table);
    this.save();
  }

  note(text: string): void {
    this.result.notes.push(text);
    this.save();
  }

  /** Written after every addition, so a suite that dies half-way still shows what it got to. */
  save(): void {
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(
      path.join(RESULTS_DIR, `${this.result.id}.json`),
      `${JSON.stringify(this.result, null, 2)}\n`,
    );
  }
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** The value below which `p` of the samples fall (nearest rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] as number;
}
