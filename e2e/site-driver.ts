// Driving the website as a person would (labels and button names), plus what a test reads from the
// side: the codes the local Cognito "emailed", the tokens a tab holds, and the API's answer to them.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { OutboxMessage } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/server";
import type { Page } from "playwright-core";
import { CHROMIUM } from "./browser.ts";
import type { Stack } from "./stack.ts";

/** Whether Chromium is here; under CI its absence fails the run, elsewhere it skips loudly. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true")
    throw new Error(`Chromium is required under CI and is missing at ${CHROMIUM}`);
  console.warn(
    `\n!!! SKIPPING browser tests: no Chromium at ${CHROMIUM}. Install it: apt-get install -y chromium\n`,
  );
  return false;
}

export const ARTIFACTS = fileURLToPath(new URL("./test-results/", import.meta.url));
export const PASSWORD = "Correct-horse-9";

let seq = 0;
export const email = (tag: string) => `${tag}-${Date.now()}-${seq++}@example.com`;

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function createAccount(
  stack: Stack,
  page: Page,
  name: string,
  address: string,
  options: { password?: string; screenshot?: string; siteUrl?: string } = {},
): Promise<void> {
  await page.goto(`${options.siteUrl ?? stack.siteUrl}/create-account`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(address);
  await page.getByLabel("Password", { exact: true }).fill(options.password ?? PASSWORD);
  // Before submitting: the page navigates away once the account exists.
  if (options.screenshot) await shot(page, options.screenshot);
  await page.getByRole("button", { name: "Create account" }).click();
}

export async function signIn(
  stack: Stack,
  page: Page,
  address: string,
  password = PASSWORD,
): Promise<void> {
  await page.goto(stack.siteUrl);
  await page.getByLabel("Email").fill(address);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** How many codes the local Cognito has sent so far: a mark to look for newer ones after. */
export const outboxMark = (stack: Stack) => stack.emulator.outbox().length;

/** The newest code of `reason` sent to `destination` after `since`, waiting for it to arrive. */
export async function codeSent(
  stack: Stack,
  filter: {
    destination: string;
    reason: OutboxMessage["reason"];
    since: number;
    username?: string;
  },
): Promise<OutboxMessage> {
  const find = () =>
    stack.emulator
      .outbox()
      .slice(filter.since)
      .filter(
        (m) =>
          m.destination === filter.destination &&
          m.reason === filter.reason &&
          (filter.username === undefined || m.username === filter.username),
      )
      .at(-1);
  // Not vitest's expect.poll: this module also serves scripts run outside the test runner.
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const found = find();
    if (found && /^\d{6}$/.test(found.code)) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${filter.reason} code reached ${filter.destination}`);
}

/** A code that is surely not `code`. */
export const wrongCode = (code: string) => (code === "000000" ? "111111" : "000000");

/** Waits for the verification step of the account page, for `address`. */
export async function verificationShown(page: Page, address: string): Promise<void> {
  await page.waitForURL("**/account");
  await page.getByText(`Enter the code we sent to ${address}.`, { exact: true }).waitFor();
}

export async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Confirm email" }).click();
}

/** On the verification step: the code from the outbox, then the account page. */
export async function verifyEmail(
  stack: Stack,
  page: Page,
  address: string,
  since: number,
): Promise<void> {
  await verificationShown(page, address);
  const username = await signedInAs(page);
  const { code } = await codeSent(stack, {
    destination: address,
    reason: "VerifyUserAttribute",
    since,
    username,
  });
  await enterCode(page, code);
  await page.locator("#account").waitFor();
  await page.locator("#account-email", { hasText: address }).waitFor();
}

/** Create account → code from the outbox → the account page. */
export async function createVerifiedAccount(
  stack: Stack,
  page: Page,
  name: string,
  address: string,
  options: { password?: string; screenshot?: string; siteUrl?: string } = {},
): Promise<void> {
  const since = outboxMark(stack);
  await createAccount(stack, page, name, address, options);
  await verifyEmail(stack, page, address, since);
}

/** The tab's stored token of a kind, from whichever Web Storage the site keeps it in. */
export function storedToken(
  page: Page,
  kind: "accessToken" | "refreshToken" = "accessToken",
): Promise<string | null> {
  return page.evaluate((kind) => {
    for (const storage of [sessionStorage, localStorage]) {
      const key = Object.keys(storage).find((k) => k.endsWith(`.${kind}`));
      if (key) return storage.getItem(key);
    }
    return null;
  }, kind);
}

/** The username (account id) the tab is signed in as. */
export async function signedInAs(page: Page): Promise<string> {
  const username = await page.evaluate(() => {
    for (const storage of [sessionStorage, localStorage]) {
      const key = Object.keys(storage).find((k) => k.endsWith(".LastAuthUser"));
      if (key) return storage.getItem(key);
    }
    return null;
  });
  if (!username) throw new Error("the page is not signed in");
  return username;
}

/** The API's status for `GET /me` with this access token. */
export async function meStatus(stack: Stack, token: string | null): Promise<number> {
  const response = await fetch(`${stack.apiUrl}/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status;
}

/** Cognito's answer to a refresh with this refresh token: the exception name, or "ok". */
export async function refreshOutcome(stack: Stack, refreshToken: string | null): Promise<string> {
  const response = await fetch(`${stack.emulator.url}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      ClientId: localPool.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  });
  if (response.ok) return "ok";
  return ((await response.json()) as { __type: string }).__type;
}
