// BENCHMARKS.md is partly written by `npm run bench`: each suite owns the text between its two
// markers, and everything outside them (explanations, history, other commands' figures) is kept.
import { readFile, writeFile } from "node:fs/promises";

const begin = (suite: string) => `<!-- npm run bench: ${suite} (generated, do not edit) -->`;
const end = (suite: string) => `<!-- end of ${suite} -->`;

/** `text` with the suite's generated block replaced, or added at the end when it has none. */
export function replaceSection(text: string, suite: string, body: string): string {
  const block = `${begin(suite)}\n${body.trim()}\n${end(suite)}`;
  const from = text.indexOf(begin(suite));
  const to = text.indexOf(end(suite));
  if (from === -1 || to === -1 || to < from) return `${text.trimEnd()}\n\n${block}\n`;
  return `${text.slice(0, from)}${block}${text.slice(to + end(suite).length)}`;
}

export async function updateBenchmarksFile(
  path: string,
  sections: Record<string, string>,
): Promise<void> {
  let text = await readFile(path, "utf8").catch(() => "# Benchmarks\n");
  for (const [suite, body] of Object.entries(sections)) text = replaceSection(text, suite, body);
  await writeFile(path, text);
}
