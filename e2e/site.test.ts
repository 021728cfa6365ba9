import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSite } from "@gatehouse/web";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, launchChromium } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === "true")
    throw new Error(`Chromium is required under CI and is missing at ${CHROMIUM}`);
  console.warn(
    `\n!!! SKIPPING browser tests: no Chromium at ${CHROMIUM}. Install it: apt-get install -y chromium\n`,
  );
}

const ARTIFACTS = fileURLToPath(new URL("./test-results/", import.meta.url));
const PASSWORD = "Correct-horse-9";
let stack: Stack;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let seq = 0;
/** Console messages from any page that mention the Content-Security-Policy. */
const cspViolations: string[] = [];
const email = (tag: string) => `${tag}-${Date.now()}-${seq++}@example.com`;

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function createAccount(
  page: Page,
  name: string,
  address: string,
  password = PASSWORD,
  screenshot?: string,
) {
  await page.goto(`${stack.siteUrl}/create-account`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(address);
  await page.getByLabel("Password", { exact: true }).fill(password);
  // Before submitting: the page navigates away once the account exists.
  if (screenshot) await shot(page, screenshot);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function signIn(page: Page, address: string, password = PASSWORD) {
  await page.goto(stack.siteUrl);
  await page.getByLabel("Email").fill(address);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe.skipIf(!available)("the website in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildSite();
    stack = await startStack();
    browser = await launchChromium();
    context = browser.context;
    context.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("creates an account, signs in, keeps the session on reload, and signs out", async () => {
    const page = await context.newPage();
    const address = email("ada");
    await createAccount(page, "Ada Lovelace", address, PASSWORD, "create-account");
    await page.waitForURL("**/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Ada Lovelace");
    await expect.poll(() => page.locator("#account-email").textContent()).toBe(address);
    await shot(page, "account");

    await page.reload();
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Ada Lovelace");
    const stored = await page.evaluate(() => ({
      local: localStorage.length,
      session: sessionStorage.length,
    }));
    expect(stored.local).toBe(0);
    expect(stored.session).toBeGreaterThan(0);
    const token = await page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.endsWith(".accessToken"));
      return key ? sessionStorage.getItem(key) : null;
    });
    expect(token).toBeTruthy();

    await page.getByLabel("Name", { exact: true }).fill("Ada King");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Ada King");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await expect.poll(() => page.locator("#notice").textContent()).toBe("You have signed out.");
    await shot(page, "signed-out");
    // Sign-out replaced the account page in the history: Back cannot show it again.
    await page.goBack();
    expect(new URL(page.url()).pathname).not.toBe("/account");
    await page.goForward();
    const refused = await fetch(`${stack.apiUrl}/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);

    await page.goto(`${stack.siteUrl}/account`);
    await page.waitForURL((url) => url.pathname === "/");
    await page.close();
  });

  it("shows a wrong password, a taken email and a weak password beside the field", async () => {
    const page = await context.newPage();
    await page.goto(stack.siteUrl);
    await shot(page, "sign-in");
    const address = email("taken");
    await createAccount(page, "Grace", address);
    await page.waitForURL("**/account");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    await signIn(page, address, "Wrong-horse-9");
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("don't match");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("password");
    await shot(page, "sign-in-wrong-password");

    await createAccount(page, "Grace again", address.toUpperCase());
    await expect.poll(() => page.locator("#email-error").textContent()).toContain("already exists");
    await shot(page, "create-account-email-taken");

    await createAccount(page, "Weak", email("weak"), "short");
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("too weak");
    expect(await page.locator("#password-error").getAttribute("role")).toBe("alert");
    await shot(page, "create-account-weak-password");
    await page.close();
  });

  it("resets a forgotten password with the emailed code", async () => {
    const page = await context.newPage();
    const address = email("forgot");
    await createAccount(page, "Hedy", address);
    await page.waitForURL("**/account");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill(address);
    await shot(page, "forgot-password");
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByLabel("Code").waitFor();
    const outbox = (await (await fetch(`${stack.emulator.url}/_emulator/outbox`)).json()) as {
      messages: { destination: string; code: string }[];
    };
    const code = outbox.messages.filter((m) => m.destination === address).at(-1)?.code ?? "";
    expect(code).toMatch(/^\d{6}$/);
    await page.getByLabel("Code").fill(code === "000000" ? "111111" : "000000");
    await page.getByLabel("New password").fill("Brand-new-horse-7");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => page.locator("#code-error").textContent()).toContain("not right");
    await shot(page, "forgot-password-wrong-code");
    await page.getByLabel("Code").fill(code);
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await signIn(page, address, "Brand-new-horse-7");
    await page.waitForURL("**/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Hedy");
    await page.close();
  });

  it("deletes the account after a confirmation", async () => {
    const page = await context.newPage();
    const address = email("delete");
    await createAccount(page, "Mary", address);
    await page.waitForURL("**/account");
    await page.getByRole("button", { name: "Delete account" }).click();
    await page.getByLabel("Your email").fill("someone-else@example.com");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect.poll(() => page.locator("#confirm-error").textContent()).toContain("exactly");
    await shot(page, "account-delete-confirm");
    await page.getByLabel("Your email").fill(address);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await signIn(page, address);
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("don't match");
    await page.close();
  });

  it("changes the password, with a wrong current password shown beside its field", async () => {
    const page = await context.newPage();
    const address = email("change");
    await createAccount(page, "Katherine", address);
    await page.waitForURL("**/account");
    await page.locator("#account").waitFor();
    await page.getByLabel("Current password").fill("Not-my-password-1");
    await page.getByLabel("New password").fill("Another-horse-8");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => page.locator("#current-error").textContent())
      .toBe("That is not your current password.");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("current");
    expect(await page.locator("#new-password-hint").textContent()).toContain("at least");
    await shot(page, "account-change-password-wrong");

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => page.locator("#change-status").textContent())
      .toBe("Your password has been changed.");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await signIn(page, address, "Another-horse-8");
    await page.waitForURL("**/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Katherine");
    await page.close();
  });

  it("refreshes a refused access token once, and sends you to sign in when that fails too", async () => {
    const page = await context.newPage();
    await createAccount(page, "Annie", email("refresh"));
    await page.waitForURL("**/account");
    await page.locator("#account").waitFor();

    // A token the API refuses (its signature altered) though the page still thinks it is current.
    const spoil = (kinds: string[]) =>
      page.evaluate((kinds) => {
        const before: Record<string, string> = {};
        for (const key of Object.keys(sessionStorage)) {
          const kind = kinds.find((k) => key.endsWith(`.${k}`));
          const token = sessionStorage.getItem(key);
          if (!kind || !token) continue;
          before[kind] = token;
          const [head, body, signature = ""] = token.split(".");
          const flipped = signature[8] === "A" ? "B" : "A";
          const altered = `${signature.slice(0, 8)}${flipped}${signature.slice(9)}`;
          sessionStorage.setItem(
            key,
            kind === "refreshToken" ? "spoiled" : `${head}.${body}.${altered}`,
          );
        }
        return before;
      }, kinds);
    const accessKey = () =>
      page.evaluate(() => {
        const key = Object.keys(sessionStorage).find((k) => k.endsWith(".accessToken"));
        return key ? sessionStorage.getItem(key) : null;
      });

    const { accessToken: original } = await spoil(["accessToken"]);
    const spoiled = await accessKey();
    expect(spoiled).not.toBe(original);
    expect(
      (await fetch(`${stack.apiUrl}/me`, { headers: { authorization: `Bearer ${spoiled}` } }))
        .status,
    ).toBe(401);
    await page.reload();
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Annie");
    const renewed = await accessKey();
    expect(renewed).not.toBe(spoiled);
    expect(
      (await fetch(`${stack.apiUrl}/me`, { headers: { authorization: `Bearer ${renewed}` } }))
        .status,
    ).toBe(200);

    await spoil(["accessToken", "refreshToken"]);
    await page.reload();
    await page.waitForURL((url) => url.pathname === "/");
    await expect
      .poll(() => page.locator("#notice").textContent())
      .toBe("Your session has ended. Please sign in again.");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await shot(page, "sign-in-session-ended");
    await page.close();
  });

  it("refreshes the tokens a minute before they expire, with no request refused", async () => {
    // The clock is faked for a whole context, so this test has its own browser.
    const own = await launchChromium();
    try {
      const page = await own.context.newPage();
      await own.context.clock.install();
      const refused: string[] = [];
      page.on("response", (response) => {
        if (response.status() === 401) refused.push(response.url());
      });
      await createAccount(page, "Dorothy", email("expiry"));
      await page.waitForURL("**/account");
      await page.locator("#account").waitFor();
      const accessToken = () =>
        page.evaluate(() => {
          const key = Object.keys(sessionStorage).find((k) => k.endsWith(".accessToken"));
          return key ? sessionStorage.getItem(key) : null;
        });
      const first = await accessToken();
      const { exp } = JSON.parse(
        Buffer.from(first?.split(".")[1] ?? "", "base64url").toString(),
      ) as { exp: number };
      const now = await page.evaluate(() => Date.now());
      // 50 s before expiry: the refresh (due 60 s before) has fired; the token has not expired.
      await own.context.clock.fastForward(exp * 1000 - now - 50_000);
      await expect.poll(accessToken).not.toBe(first);
      const renewed = await accessToken();
      expect(
        (await fetch(`${stack.apiUrl}/me`, { headers: { authorization: `Bearer ${renewed}` } }))
          .status,
      ).toBe(200);
      await page.getByLabel("Name", { exact: true }).fill("Dorothy V.");
      await page.getByRole("button", { name: "Save name" }).click();
      await expect.poll(() => page.locator("#account-name").textContent()).toBe("Dorothy V.");
      expect(refused).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('keeps tokens in localStorage, shared across tabs, only when configured "local"', async () => {
    const address = email("local");
    const created = await fetch(`${stack.apiUrl}/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Margaret", email: address, password: PASSWORD }),
    });
    expect(created.status).toBe(201);
    const page = await context.newPage();
    await page.goto(stack.localStorageSiteUrl);
    await page.getByLabel("Email").fill(address);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Margaret");
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage).filter((k) => k.endsWith(".accessToken")).length,
      session: sessionStorage.length,
    }));
    expect(stored).toEqual({ local: 1, session: 0 });

    const tab = await context.newPage();
    await tab.goto(`${stack.localStorageSiteUrl}/account`);
    await expect.poll(() => tab.locator("#account-name").textContent()).toBe("Margaret");
    await tab.getByRole("button", { name: "Sign out" }).click();
    await tab.waitForURL((url) => url.pathname === "/");
    expect(await tab.evaluate(() => localStorage.length)).toBe(0);
    await tab.close();
    await page.close();
  });

  it("breaks the Content-Security-Policy on no page", () => {
    expect(cspViolations).toEqual([]);
  });
});
