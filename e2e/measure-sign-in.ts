// Time from pressing "Sign in" to the account page showing the name, in Debian's Chromium, against
// the local stack. Run: npm run measure -w e2e
import { buildSite } from "@gatehouse/web";
import { launchChromium } from "./browser.ts";
import { startStack } from "./stack.ts";

const RUNS = 7;
await buildSite();
const stack = await startStack();
const browser = await launchChromium();
const { context } = browser;
try {
  const email = `measure-${Date.now()}@example.com`;
  const password = "Correct-horse-9";
  const created = await fetch(`${stack.apiUrl}/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Measured", email, password }),
  });
  if (created.status !== 201) throw new Error(`account creation failed: ${created.status}`);
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
