// An HTTP API (API Gateway v2) in front of a Lambda function: each HTTP request becomes a
// payload format 2.0 event, and the function's answer becomes the HTTP response, as the
// `$default` route with an AWS_PROXY integration does.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InvokeResult } from "./lambda.ts";

export interface HttpApiOptions {
  /** `<id>.execute-api.<region>.amazonaws.com`. */
  readonly domain: string;
  readonly accountId: string;
  readonly invoke: (event: unknown) => Promise<InvokeResult>;
}

const textTypes = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)|[^;]*\+json)/i;

/** The payload 2.0 event API Gateway sends for a request. */
export function httpApiEvent(
  request: IncomingMessage,
  body: Buffer,
  options: Pick<HttpApiOptions, "domain" | "accountId">,
  now = new Date(),
) {
  const url = new URL(request.url ?? "/", `https://${options.domain}`);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  // Repeated headers arrive joined with commas; cookies move to their own field.
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? "").toLowerCase();
    const value = request.rawHeaders[i + 1] ?? "";
    if (name === "cookie") {
      cookies.push(
        ...value
          .split(";")
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const sourceIp = request.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
  headers["x-forwarded-for"] =
    headers["x-forwarded-for"] === undefined
      ? sourceIp
      : `${headers["x-forwarded-for"]}, ${sourceIp}`;
  headers["x-forwarded-proto"] = "https";
  headers["x-forwarded-port"] = "443";
  headers["x-amzn-trace-id"] =
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const binary = body.length > 0 && !textTypes.test(headers["content-type"] ?? "");
  const apiId = options.domain.split(".")[0] ?? "";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: options.accountId,
      apiId,
      domainName: options.domain,
      domainPrefix: apiId,
      http: {
        method: request.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: binary ? body.toString("base64") : body.toString("utf8") } : {}),
    isBase64Encoded: binary,
  };
}

interface ProxyResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** Serves one request through the function, as the HTTP API would. */
export async function serveThroughHttpApi(
  options: HttpApiOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const outcome = await options.invoke(httpApiEvent(request, Buffer.concat(chunks), options));
  const apigwHeaders = { "apigw-requestid": randomUUID() };
  if (!outcome.ok) {
    // What API Gateway answers when the integration fails or runs out of time.
    const [status, message] =
      outcome.reason === "timeout" ? [503, "Service Unavailable"] : [500, "Internal Server Error"];
    response.writeHead(status, { ...apigwHeaders, "content-type": "application/json" });
    response.end(JSON.stringify({ message }));
    return;
  }
  const result = outcome.result as ProxyResult | string | null;
  // Payload 2.0: anything without a statusCode is a 200 JSON body.
  if (result === null || typeof result !== "object" || result.statusCode === undefined) {
    response.writeHead(200, { ...apigwHeaders, "content-type": "application/json" });
    response.end(typeof result === "string" ? result : JSON.stringify(result));
    return;
  }
  const headers: Record<string, string | string[]> = { ...apigwHeaders };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers["set-cookie"] = result.cookies;
  const body = Buffer.from(result.body ?? "", result.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.length);
  response.writeHead(result.statusCode, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}
