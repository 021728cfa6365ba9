// Talking to the API process as its clients do, timing each answer.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { outbox, signIn } from "./cognito.ts";

export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  /** Parsed JSON, or the raw text when it was not JSON. */
  body: Record<string, unknown>;
  text: string;
  ms: number;
}

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Connect from this local address (127.0.0.2, …): another client as the API sees it. */
  localAddress?: string;
}

export function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const payload =
    options.body === undefined
      ? null
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  if (payload !== null) {
    headers["content-type"] ??= "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? "GET",
        headers,
        timeout: options.timeoutMs ?? 30_000,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = {};
          }
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) responseHeaders.set(name, String(value));
          }
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers["content-type"] ?? ""),
            headers: responseHeaders,
            body,
            text,
            ms: performance.now() - started,
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${path} in time`)));
    req.on("error", reject);
    req.end(payload ?? undefined);
  });
}

/** A problem response as RFC 9457 and the API's contract have it: its type, status and a code. */
export function isProblem(answer: Answer): boolean {
  return (
    answer.contentType.startsWith("application/problem+json") &&
    typeof answer.body.code === "string" &&
    answer.body.status === answer.status
  );
}

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
  ms: number;
}

/**
 * One request written byte for byte on a fresh socket: for what fetch will not send (repeated
 * headers, oversized ones).
 */
export function rawRequest(base: string, head: string, timeoutMs = 30_000): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer in time"));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = /content-length: *(\d+)/i.exec(text.slice(0, end));
      if (length && text.length - end - 4 < Number(length[1])) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        head: text.slice(0, end),
        body: text.slice(end + 4),
        ms: performance.now() - started,
      });
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        head: end < 0 ? text : text.slice(0, end),
        body: end < 0 ? "" : text.slice(end + 4),
        ms: performance.now() - started,
      });
    });
    socket.write(head);
  });
}

export interface Account {
  id: string;
  name: string;
  email: string;
  status: string;
}

let serial = 0;
export const uniqueEmail = (tag: string) =>
  `${tag}-${process.pid}-${Date.now().toString(36)}-${serial++}@example.com`;

/**
 * Creates an account through the API and, when it starts unverified, proves its email with the
 * code from the local Cognito's outbox, as its owner would. Returns the account and a fresh
 * access token.
 */
export async function createActiveAccount(
  api: string,
  cognitoEndpoint: string,
  input: { name?: string; email: string; password: string },
): Promise<{ account: Account; accessToken: string }> {
  const created = await call(api, "/accounts", {
    method: "POST",
    body: { name: input.name ?? "Reliability", ...input },
  });
  if (created.status !== 201) {
    throw new Error(`POST /accounts answered ${created.status}: ${created.text}`);
  }
  const account = created.body as unknown as Account;
  let tokens = await signIn(cognitoEndpoint, account.id, input.password);
  if (account.status === "unverified") {
    const verified = await verifyEmail(api, cognitoEndpoint, account, tokens.AccessToken);
    if (verified.status !== 200) {
      throw new Error(`verification answered ${verified.status}: ${verified.text}`);
    }
    tokens = await signIn(cognitoEndpoint, account.id, input.password);
    return { account: verified.body as unknown as Account, accessToken: tokens.AccessToken };
  }
  return { account, accessToken: tokens.AccessToken };
}

/** The newest code the outbox holds for this user. */
export async function latestCode(cognitoEndpoint: string, username: string): Promise<string> {
  const messages = (await outbox(cognitoEndpoint)).filter((m) => m.username === username);
  const last = messages.at(-1);
  if (!last) throw new Error(`no code in the outbox for ${username}`);
  return last.code;
}

/**
 * POST /me/email-verification with the code the outbox holds for the account. When none was sent
 * (the API creates the account even if sending the code failed), it asks for a new one first, as
 * the site's "Send a new code" does.
 */
export async function verifyEmail(
  api: string,
  cognitoEndpoint: string,
  account: Account,
  accessToken: string,
): Promise<Answer> {
  let code = await latestCode(cognitoEndpoint, account.id).catch(() => null);
  if (code === null) {
    codesAskedAgain++;
    const asked = await call(api, "/me/email-verification", {
      method: "POST",
      token: accessToken,
      body: {},
    });
    if (asked.status !== 202) return asked;
    code = await latestCode(cognitoEndpoint, account.id);
  }
  return call(api, "/me/email-verification", {
    method: "POST",
    token: accessToken,
    body: { code },
  });
}

let codesAskedAgain = 0;
/** How many verifications found no code sent at creation and asked for a new one. */
export const newCodesRequested = () => codesAskedAgain;
