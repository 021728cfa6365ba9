// Accounts only their owner can hold, in Chromium against the real local stack: the email proven
// with the emailed code, the pre-registration attack undone, and a new password (reset or change)
// ending every other session. A second browser plays the other device, or the attacker.
import { buildSite } from "@gatehouse/web";
import type { BrowserContext, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.ts";
import {
  chromiumAvailable,
  codeSent,
  createAccount,
  createVerifiedAccount,
  email,
  enterCode,
  meStatus,
  outboxMark,
  PASSWORD,
  refreshOutcome,
  shot,
  signedInAs,
  signIn,
  storedToken,
  verificationShown,
  verifyEmail,
  wrongCode,
} from "./site-driver.ts";
import { type Stack, startStack } from "./stack.ts";

const available = chromiumAvailable();
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let otherBrowser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
/** A different browser: another device of the owner, or the attacker's. */
let elsewhere: BrowserContext;
const cspViolations: string[] = [];

/** Whether a page was sent to sign in because its session ended. */
async function sentToSignIn(page: Page): Promise<void> {
  await page.waitForURL((url) => url.pathname === "/");
  await expect
    .poll(() => page.locator("#notice").textContent())
    .toBe("Your session has ended. Please sign in again.");
}

/** The code field's message after a submit. */
const codeError = (page: Page) => page.locator("#code-error").textContent();

describe.skipIf(!available)("accounts only their owner can hold, in Chromium", () => {
  beforeAll(async () => {
    await buildSite();
    stack = await startStack();
    [browser, otherBrowser] = await Promise.all([launchChromium(), launchChromium()]);
    context = browser.context;
    elsewhere = otherBrowser.context;
    for (const c of [context, elsewhere]) {
      c.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
    }
  }, 90_000);

  afterAll(async () => {
    await otherBrowser?.close();
    await browser?.close();
    await stack?.stop();
  });

  it("proves the email: a wrong code beside the field, a new code on request, the old one refused", async () => {
    const page = await context.newPage();
    const address = email("verify");
    const since = outboxMark(stack);
    await createAccount(stack, page, "Barbara Liskov", address);
    await verificationShown(page, address);
    const username = await signedInAs(page);
    const first = await codeSent(stack, {
      destination: address,
      reason: "VerifyUserAttribute",
      since,
      username,
    });

    await enterCode(page, wrongCode(first.code));
    await expect.poll(() => codeError(page)).toContain("not right");
    expect(await page.getByLabel("Code").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("code");
    await shot(page, "verify-email-wrong-code");

    const again = outboxMark(stack);
    await page.getByRole("button", { name: "Send a new code" }).click();
    await expect
      .poll(() => page.locator("#resend-status").textContent())
      .toBe(`We have sent a new code to ${address}.`);
    expect(await codeError(page)).toBe("");
    await shot(page, "verify-email-new-code");
    const second = await codeSent(stack, {
      destination: address,
      reason: "VerifyUserAttribute",
      since: again,
      username,
    });
    if (second.code !== first.code) {
      await enterCode(page, first.code);
      await expect.poll(() => codeError(page)).toContain("not right");
    }
    await enterCode(page, second.code);
    await page.locator("#account").waitFor();
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Barbara Liskov");
    await page.close();
  });

  it("stops taking codes after too many wrong ones, until a new code is sent", async () => {
    const page = await context.newPage();
    const address = email("attempts");
    const since = outboxMark(stack);
    await createAccount(stack, page, "Frances Allen", address);
    await verificationShown(page, address);
    const username = await signedInAs(page);
    const { code } = await codeSent(stack, {
      destination: address,
      reason: "VerifyUserAttribute",
      since,
      username,
    });
    // Cognito takes five wrong codes.
    for (let attempt = 1; attempt <= 5; attempt++) {
      await enterCode(page, wrongCode(code));
      await expect.poll(() => codeError(page)).toContain("not right");
    }
    // Even the right code is refused now.
    await enterCode(page, code);
    await expect.poll(() => codeError(page)).toContain("Too many");
    await shot(page, "verify-email-too-many");

    const again = outboxMark(stack);
    await page.getByRole("button", { name: "Send a new code" }).click();
    const fresh = await codeSent(stack, {
      destination: address,
      reason: "VerifyUserAttribute",
      since: again,
      username,
    });
    await enterCode(page, fresh.code);
    await page.locator("#account").waitFor();
    await page.close();
  });

  it("words an expired code, and an email proven by another account meanwhile, beside the code field", async () => {
    const page = await context.newPage();
    const address = email("expired");
    await createAccount(stack, page, "Ida Rhodes", address);
    await verificationShown(page, address);
    // A code expires after 24 hours, and a race lost to another registration takes two requests
    // at once: the API's answers for them are played back to the page.
    const answer = (status: number, code: string) => (route: Route) =>
      route.fulfill({
        status,
        contentType: "application/problem+json",
        body: JSON.stringify({ type: "about:blank", title: code, status, detail: code, code }),
      });
    const verification = `${stack.apiUrl}/me/email-verification`;
    await page.route(verification, answer(400, "code_expired"));
    await enterCode(page, "123456");
    await expect
      .poll(() => codeError(page))
      .toBe("That code has expired. Send a new code and use that one.");
    await shot(page, "verify-email-expired");
    await page.unroute(verification);
    await page.route(verification, answer(409, "email_taken"));
    await enterCode(page, "123456");
    await expect
      .poll(() => codeError(page))
      .toBe(
        "Another account has already confirmed this email. Sign in to it, or reset its password.",
      );
    await page.close();
  });

  it("lets a person who closed the tab before the code sign in by email and finish", async () => {
    const address = email("later");
    const since = outboxMark(stack);
    const first = await context.newPage();
    await createAccount(stack, first, "Radia Perlman", address);
    await verificationShown(first, address);
    await first.close();

    // A new tab: no session, only this browser's note of the registration.
    const page = await context.newPage();
    await signIn(stack, page, address);
    await verifyEmail(stack, page, address, since);
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Radia Perlman");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    // Proven: the email signs in anywhere now, with no note of the registration.
    const other = await elsewhere.newPage();
    await signIn(stack, other, address);
    await other.locator("#account").waitFor();
    await expect.poll(() => other.locator("#account-name").textContent()).toBe("Radia Perlman");
    await other.close();
    await page.close();
  });

  it("undoes a pre-registration: the owner proves the email, the attacker's registration and session end", async () => {
    const victim = email("owner");
    const attackerPassword = "Attacker-horse-1";

    // The attacker registers the owner's email first, with their own password, and is signed in.
    const attacker = await elsewhere.newPage();
    await createAccount(stack, attacker, "Not the owner", victim, { password: attackerPassword });
    await verificationShown(attacker, victim);
    const attackerId = await signedInAs(attacker);
    const attackerAccess = await storedToken(attacker);
    const attackerRefresh = await storedToken(attacker, "refreshToken");
    expect(await meStatus(stack, attackerAccess)).toBe(200);

    // The owner registers the same email, gets the code sent to it, and proves it.
    const owner = await context.newPage();
    const since = outboxMark(stack);
    await createAccount(stack, owner, "The Owner", victim);
    await verificationShown(owner, victim);
    const ownerId = await signedInAs(owner);
    expect(ownerId).not.toBe(attackerId);
    await verifyEmail(stack, owner, victim, since);
    await expect.poll(() => owner.locator("#account-name").textContent()).toBe("The Owner");

    // The attacker's registration is gone, with every token it held.
    expect(await meStatus(stack, attackerAccess)).toBe(401);
    expect(await refreshOutcome(stack, attackerRefresh)).not.toBe("ok");
    await attacker.getByRole("button", { name: "Send a new code" }).click();
    await sentToSignIn(attacker);
    await shot(attacker, "attacker-signed-out");
    await signIn(stack, attacker, victim, attackerPassword);
    await expect
      .poll(() => attacker.locator("#password-error").textContent())
      .toContain("don't match");
    await attacker.close();

    // The owner's own session is untouched.
    await owner.reload();
    await expect.poll(() => owner.locator("#account-name").textContent()).toBe("The Owner");
    await owner.close();
  });

  it("resets a forgotten password through the API: signed in with it at once, every other session ended", async () => {
    const address = email("forgot");
    const page = await context.newPage();
    await createVerifiedAccount(stack, page, "Hedy Lamarr", address);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    const device = await elsewhere.newPage();
    await signIn(stack, device, address);
    await device.locator("#account").waitFor();
    const deviceAccess = await storedToken(device);
    const deviceRefresh = await storedToken(device, "refreshToken");

    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill(address);
    await shot(page, "forgot-password");
    const since = outboxMark(stack);
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByLabel("Code").waitFor();
    await expect
      .poll(() => page.locator("#sent-to").textContent())
      .toBe(`If an account uses ${address}, we have sent it a code.`);
    const { code } = await codeSent(stack, {
      destination: address,
      reason: "ForgotPassword",
      since,
    });

    await page.getByLabel("Code").fill(wrongCode(code));
    await page.getByLabel("New password").fill("Brand-new-horse-7");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => codeError(page)).toContain("not right");
    await shot(page, "forgot-password-wrong-code");

    await page.getByLabel("Code").fill(code);
    await page.getByLabel("New password").fill("short");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("too weak");
    await shot(page, "forgot-password-weak");

    await page.getByLabel("New password").fill("Brand-new-horse-7");
    await page.getByRole("button", { name: "Set new password" }).click();
    // Signed in with the new password without typing it again.
    await page.waitForURL("**/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Hedy Lamarr");
    await expect
      .poll(() => page.locator("#notice").textContent())
      .toBe("Your password has been reset, and every other device has been signed out.");
    await shot(page, "account-after-reset");

    expect(await meStatus(stack, deviceAccess)).toBe(401);
    expect(await refreshOutcome(stack, deviceRefresh)).not.toBe("ok");
    await device.reload();
    await sentToSignIn(device);
    await signIn(stack, device, address, PASSWORD);
    await expect
      .poll(() => device.locator("#password-error").textContent())
      .toContain("don't match");
    await device.close();
    await page.close();
  });

  it("changes the password through the API: still signed in here, every other session ended", async () => {
    const address = email("change");
    const page = await context.newPage();
    await createVerifiedAccount(stack, page, "Katherine Johnson", address);

    const device = await elsewhere.newPage();
    await signIn(stack, device, address);
    await device.locator("#account").waitFor();
    const deviceAccess = await storedToken(device);
    const deviceRefresh = await storedToken(device, "refreshToken");

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
    await page.getByLabel("New password").fill("weak");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => page.locator("#new-password-error").textContent())
      .toContain("too weak");

    const before = await storedToken(page);
    await page.getByLabel("New password").fill("Another-horse-8");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => page.locator("#change-status").textContent())
      .toBe("Your password has been changed. Every other device has been signed out.");
    await shot(page, "account-password-changed");
    // This tab signed in again with the new password it held: a new token, accepted.
    const after = await storedToken(page);
    expect(after).not.toBe(before);
    expect(await meStatus(stack, before)).toBe(401);
    expect(await meStatus(stack, after)).toBe(200);
    await page.getByLabel("Name", { exact: true }).fill("Katherine G. Johnson");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect
      .poll(() => page.locator("#account-name").textContent())
      .toBe("Katherine G. Johnson");

    expect(await meStatus(stack, deviceAccess)).toBe(401);
    expect(await refreshOutcome(stack, deviceRefresh)).not.toBe("ok");
    await device.getByLabel("Name", { exact: true }).fill("Someone");
    await device.getByRole("button", { name: "Save name" }).click();
    await sentToSignIn(device);
    await signIn(stack, device, address, "Another-horse-8");
    await expect
      .poll(() => device.locator("#account-name").textContent())
      .toBe("Katherine G. Johnson");
    await device.close();
    await page.close();
  });

  it("breaks the Content-Security-Policy on no page", () => {
    expect(cspViolations).toEqual([]);
  });
});
