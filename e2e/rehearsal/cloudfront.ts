// The site as CloudFront in front of a private S3 bucket serves it, read from the template: the
// distribution's allowed methods and default root object, its viewer-request function's own code
// run on every request, the bucket's exact object keys (a missing key is S3's 403 to a caller
// without s3:ListBucket), and the response-headers policy's headers on every response.
import type { IncomingMessage, ServerResponse } from "node:http";
import { runInNewContext } from "node:vm";
import { type BucketObject, type CloudAssembly, onlyResource } from "./cloud-assembly.ts";

interface FunctionRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string; multiValue?: { value: string }[] }>;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
}
interface FunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, { value: string }>;
  body?: string | { data: string; encoding: "text" | "base64" };
}
type ViewerRequestHandler = (event: unknown) => FunctionRequest | FunctionResponse;

export interface CloudFront {
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** The headers the response-headers policy adds, lower-cased. */
  readonly policyHeaders: Readonly<Record<string, string>>;
}

export function cloudFront(
  assembly: CloudAssembly,
  resolve: (value: unknown) => unknown,
  objects: ReadonlyMap<string, BucketObject>,
  domain: string,
): CloudFront {
  const [distributionId, distribution] = onlyResource(assembly, "AWS::CloudFront::Distribution");
  // Read as written: only plain values are used from it.
  const config = distribution.Properties?.DistributionConfig as unknown as {
    DefaultRootObject?: string;
    DefaultCacheBehavior: {
      AllowedMethods?: string[];
      ResponseHeadersPolicyId?: string;
      FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
    };
  };
  // Unresolved, to find the resources the behavior names.
  const behavior =
    (
      (distribution.Properties?.DistributionConfig ?? {}) as {
        DefaultCacheBehavior?: Record<string, unknown>;
      }
    ).DefaultCacheBehavior ?? {};
  const allowedMethods = config.DefaultCacheBehavior.AllowedMethods ?? ["GET", "HEAD"];
  const viewerRequest = viewerRequestFunction(assembly, behavior.FunctionAssociations);
  const policyHeaders = responseHeaders(assembly, resolve, behavior.ResponseHeadersPolicyId);

  const send = (
    response: ServerResponse,
    method: string,
    status: number,
    headers: Record<string, string>,
    body: Buffer,
  ) => {
    response.writeHead(status, {
      ...headers,
      ...policyHeaders,
      "content-length": String(body.length),
      via: `1.1 ${distributionId}.cloudfront.net (CloudFront)`,
    });
    response.end(method === "HEAD" ? undefined : body);
  };

  return {
    policyHeaders,
    handle(request, response) {
      const method = request.method ?? "GET";
      if (!allowedMethods.includes(method)) {
        send(response, method, 403, { "content-type": "text/html" }, Buffer.from("403 ERROR"));
        return;
      }
      const url = new URL(request.url ?? "/", `https://${domain}`);
      let uri = url.pathname;
      if (viewerRequest !== null) {
        const result = viewerRequest(functionEvent(request, url, domain));
        if ("statusCode" in result) {
          const headers = Object.fromEntries(
            Object.entries(result.headers ?? {}).map(([name, { value }]) => [name, value]),
          );
          const body =
            typeof result.body === "string"
              ? Buffer.from(result.body)
              : Buffer.from(
                  result.body?.data ?? "",
                  result.body?.encoding === "base64" ? "base64" : "utf8",
                );
          send(response, method, result.statusCode, headers, body);
          return;
        }
        uri = result.uri;
      }
      if (uri === "/" && config.DefaultRootObject) uri = `/${config.DefaultRootObject}`;
      let key: string;
      try {
        key = decodeURIComponent(uri.slice(1));
      } catch {
        key = uri.slice(1);
      }
      const object = objects.get(key);
      if (object === undefined) {
        send(
          response,
          method,
          403,
          { "content-type": "application/xml" },
          Buffer.from(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
          ),
        );
        return;
      }
      send(
        response,
        method,
        200,
        {
          "content-type": object.contentType,
          ...(object.cacheControl === null ? {} : { "cache-control": object.cacheControl }),
        },
        object.body,
      );
    },
  };
}

/** The viewer-request function's code from the template, compiled once, run per request. */
function viewerRequestFunction(
  assembly: CloudAssembly,
  associations: unknown,
): ViewerRequestHandler | null {
  const association = (
    associations as { EventType: string; FunctionARN: unknown }[] | undefined
  )?.find((a) => a.EventType === "viewer-request");
  if (association === undefined) return null;
  const functionId = (association.FunctionARN as { "Fn::GetAtt"?: string[] })["Fn::GetAtt"]?.[0];
  const resource = functionId === undefined ? undefined : assembly.template.Resources[functionId];
  if (resource?.Type !== "AWS::CloudFront::Function") {
    throw new Error("The viewer-request association names no CloudFront Function of this stack");
  }
  const runtime = ((resource.Properties?.FunctionConfig ?? {}) as { Runtime?: string }).Runtime;
  if (runtime !== "cloudfront-js-2.0") throw new Error(`Unexpected function runtime ${runtime}`);
  const sandbox: { handler?: ViewerRequestHandler } = {};
  runInNewContext(
    `${String(resource.Properties?.FunctionCode)}\n;this.handler = handler;`,
    sandbox,
  );
  const handler = sandbox.handler;
  if (typeof handler !== "function") throw new Error("The CloudFront Function defines no handler");
  return handler;
}

function functionEvent(request: IncomingMessage, url: URL, domain: string) {
  const querystring: FunctionRequest["querystring"] = {};
  for (const [name, value] of url.searchParams) {
    const existing = querystring[name];
    if (existing === undefined) querystring[name] = { value };
    else existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
  }
  const headers: FunctionRequest["headers"] = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name !== "cookie" && value !== undefined) {
      headers[name] = { value: Array.isArray(value) ? value.join(",") : value };
    }
  }
  return {
    version: "1.0",
    context: {
      distributionDomainName: domain,
      eventType: "viewer-request",
      requestId: "rehearsal",
    },
    viewer: { ip: request.socket.remoteAddress ?? "127.0.0.1" },
    request: {
      method: request.method ?? "GET",
      uri: url.pathname,
      querystring,
      headers,
      cookies: {},
    },
  };
}

/** The response-headers policy's headers, as CloudFront sends them. */
function responseHeaders(
  assembly: CloudAssembly,
  resolve: (value: unknown) => unknown,
  policyRef: unknown,
): Record<string, string> {
  const policyId = (policyRef as { Ref?: string } | undefined)?.Ref;
  const policy = policyId === undefined ? undefined : assembly.template.Resources[policyId];
  if (policy?.Type !== "AWS::CloudFront::ResponseHeadersPolicy") return {};
  const config = resolve(policy.Properties?.ResponseHeadersPolicyConfig) as {
    SecurityHeadersConfig?: {
      ContentSecurityPolicy?: { ContentSecurityPolicy: string };
      StrictTransportSecurity?: {
        AccessControlMaxAgeSec: number;
        IncludeSubdomains?: boolean;
        Preload?: boolean;
      };
      ContentTypeOptions?: object;
      FrameOptions?: { FrameOption: string };
      ReferrerPolicy?: { ReferrerPolicy: string };
      XSSProtection?: { Protection: boolean; ModeBlock?: boolean; ReportUri?: string };
    };
    CustomHeadersConfig?: { Items: { Header: string; Value: string }[] };
  };
  const headers: Record<string, string> = {};
  const security = config.SecurityHeadersConfig ?? {};
  if (security.ContentSecurityPolicy) {
    headers["content-security-policy"] = security.ContentSecurityPolicy.ContentSecurityPolicy;
  }
  const hsts = security.StrictTransportSecurity;
  if (hsts) {
    headers["strict-transport-security"] = [
      `max-age=${hsts.AccessControlMaxAgeSec}`,
      ...(hsts.IncludeSubdomains ? ["includeSubDomains"] : []),
      ...(hsts.Preload ? ["preload"] : []),
    ].join("; ");
  }
  if (security.ContentTypeOptions) headers["x-content-type-options"] = "nosniff";
  if (security.FrameOptions) headers["x-frame-options"] = security.FrameOptions.FrameOption;
  if (security.ReferrerPolicy) headers["referrer-policy"] = security.ReferrerPolicy.ReferrerPolicy;
  if (security.XSSProtection) {
    const x = security.XSSProtection;
    headers["x-xss-protection"] = x.Protection ? (x.ModeBlock ? "1; mode=block" : "1") : "0";
  }
  for (const { Header, Value } of config.CustomHeadersConfig?.Items ?? []) {
    headers[Header.toLowerCase()] = Value;
  }
  return headers;
}
