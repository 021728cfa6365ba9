// AWS Lambda entry: the same app behind API Gateway's HTTP API, built once per cold start.
import awsLambdaFastify from "@fastify/aws-lambda";
import { loadConfig } from "./config.ts";
import { createApi } from "./start-api.ts";

type Proxy = ReturnType<typeof awsLambdaFastify>;
let proxy: Promise<Proxy> | null = null;

async function build(): Promise<Proxy> {
  const api = await createApi(loadConfig(process.env));
  await api.app.ready();
  return awsLambdaFastify(api.app, { decorateRequest: false });
}

export const handler = async (event: unknown, context: unknown) => {
  proxy ??= build().catch((error: unknown) => {
    proxy = null;
    throw error;
  });
  const run = await proxy;
  return (run as (e: unknown, c: unknown) => Promise<unknown>)(event, context);
};
