// AWS Lambda entry: the same app behind API Gateway's HTTP API, built once per cold start.
import awsLambdaFastify from "@fastify/aws-lambda";
import { loadConfig } from "./config.ts";
import { type Api, type ApiParts, createApi } from "./start-api.ts";

type Proxy = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * A Lambda handler over the API `build` makes, on the first event. A failed build is retried on
 * the next event rather than cached.
 */
export function lambdaHandler(build: () => Promise<Api>) {
  let proxy: Promise<Proxy> | null = null;
  const start = async (): Promise<Proxy> => {
    const api = await build();
    await api.app.ready();
    return awsLambdaFastify(api.app, { decorateRequest: false }) as unknown as Proxy;
  };
  return async (event: unknown, context: unknown): Promise<unknown> => {
    proxy ??= start().catch((error: unknown) => {
      proxy = null;
      throw error;
    });
    return (await proxy)(event, context);
  };
}

/** How the API runs in Lambda. */
export const lambdaApiParts = {
  // A frozen function cannot hear other instances' change notifications, and may run a request
  // before the ones that queued up while it slept: read the account on every request instead.
  accountCacheSize: 0,
  // A frozen function runs no timer: reconcile runs as its own scheduled function.
  reconcileTimer: false,
} as const satisfies ApiParts;

export const handler = lambdaHandler(() => createApi(loadConfig(process.env), lambdaApiParts));
