// Time from pressing "Sign in" to the account page showing the name, in Debian's Chromium, against
// the local stack. Run: npm run measure -w e2e
import { buildSite } from "@gatehouse/web";
import { launchChromium } from "./browser.ts";
import { createVerifiedAccount } from "./site-driver.ts";
import { startStack } from "./stack.ts";

const RUNS = 7;
await buildSite();
const stack = await startStack();
const browser = await launchChromium();
const { context } = browser;
try {
  const email = `measure-${Date.now()}@example.com`;
  const password = "Correct-horse-9";
  // Accounts sign in by email once it is proven: created and verified as a person would.
  const setup = await context.newPage();
  await createVerifiedAccount(stack, setup, "Measured", email, { password });
  await setup.getByRole("button", { name: "Sign out" }).click();
  await setup.waitForURL((url) => url.pathname === "/");
  await setup.close();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await context.newPage();
    await page.goto(stack.siteUrl);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    const started = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#account-name", { hasText: "Measured" }).waitFor();
    times.push(performance.now() - started);
    await page.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `Sign in → account page (${RUNS} runs): median ${sorted[Math.floor(RUNS / 2)]?.toFixed(0)} ms, min ${sorted[0]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
  );
} finally {
  await browser.close();
  await stack.stop();
}
