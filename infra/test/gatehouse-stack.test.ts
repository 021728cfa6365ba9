// The synthesized template, checked against what the design depends on. The stack is built the
// way `npm run synth` and `npm run deploy` build it: the real API bundle and the real website.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appClientSettings, localPool, userPoolSettings } from "@gatehouse/pool-settings";
import { passwordPolicyOf } from "@gatehouse/server";
import { pageRoutes, type SiteConfig, siteConfig } from "@gatehouse/web";
import { App, CfnElement } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiCognitoActions,
  apiCognitoActionsNotGranted,
  GatehouseStack,
  reconcileCognitoActions,
  reconcileSchedule,
} from "../src/gatehouse-stack.ts";
import { type Built, buildGatehouse } from "../src/synthesize.ts";
import { viewerRequestCode } from "../src/viewer-request-function.ts";
import { webSite } from "../src/web-site.ts";
import {
  at,
  broadGrants,
  type LocatedStatement,
  leaves,
  policyStatements,
  render,
  renderString,
  type TemplateJson,
  toArray,
} from "./template-helpers.ts";

const region = "eu-west-1";
const account = "123456789012";
const databaseSecretArn = `arn:aws:secretsmanager:${region}:${account}:secret:gatehouse/database-url-AbCdEf`;

let built: Built;
let template: Template;
let json: TemplateJson;
let outdir: string;

function logicalId(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no resource`);
  return built.stack.getLogicalId(element);
}

function resourcesOfType(type: string): [string, Record<string, unknown>][] {
  return Object.entries(json.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, render(resource.Properties ?? {}) as Record<string, unknown>]);
}

function onlyResource(type: string): [string, Record<string, unknown>] {
  const found = resourcesOfType(type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Record<string, unknown>];
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "gatehouse-synth-"));
  const app = new App({ outdir });
  built = await buildGatehouse({
    app,
    context: { stackName: "Gatehouse", databaseSecretArn, redisSecretArn: null, emailSender: null },
    site: webSite(),
    env: { account, region },
    apiBundleDir: join(outdir, "api-bundle"),
  });
  app.synth();
  template = Template.fromStack(built.stack);
  json = template.toJSON() as TemplateJson;
}, 120_000);
// The synthesis output holds the API bundle and the site's assets.
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the user pool", () => {
  it("carries every setting of pool-settings.ts, and only those besides its name", () => {
    const [id, pool] = onlyResource("AWS::Cognito::UserPool");
    expect(id).toBe(logicalId(built.stack.userPool));
    for (const [path, value] of leaves(userPoolSettings)) {
      expect(at(pool, path), path).toEqual(value);
    }
    expect(Object.keys(pool).sort()).toEqual(
      [...Object.keys(userPoolSettings), "UserPoolName"].sort(),
    );
  });

  it("lets only the back end create accounts, signs in by email, ignores username case", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
    });
  });

  it("enforces the password policy the API validates against", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      Policies: { PasswordPolicy: userPoolSettings.Policies.PasswordPolicy },
    });
  });

  it("survives the stack: deletion protection on, and retained on delete and replace", () => {
    template.hasResource("AWS::Cognito::UserPool", {
      Properties: { DeletionProtection: "ACTIVE" },
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });
});

describe("the app client", () => {
  it("carries every setting of pool-settings.ts, and only those besides its pool", () => {
    const [, client] = onlyResource("AWS::Cognito::UserPoolClient");
    for (const [path, value] of leaves(appClientSettings)) {
      expect(at(client, path), path).toEqual(value);
    }
    expect(Object.keys(client).sort()).toEqual(
      [...Object.keys(appClientSettings), "UserPoolId"].sort(),
    );
    expect(client.UserPoolId).toBe(`\${${logicalId(built.stack.userPool)}}`);
  });

  it("has no secret and only SRP, refresh and admin password sign-in", () => {
    const [, client] = onlyResource("AWS::Cognito::UserPoolClient");
    expect(client.GenerateSecret).toBe(false);
    expect([...toArray(client.ExplicitAuthFlows as string[])].sort()).toEqual([
      "ALLOW_ADMIN_USER_PASSWORD_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_SRP_AUTH",
    ]);
  });

  it("hides whether a user exists, can revoke tokens, and sets token lifetimes", () => {
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      AccessTokenValidity: appClientSettings.AccessTokenValidity,
      IdTokenValidity: appClientSettings.IdTokenValidity,
      RefreshTokenValidity: appClientSettings.RefreshTokenValidity,
      TokenValidityUnits: appClientSettings.TokenValidityUnits,
    });
  });

  it("has no OAuth flows, callback URLs or hosted UI", () => {
    const [, client] = onlyResource("AWS::Cognito::UserPoolClient");
    for (const key of [
      "AllowedOAuthFlows",
      "AllowedOAuthFlowsUserPoolClient",
      "AllowedOAuthScopes",
      "CallbackURLs",
      "LogoutURLs",
      "SupportedIdentityProviders",
    ]) {
      expect(client[key], key).toBeUndefined();
    }
    expect(resourcesOfType("AWS::Cognito::UserPoolDomain")).toEqual([]);
  });
});

describe("the emulator's seed and the template", () => {
  // The seed `npm start` gives the local emulator, built from the same module.
  const seed = {
    userPools: [
      {
        Id: localPool.userPoolId,
        PoolName: localPool.poolName,
        ...userPoolSettings,
        Clients: [{ ClientId: localPool.clientId, ...appClientSettings }],
      },
    ],
  };
  const seedPool = seed.userPools[0];
  const localOnly = new Set(["Id", "PoolName", "Clients", "Groups", "Users"]);

  it("configure the pool the same, setting by setting", () => {
    const [, pool] = onlyResource("AWS::Cognito::UserPool");
    const seedSettings = Object.fromEntries(
      Object.entries(seedPool ?? {}).filter(([key]) => !localOnly.has(key)),
    );
    const deployed = Object.fromEntries(
      Object.entries(pool).filter(([key]) => key !== "UserPoolName"),
    );
    expect(leaves(seedSettings).length).toBeGreaterThan(5);
    for (const [path, value] of leaves(seedSettings)) {
      expect(at(deployed, path), path).toEqual(value);
    }
    for (const [path, value] of leaves(deployed)) {
      expect(at(seedSettings, path), path).toEqual(value);
    }
  });

  it("configure the client the same, setting by setting", () => {
    const [, client] = onlyResource("AWS::Cognito::UserPoolClient");
    const seedClient = Object.fromEntries(
      Object.entries(seedPool?.Clients[0] ?? {}).filter(([key]) => key !== "ClientId"),
    );
    const deployed = Object.fromEntries(
      Object.entries(client).filter(([key]) => key !== "UserPoolId"),
    );
    for (const [path, value] of leaves(seedClient)) {
      expect(at(deployed, path), path).toEqual(value);
    }
    for (const [path, value] of leaves(deployed)) {
      expect(at(seedClient, path), path).toEqual(value);
    }
  });
});

describe("the API", () => {
  it("runs the server's bundled handler on the newest Node.js runtime aws-cdk-lib offers", () => {
    const [, fn] = onlyApiFunction();
    const newest = Object.values(Runtime)
      .filter((r): r is Runtime => r instanceof Runtime && /^nodejs\d+\.x$/.test(r.name))
      .map((r) => Number(/\d+/.exec(r.name)?.[0]))
      .sort((a, b) => b - a)[0];
    expect(newest).toBeGreaterThanOrEqual(24);
    expect(fn.Runtime).toBe(`nodejs${newest}.x`);
    expect(fn.Handler).toBe("index.handler");
    const bundle = readFileSync(join(built.apiBundle.dir, "index.mjs"), "utf8");
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(built.apiBundle.inputs).toContain("packages/server/src/lambda.ts");
  });

  it("is configured through the environment the server reads, with no secret in it", () => {
    const [, fn] = onlyApiFunction();
    const variables = at(fn, "Environment.Variables") as Record<string, string>;
    const stack = built.stack;
    expect(variables.COGNITO_USER_POOL_ID).toBe(`\${${logicalId(stack.userPool)}}`);
    expect(variables.COGNITO_CLIENT_ID).toBe(`\${${logicalId(stack.appClient)}}`);
    expect(variables.CORS_ORIGINS).toBe(`https://\${${logicalId(stack.distribution)}.DomainName}`);
    expect(variables.DATABASE_URL_SECRET_ARN).toBe(databaseSecretArn);
    // Lambda sets AWS_REGION itself and refuses a function that sets it.
    expect(variables.AWS_REGION).toBeUndefined();
    expect(variables.DATABASE_URL).toBeUndefined();
    expect(variables.REDIS_URL).toBeUndefined();
    expect(variables.REDIS_URL_SECRET_ARN).toBeUndefined();
    expect(variables.COGNITO_ENDPOINT).toBeUndefined();
  });

  it("reads REDIS_URL from its own secret when one is given, and may read only that one more", () => {
    const app = new App({ outdir: join(outdir, "with-redis") });
    const redisSecretArn = databaseSecretArn.replace("database-url-AbCdEf", "redis-url-GhIjKl");
    const other = new GatehouseStack(app, "WithRedis", {
      env: { account, region },
      apiBundleDir: built.apiBundle.dir,
      reconcileBundleDir: built.reconcileBundle.dir,
      emailSender: null,
      site: webSite(),
      databaseSecretArn,
      redisSecretArn,
    });
    const withRedis = Template.fromStack(other);
    withRedis.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { REDIS_URL_SECRET_ARN: redisSecretArn } },
    });
    const reads = policyStatements(withRedis.toJSON() as TemplateJson).filter(({ statement }) =>
      toArray(statement.Action).some((action) => action.startsWith("secretsmanager:")),
    );
    // The API's grant, then reconcile's, which needs only the database.
    expect(reads.map(({ statement }) => statement.Resource)).toEqual([
      [databaseSecretArn, redisSecretArn],
      databaseSecretArn,
    ]);
  });

  it("refuses a partial secret ARN, and a secret in another region than the stack", () => {
    const stackWith = (secretArn: string) => () =>
      new GatehouseStack(new App({ outdir: join(outdir, "refused") }), "Refused", {
        env: { account, region },
        apiBundleDir: built.apiBundle.dir,
        reconcileBundleDir: built.reconcileBundle.dir,
        emailSender: null,
        site: webSite(),
        databaseSecretArn: secretArn,
        redisSecretArn: null,
      });
    expect(stackWith(databaseSecretArn.replace(/-AbCdEf$/, ""))).toThrow(/complete ARN/);
    expect(stackWith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*")).toThrow(
      /complete ARN/,
    );
    expect(stackWith(databaseSecretArn.replace(region, "us-west-2"))).toThrow(/one region/);
  });

  it("takes every request through one HTTP API route into the Lambda, throttled", () => {
    const [fnId] = onlyApiFunction();
    const [apiId, api] = onlyResource("AWS::ApiGatewayV2::Api");
    expect(api.ProtocolType).toBe("HTTP");
    const [, route] = onlyResource("AWS::ApiGatewayV2::Route");
    expect(route.RouteKey).toBe("$default");
    const [integrationId, integration] = onlyResource("AWS::ApiGatewayV2::Integration");
    expect(route.Target).toBe(`integrations/\${${integrationId}}`);
    expect(integration).toMatchObject({
      IntegrationType: "AWS_PROXY",
      IntegrationUri: `\${${fnId}.Arn}`,
      PayloadFormatVersion: "2.0",
    });
    const [, stage] = onlyResource("AWS::ApiGatewayV2::Stage");
    expect(stage).toMatchObject({ ApiId: `\${${apiId}}`, StageName: "$default", AutoDeploy: true });
    expect(at(stage, "DefaultRouteSettings.ThrottlingRateLimit")).toBeGreaterThan(0);
  });
});

describe("reconcile", () => {
  it("runs the server's reconcile handler on the API's runtime, on a schedule, one at a time", () => {
    const fnId = logicalId(built.stack.reconcileFunction);
    const fn = render(json.Resources[fnId]?.Properties) as Record<string, unknown>;
    const [, api] = onlyApiFunction();
    expect(fn.Runtime).toBe(api.Runtime);
    expect(fn.Handler).toBe("index.handler");
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(built.reconcileBundle.inputs).toContain("packages/server/src/lambda-reconcile.ts");
    expect(built.reconcileBundle.inputs).not.toContain("packages/server/src/app.ts");
    const variables = at(fn, "Environment.Variables") as Record<string, string>;
    expect(variables.DATABASE_URL_SECRET_ARN).toBe(databaseSecretArn);
    expect(variables.COGNITO_USER_POOL_ID).toBe(`\${${logicalId(built.stack.userPool)}}`);
    expect(variables.DATABASE_URL).toBeUndefined();
    const [, rule] = onlyResource("AWS::Events::Rule");
    expect(rule.ScheduleExpression).toBe(`rate(${reconcileSchedule.toMinutes()} minutes)`);
    expect(rule.State).toBe("ENABLED");
    expect(at(rule, "Targets")).toEqual([
      expect.objectContaining({ Arn: `\${${fnId}.Arn}`, RetryPolicy: { MaximumRetryAttempts: 0 } }),
    ]);
    const permissions = resourcesOfType("AWS::Lambda::Permission")
      .map(([, permission]) => permission)
      .filter((permission) => permission.Principal === "events.amazonaws.com");
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).toMatchObject({
      Action: "lambda:InvokeFunction",
      FunctionName: `\${${fnId}.Arn}`,
      Principal: "events.amazonaws.com",
    });
  });
});

describe("the pool's email", () => {
  const sender = {
    identityArn: `arn:aws:ses:${region}:${account}:identity/example.com`,
    from: "Gatehouse <no-reply@example.com>",
  };
  const stackWith = (emailSender: typeof sender | null, name: string) =>
    new GatehouseStack(new App({ outdir: join(outdir, name) }), name, {
      env: { account, region },
      apiBundleDir: built.apiBundle.dir,
      reconcileBundleDir: built.reconcileBundle.dir,
      site: webSite(),
      databaseSecretArn,
      redisSecretArn: null,
      emailSender,
    });

  it("is Cognito's own sender unless an SES identity is given", () => {
    const [, pool] = onlyResource("AWS::Cognito::UserPool");
    expect(pool.EmailConfiguration).toBeUndefined();
  });

  it("goes through the SES identity given, as the DEVELOPER sending account", () => {
    Template.fromStack(stackWith(sender, "WithSes")).hasResourceProperties(
      "AWS::Cognito::UserPool",
      {
        EmailConfiguration: {
          EmailSendingAccount: "DEVELOPER",
          SourceArn: sender.identityArn,
          From: sender.from,
        },
      },
    );
  });

  it("refuses an identity that is not an SES identity's ARN, and a sender with no address", () => {
    expect(() => stackWith({ ...sender, identityArn: "example.com" }, "BadSes")).toThrow(
      /SES identity's ARN/,
    );
    expect(() => stackWith({ ...sender, from: "Gatehouse" }, "BadFrom")).toThrow(/an address/);
  });
});

describe("IAM", () => {
  let statements: LocatedStatement[];
  beforeAll(() => {
    statements = policyStatements(json);
  });

  it("grants no wildcard action or resource anywhere in the template", () => {
    const where = new Set(statements.map((s) => s.where.split(" ")[0]));
    // The walk must at least find the API's and the site deployment's policies and the bucket's.
    expect(where.size).toBeGreaterThanOrEqual(3);
    const broad = statements.flatMap(({ where: w, statement }) =>
      broadGrants(statement, json).map((problem) => `${w}: ${problem}`),
    );
    expect(broad).toEqual([]);
  });

  it("flags a broad grant when it sees one", () => {
    const grants = [
      { Effect: "Allow" as const, Action: "s3:GetObject*", Resource: `\${SiteBucket.Arn}/*` },
      { Effect: "Allow" as const, Action: "logs:PutLogEvents", Resource: "*" },
      {
        Effect: "Allow" as const,
        Action: "cloudfront:CreateInvalidation",
        Resource: "arn:aws:cloudfront::1:distribution/*",
      },
      { Effect: "Allow" as const, NotAction: "iam:PassRole", Resource: `\${SiteBucket.Arn}` },
    ];
    for (const grant of grants)
      expect(broadGrants(grant, json), JSON.stringify(grant)).not.toEqual([]);
  });

  it("attaches no managed policy (AWSLambdaBasicExecutionRole's logs grant is Resource *)", () => {
    for (const [id, role] of resourcesOfType("AWS::IAM::Role")) {
      expect(role.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it("lets the API call exactly the Cognito operations its bundle contains, on this pool only", () => {
    const [, fn] = onlyApiFunction();
    const roleId = String(fn.Role).replace(/^\$\{(\w+)\.Arn\}$/, "$1");
    const apiStatements = statements.filter(
      ({ where, statement }) =>
        json.Resources[where.split(" ")[0] ?? ""]?.Type === "AWS::IAM::Policy" &&
        toArray(
          (render(json.Resources[where.split(" ")[0] ?? ""]?.Properties?.Roles) as string[]) ?? [],
        ).includes(`\${${roleId}}`) &&
        toArray(statement.Action).some((action) => action.startsWith("cognito-idp:")),
    );
    expect(apiStatements).toHaveLength(1);
    const [{ statement }] = apiStatements as [LocatedStatement];
    const bundled = built.apiBundle.inputs
      .map((input) =>
        /client-cognito-identity-provider\/dist-es\/commands\/(\w+)Command\.js$/.exec(input),
      )
      .flatMap((match) => (match?.[1] === undefined ? [] : [`cognito-idp:${match[1]}`]))
      .sort();
    expect(bundled.length).toBeGreaterThan(0);
    const granted = bundled.filter(
      (action) => !(apiCognitoActionsNotGranted as readonly string[]).includes(action),
    );
    expect([...toArray(statement.Action)].sort()).toEqual(granted);
    expect([...apiCognitoActions].sort()).toEqual(granted);
    expect(statement.Resource).toBe(`\${${logicalId(built.stack.userPool)}.Arn}`);
  });

  it("lets the API and reconcile read the database secret they are given, and no other secret", () => {
    const reads = statements.filter(({ statement }) =>
      toArray(statement.Action).some((action) => action.startsWith("secretsmanager:")),
    );
    expect(reads.map(({ statement }) => statement.Action)).toEqual([
      "secretsmanager:GetSecretValue",
      "secretsmanager:GetSecretValue",
    ]);
    expect(reads.map(({ statement }) => statement.Resource)).toEqual([
      databaseSecretArn,
      databaseSecretArn,
    ]);
  });

  it("lets reconcile call only the Cognito operations it uses, each one in its bundle, on this pool", () => {
    const fnId = logicalId(built.stack.reconcileFunction);
    const fn = render(json.Resources[fnId]?.Properties) as Record<string, unknown>;
    const roleId = String(fn.Role).replace(/^\$\{(\w+)\.Arn\}$/, "$1");
    const cognito = statements.filter(
      ({ where, statement }) =>
        toArray(
          (render(json.Resources[where.split(" ")[0] ?? ""]?.Properties?.Roles) as string[]) ?? [],
        ).includes(`\${${roleId}}`) &&
        toArray(statement.Action).some((action) => action.startsWith("cognito-idp:")),
    );
    expect(cognito).toHaveLength(1);
    const [{ statement }] = cognito as [LocatedStatement];
    expect([...toArray(statement.Action)].sort()).toEqual([...reconcileCognitoActions].sort());
    const bundled = built.reconcileBundle.inputs.flatMap((input) => {
      const name = /client-cognito-identity-provider\/dist-es\/commands\/(\w+)Command\.js$/.exec(
        input,
      )?.[1];
      return name === undefined ? [] : [`cognito-idp:${name}`];
    });
    for (const action of reconcileCognitoActions) expect(bundled).toContain(action);
    expect(statement.Resource).toBe(`\${${logicalId(built.stack.userPool)}.Arn}`);
  });
});

describe("the site", () => {
  it("lives in a private bucket that refuses plain HTTP", () => {
    const [bucketId, bucket] = onlyResource("AWS::S3::Bucket");
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [, policy] = onlyResource("AWS::S3::BucketPolicy");
    const statements = toArray((policy.PolicyDocument as { Statement: unknown[] }).Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
    const allows = statements.filter((s) => (s as { Effect: string }).Effect === "Allow");
    expect(allows).toEqual([
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Resource: `\${${bucketId}.Arn}/*`,
        Condition: {
          StringEquals: {
            "AWS:SourceArn": `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${logicalId(built.stack.distribution)}}`,
          },
        },
      },
    ]);
  });

  it("is served by CloudFront over HTTPS through origin access control", () => {
    const [, distribution] = onlyResource("AWS::CloudFront::Distribution");
    const [oacId, oac] = onlyResource("AWS::CloudFront::OriginAccessControl");
    expect(at(oac, "OriginAccessControlConfig")).toMatchObject({
      OriginAccessControlOriginType: "s3",
      SigningBehavior: "always",
      SigningProtocol: "sigv4",
    });
    const origins = at(distribution, "DistributionConfig.Origins") as Record<string, unknown>[];
    expect(origins).toHaveLength(1);
    expect(origins[0]?.OriginAccessControlId).toBe(`\${${oacId}.Id}`);
    expect(at(distribution, "DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy")).toBe(
      "redirect-to-https",
    );
    expect(at(distribution, "DistributionConfig.DefaultRootObject")).toBe("index.html");
  });

  it("rewrites every extension-less address of the site to its page, on each viewer request", () => {
    const [, distribution] = onlyResource("AWS::CloudFront::Distribution");
    const [functionId, fn] = onlyResource("AWS::CloudFront::Function");
    expect(at(fn, "FunctionConfig.Runtime")).toBe("cloudfront-js-2.0");
    expect(fn.AutoPublish).toBe(true);
    expect(
      at(distribution, "DistributionConfig.DefaultCacheBehavior.FunctionAssociations"),
    ).toEqual([{ EventType: "viewer-request", FunctionARN: `\${${functionId}.FunctionARN}` }]);
    expect(fn.FunctionCode).toBe(viewerRequestCode(pageRoutes));
  });

  it("sends the site's own security headers, with the API and Cognito as the only outside origins", () => {
    const [, distribution] = onlyResource("AWS::CloudFront::Distribution");
    const [policyId, policy] = onlyResource("AWS::CloudFront::ResponseHeadersPolicy");
    expect(
      at(distribution, "DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId"),
    ).toBe(`\${${policyId}}`);
    const apiOrigin = `\${${logicalId(built.stack.api)}.ApiEndpoint}`;
    const cognitoOrigin = `https://cognito-idp.${region}.\${AWS::URLSuffix}`;
    const expected = webSite().headers({ apiOrigin, cognitoOrigin });
    const security = at(policy, "ResponseHeadersPolicyConfig.SecurityHeadersConfig") as Record<
      string,
      Record<string, unknown>
    >;
    const csp = String(security.ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).toBe(headerValue(expected, "content-security-policy"));
    const connectSrc = csp
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .find(([name]) => name === "connect-src");
    expect(connectSrc).toContain(apiOrigin);
    expect(connectSrc).toContain(cognitoOrigin);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(security.StrictTransportSecurity).toMatchObject({ Override: true });
    expect(Number(security.StrictTransportSecurity?.AccessControlMaxAgeSec)).toBeGreaterThanOrEqual(
      31_536_000,
    );
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy?.ReferrerPolicy).toBe(headerValue(expected, "referrer-policy"));
  });

  it("is deployed with a config.json holding the stack's outputs, filled in at deploy time", () => {
    const [, deployment] = onlyResource("Custom::CDKBucketDeployment");
    const keys = deployment.SourceObjectKeys as string[];
    const markers = deployment.SourceMarkers as Record<string, string>[];
    const configIndex = keys.findIndex((key) => {
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, "")}`);
      try {
        readFileSync(join(dir, "config.json"));
        return true;
      } catch {
        return false;
      }
    });
    expect(configIndex).toBeGreaterThanOrEqual(0);
    const assetDir = join(outdir, `asset.${keys[configIndex]?.replace(/\.zip$/, "")}`);
    let text = readFileSync(join(assetDir, "config.json"), "utf8");
    for (const [marker, value] of Object.entries(markers[configIndex] ?? {})) {
      text = text.replaceAll(marker, value);
    }
    const deployed = {
      region,
      userPoolId: `\${${logicalId(built.stack.userPool)}}`,
      clientId: `\${${logicalId(built.stack.appClient)}}`,
      apiBaseUrl: `\${${logicalId(built.stack.api)}.ApiEndpoint}`,
    };
    const config = JSON.parse(text) as SiteConfig;
    // Exactly what the site's own builder makes of the deployed values: the fields the pages read.
    expect(config).toEqual(
      siteConfig({ ...deployed, cognitoEndpoint: null, passwordPolicy: config.passwordPolicy }),
    );
    expect(config.apiBaseUrl).toBe(deployed.apiBaseUrl);
    expect(config.cognitoEndpoint).toBeUndefined();
    expect(config.passwordPolicy).toEqual(
      passwordPolicyOf(userPoolSettings.Policies.PasswordPolicy),
    );
    expect(config.passwordPolicy.minimumLength).toBe(
      userPoolSettings.Policies.PasswordPolicy.MinimumLength,
    );
    expect(deployment.DistributionPaths).toEqual(["/*"]);
  });
});

describe("the outputs", () => {
  it("give the region, pool id, client id, API URL, site URL and the site's bucket", () => {
    const outputs = Object.fromEntries(
      Object.entries(json.Outputs ?? {}).map(([name, output]) => [
        name,
        renderString(output.Value),
      ]),
    );
    const stack = built.stack;
    expect(outputs).toEqual({
      Region: region,
      UserPoolId: `\${${logicalId(stack.userPool)}}`,
      UserPoolClientId: `\${${logicalId(stack.appClient)}}`,
      ApiUrl: `\${${logicalId(stack.api)}.ApiEndpoint}`,
      SiteUrl: `https://\${${logicalId(stack.distribution)}.DomainName}`,
      SiteBucketName: `\${${logicalId(stack.siteBucket)}}`,
    });
  });
});

function onlyApiFunction(): [string, Record<string, unknown>] {
  const id = logicalId(built.stack.apiFunction);
  return [id, render(json.Resources[id]?.Properties) as Record<string, unknown>];
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}
