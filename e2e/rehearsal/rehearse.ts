// The deployed shape, offline: the site and its config.json from the cloud assembly's assets,
// served as CloudFront + S3 would; the API's Lambda bundle on its runtime's Node.js behind an HTTP
// API adapter, with the template's environment (its secret resolved to a fresh PostgreSQL
// database); both pointed at the local Cognito seeded with the deployed pool settings.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningEmulator, startEmulator } from "@gatehouse/cognito-emulator";
import { localPool } from "@gatehouse/pool-settings";
import { localSeed } from "@gatehouse/server";
import pg from "pg";
import { serveThroughHttpApi } from "./api-gateway.ts";
import {
  type DeployedValues,
  deployTimeResolver,
  onlyResource,
  readCloudAssembly,
  siteBucketObjects,
} from "./cloud-assembly.ts";
import { type CloudFront, cloudFront } from "./cloudfront.ts";
import { startHttpsFront } from "./https-front.ts";
import { type LambdaInstance, startLambda } from "./lambda.ts";
import { startSecretsManager } from "./secrets-manager.ts";

export const defaultAssemblyDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../infra/cdk.out",
);

export interface RehearsalOptions {
  /** The synthesised cloud assembly; infra/cdk.out by default. */
  readonly assemblyDir?: string;
  /** A PostgreSQL server URL; the rehearsal makes a fresh database on it and drops it after. */
  readonly postgresUrl: string;
}

export interface Rehearsal {
  /** `https://<distribution domain>`, the deployed site's address. */
  readonly siteUrl: string;
  readonly apiUrl: string;
  readonly values: DeployedValues;
  /** The function's Lambda runtime, e.g. `nodejs24.x`. */
  readonly runtime: string;
  readonly emulator: RunningEmulator;
  readonly lambda: LambdaInstance;
  readonly cloudFront: CloudFront;
  /** The bucket's object keys. */
  readonly objectKeys: readonly string[];
  /** Secrets the function read at cold start. */
  readonly secretReads: readonly string[];
  /** The local port the deployed hostnames are served on. */
  readonly port: number;
  /** Chromium flags that resolve the deployed hostnames to the rehearsal. */
  readonly chromiumArgs: readonly string[];
  stop(): Promise<void>;
}

export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const assembly = readCloudAssembly(options.assemblyDir ?? defaultAssemblyDir);
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const values: DeployedValues = {
      region: localPool.region,
      accountId: "123456789012",
      userPoolId: localPool.userPoolId,
      clientId: localPool.clientId,
      apiEndpoint: `https://r3hearsal1.execute-api.${localPool.region}.amazonaws.com`,
      distributionDomain: "d3hearsal0gate.cloudfront.net",
    };
    const resolve = deployTimeResolver(assembly, values);
    const emulator = await startEmulator({ inMemory: true, log: null, seed: localSeed() });
    cleanups.push(() => emulator.stop());
    const database = await freshDatabase(options.postgresUrl);
    cleanups.push(database.drop);

    // The function behind the HTTP API's integration, with its environment from the template.
    const [, integration] = onlyResource(assembly, "AWS::ApiGatewayV2::Integration");
    const functionId = (
      (integration.Properties?.IntegrationUri ?? {}) as { "Fn::GetAtt"?: [string, string] }
    )["Fn::GetAtt"]?.[0];
    const fn = functionId === undefined ? undefined : assembly.template.Resources[functionId];
    if (fn?.Type !== "AWS::Lambda::Function" || functionId === undefined) {
      throw new Error("The HTTP API's integration names no Lambda function of this stack");
    }
    const props = fn.Properties as {
      Code: { S3Key: string };
      Handler: string;
      Runtime: string;
      MemorySize?: number;
      Timeout?: number;
      Environment?: { Variables?: Record<string, unknown> };
    };
    const environment = resolve(props.Environment?.Variables ?? {}) as Record<string, string>;
    const secrets = new Map<string, string>();
    for (const [name, arn] of Object.entries(environment)) {
      if (name === "DATABASE_URL_SECRET_ARN") secrets.set(arn, database.url);
      else if (name === "REDIS_URL_SECRET_ARN") {
        secrets.set(arn, process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
      }
    }
    const secretsManager = await startSecretsManager(secrets);
    cleanups.push(() => secretsManager.stop());
    const lambda = await startLambda({
      taskRoot: assembly.assetDir(props.Code.S3Key),
      handler: props.Handler,
      runtime: props.Runtime,
      memoryMb: props.MemorySize ?? 128,
      timeoutSeconds: props.Timeout ?? 3,
      region: values.region,
      functionName: functionId,
      environment: {
        ...environment,
        // What is not in the template because AWS provides it: credentials from the role, the
        // regional endpoints (here the rehearsal's Secrets Manager and the local Cognito).
        AWS_ACCESS_KEY_ID: "ASIAREHEARSAL",
        AWS_SECRET_ACCESS_KEY: "rehearsal",
        AWS_SESSION_TOKEN: "rehearsal",
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
        COGNITO_ENDPOINT: emulator.url,
      },
    });
    cleanups.push(() => lambda.stop());

    const objects = siteBucketObjects(assembly, resolve);
    const distributionDomain = values.distributionDomain;
    const site = cloudFront(assembly, resolve, objects, distributionDomain);
    const apiDomain = new URL(values.apiEndpoint).host;
    const cognitoDomain = `cognito-idp.${values.region}.amazonaws.com`;
    const front = await startHttpsFront({
      [distributionDomain]: (request, response) => site.handle(request, response),
      [apiDomain]: (request, response) =>
        serveThroughHttpApi(
          { domain: apiDomain, accountId: values.accountId, invoke: lambda.invoke },
          request,
          response,
        ),
      [cognitoDomain]: (request, response) => proxyTo(emulator.url, request, response),
    });
    cleanups.push(() => front.stop());
    return {
      siteUrl: `https://${distributionDomain}`,
      apiUrl: values.apiEndpoint,
      values,
      runtime: props.Runtime,
      emulator,
      lambda,
      cloudFront: site,
      objectKeys: [...objects.keys()].sort(),
      secretReads: secretsManager.reads,
      port: front.port,
      chromiumArgs: front.chromiumArgs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function proxyTo(target: string, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(target);
  return new Promise<void>((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: url.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on("end", resolve);
      },
    );
    upstream.on("error", reject);
    request.pipe(upstream);
  });
}

async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_rehearsal_${process.pid}_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
