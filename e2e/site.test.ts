import { buildSite } from "@gatehouse/web";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.ts";
import {
  chromiumAvailable,
  createAccount,
  createVerifiedAccount,
  email,
  outboxMark,
  shot,
  signIn,
  storedToken,
  verificationShown,
  verifyEmail,
} from "./site-driver.ts";
import { type Stack, startStack } from "./stack.ts";

const available = chromiumAvailable();
let stack: Stack;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>>;
/** Console messages from any page that mention the Content-Security-Policy. */
const cspViolations: string[] = [];

describe.skipIf(!available)("the website in Chromium", () => {
  beforeAll(async () => {
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

  it("creates an account, proves its email with the emailed code, keeps the session on reload, signs out and in by email", async () => {
    const page = await context.newPage();
    const address = email("ada");
    const since = outboxMark(stack);
    await createAccount(stack, page, "Ada Lovelace", address, { screenshot: "create-account" });
    await verificationShown(page, address);
    expect(await page.title()).toBe("Confirm your email · Gatehouse");
    expect(await page.locator("#account").isHidden()).toBe(true);
    await shot(page, "verify-email");
    // Signed in, but the API lets an unproven account do nothing else yet.
    const rename = await fetch(`${stack.apiUrl}/me`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${await storedToken(page)}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "Someone else" }),
    });
    expect(rename.status).toBe(403);
    expect(((await rename.json()) as { code: string }).code).toBe("email_unverified");

    await verifyEmail(stack, page, address, since);
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Ada Lovelace");
    await expect.poll(() => page.locator("#notice").textContent()).toBe("Your email is confirmed.");
    expect(await page.title()).toBe("Your account · Gatehouse");
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

    // The proven email now signs in, with no account id remembered for it.
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await signIn(stack, page, address);
    await page.waitForURL("**/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Ada King");
    await page.close();
  });

  it("shows a wrong password, a taken email and a weak password beside the field", async () => {
    const page = await context.newPage();
    await page.goto(stack.siteUrl);
    await shot(page, "sign-in");
    const address = email("taken");
    await createVerifiedAccount(stack, page, "Grace", address);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    await signIn(stack, page, address, "Wrong-horse-9");
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("don't match");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("password");
    await shot(page, "sign-in-wrong-password");

    await createAccount(stack, page, "Grace again", address.toUpperCase());
    await expect.poll(() => page.locator("#email-error").textContent()).toContain("already exists");
    await shot(page, "create-account-email-taken");

    await createAccount(stack, page, "Weak", email("weak"), { password: "short" });
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("too weak");
    expect(await page.locator("#password-error").getAttribute("role")).toBe("alert");
    await shot(page, "create-account-weak-password");
    await page.close();
  });

  it("deletes the account after a confirmation", async () => {
    const page = await context.newPage();
    const address = email("delete");
    await createVerifiedAccount(stack, page, "Mary", address);
    await page.getByRole("button", { name: "Delete account" }).click();
    await page.getByLabel("Your email").fill("someone-else@example.com");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect.poll(() => page.locator("#confirm-error").textContent()).toContain("exactly");
    await shot(page, "account-delete-confirm");
    await page.getByLabel("Your email").fill(address);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await signIn(stack, page, address);
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("don't match");
    await page.close();
  });

  it("refreshes a refused access token once, and sends you to sign in when that fails too", async () => {
    const page = await context.newPage();
    await createVerifiedAccount(stack, page, "Annie", email("refresh"));

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
      await createVerifiedAccount(stack, page, "Dorothy", email("expiry"));
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
    const page = await context.newPage();
    await createVerifiedAccount(stack, page, "Margaret", email("local"), {
      siteUrl: stack.localStorageSiteUrl,
    });
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
