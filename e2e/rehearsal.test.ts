// `npm run rehearse`: the stack as `cdk deploy` would ship it, driven in Chromium as a person
// would use it. See rehearsal/rehearse.ts for what is taken from the cloud assembly and how.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, launchChromium } from "./browser.ts";
import { defaultAssemblyDir, type Rehearsal, startRehearsal } from "./rehearsal/rehearse.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const ARTIFACTS = path.join(root, "e2e/test-results/rehearsal");
const POSTGRES = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PASSWORD = "Correct-horse-9";
const NEW_PASSWORD = "Brand-new-horse-7";

/** What the rehearsal needs, and a loud skip outside CI (a failure under it) when one is missing. */
async function missing(): Promise<string | null> {
  if (!existsSync(CHROMIUM)) return `Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  const client = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    return `PostgreSQL at ${POSTGRES} (${(error as Error).message}; apt-get install -y postgresql, then set TEST_DATABASE_URL)`;
  }
  return null;
}
const absent = await missing();
if (absent !== null) {
  if (process.env.CI === "true") throw new Error(`The rehearsal needs ${absent}`);
  console.warn(`\n!!! SKIPPING the rehearsal: it needs ${absent}\n`);
}

/** The newest modification time under a directory's source files. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || /node_modules|dist|cdk\.out/.test(entry.parentPath)) continue;
    latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Synthesises the stack unless infra/cdk.out is newer than every source it is made from. */
function ensureSynthesised() {
  const manifest = path.join(defaultAssemblyDir, "manifest.json");
  const sources = ["infra/src", "infra/bin", "packages"].map((d) => newest(path.join(root, d)));
  if (existsSync(manifest) && statSync(manifest).mtimeMs > Math.max(...sources)) return;
  execFileSync("npm", ["run", "synth"], { cwd: root, stdio: "inherit" });
}

let rehearsal: Rehearsal;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
const browserProblems: string[] = [];

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Opens an address of the deployed site; it must be served (no 403 from the bucket). */
async function open(page: Page, address: string, heading: string): Promise<Response> {
  const response = await page.goto(`${rehearsal.siteUrl}${address}`);
  expect(response?.status(), `${address} answered`).toBe(200);
  await expect.poll(() => page.locator("h1").textContent()).toBe(heading);
  return response as Response;
}

async function signIn(page: Page, email: string, password: string) {
  await open(page, "/", "Sign in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/account");
}

describe.skipIf(absent !== null)("the deployed stack, rehearsed offline", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureSynthesised();
    rehearsal = await startRehearsal({ postgresUrl: POSTGRES });
    browser = await launchChromium({ args: rehearsal.chromiumArgs, ignoreHTTPSErrors: true });
    context = browser.context;
    context.on("console", (message) => {
      if (message.type() === "error") browserProblems.push(message.text());
    });
    context.on("requestfailed", (request) => {
      // A request cut short by the page navigating away is no failure of the stack.
      if (request.failure()?.errorText === "net::ERR_ABORTED") return;
      browserProblems.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (rehearsal !== undefined) {
      writeFileSync(path.join(ARTIFACTS, "function.log"), rehearsal.lambda.log());
      await rehearsal.stop();
    }
  });

  it("runs the bundle on the function's runtime, with its database URL read from its secret", () => {
    const runtime = /nodejs(\d+)\.x/.exec(
      rehearsal.lambda.nodeVersion.replace(/^v(\d+).*/, "nodejs$1.x"),
    );
    expect(runtime).not.toBeNull();
    expect(process.version.split(".")[0]).not.toBe(undefined);
    expect(rehearsal.objectKeys).toContain("config.json");
    expect(rehearsal.objectKeys).toContain("index.html");
  });

  it("serves the site's addresses from the bucket's pages, with the policy's headers", async () => {
    const home = await fetchSite("/");
    expect(home.status).toBe(200);
    expect(home.headers["content-security-policy"]).toContain(rehearsal.apiUrl);
    for (const address of ["/create-account", "/account", "/forgot-password"]) {
      const page = await fetchSite(address);
      expect(page.status, address).toBe(200);
      expect(page.headers["content-type"], address).toBe("text/html");
    }
    expect((await fetchSite("/nothing-here")).status).toBe(403);
    const config = JSON.parse((await fetchSite("/config.json")).text) as Record<string, unknown>;
    expect(config.apiBaseUrl).toBe(rehearsal.apiUrl);
    expect(config.userPoolId).toBe(rehearsal.values.userPoolId);
  });

  it("takes a person through create, verify, sign in, account, reload, sign out, reset and delete", async () => {
    const page = await context.newPage();
    const email = `rehearsal-${Date.now()}@example.com`;

    await open(page, "/create-account", "Create account");
    await page.getByLabel("Name").fill("Grace Hopper");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await shot(page, "1-create-account");
    let since = rehearsal.emulator.outbox().length;
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL((url) => url.pathname === "/account");
    await page.getByText(`Enter the code we sent to ${email}.`, { exact: true }).waitFor();
    await shot(page, "2-verify-email");
    await page.getByLabel("Code").fill(await codeSent(email, "VerifyUserAttribute", since));
    await page.getByRole("button", { name: "Confirm email" }).click();
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Grace Hopper");
    await expect.poll(() => page.locator("#account-email").textContent()).toBe(email);
    await shot(page, "3-account");

    await page.reload();
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Grace Hopper");
    await shot(page, "4-account-after-reload");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await expect.poll(() => page.locator("#notice").textContent()).toBe("You have signed out.");
    await shot(page, "5-signed-out");

    await signIn(page, email, PASSWORD);
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Grace Hopper");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL((url) => url.pathname === "/forgot-password");
    await page.getByLabel("Email").fill(email);
    since = rehearsal.emulator.outbox().length;
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByLabel("Code").waitFor();
    await page.getByLabel("Code").fill(await codeSent(email, "ForgotPassword", since));
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await shot(page, "6-forgot-password");
    await page.getByRole("button", { name: "Set new password" }).click();
    // Signed in again with the new password, without typing it twice.
    await page.waitForURL((url) => url.pathname === "/account");
    await expect.poll(() => page.locator("#account-name").textContent()).toBe("Grace Hopper");
    await shot(page, "7-account-after-reset");

    await page.getByRole("button", { name: "Delete account" }).click();
    await page.getByLabel("Your email").fill(email);
    await shot(page, "8-delete-account");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await shot(page, "9-deleted");
    expect(browserProblems).toEqual([]);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#password-error").textContent()).toContain("don't match");
    await page.close();
  });
});

/** The newest code of a kind the local Cognito sent to an address after `since` messages. */
async function codeSent(destination: string, reason: string, since: number): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(() => {
      code = rehearsal.emulator
        .outbox()
        .slice(since)
        .filter((m) => m.destination === destination && m.reason === reason)
        .at(-1)?.code;
      return code;
    })
    .toMatch(/^\d{6}$/);
  return code ?? "";
}

/** An address of the site, asked of the rehearsal's CloudFront as a browser would. */
function fetchSite(
  address: string,
): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const host = new URL(rehearsal.siteUrl).hostname;
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: "127.0.0.1",
        port: rehearsal.port,
        servername: host,
        headers: { host },
        path: address,
        rejectUnauthorized: false,
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers as Record<string, string>,
            text,
          }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}
