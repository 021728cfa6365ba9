// Debian's Chromium through playwright-core (never a downloaded browser), with the flags that work
// on these machines and a fresh profile each time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Screenshots otherwise wait for web fonts first, which can stall headless Chromium on a busy
// machine; the pages use system fonts only.
process.env.PW_TEST_SCREENSHOT_NO_FONTS_READY = "1";

export interface LaunchOptions {
  /** More Chromium flags (e.g. --host-resolver-rules for the rehearsal's hostnames). */
  readonly args?: readonly string[];
  /** Accept a certificate no authority signed (the rehearsal's throwaway one). */
  readonly ignoreHTTPSErrors?: boolean;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(path.join(tmpdir(), "gatehouse-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(options.args ?? []),
    ],
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
