// Loaded into the API process by the soak suite (node --expose-gc --import): on SIGUSR2 it collects
// garbage and appends the process's memory use as one JSON line to MEMORY_PROBE_FILE. Nothing in
// the API itself changes.
import { appendFileSync } from "node:fs";

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  process.on("SIGUSR2", () => {
    globalThis.gc?.();
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ at: Date.now(), rss, heapUsed, heapTotal, external })}\n`,
    );
  });
}
