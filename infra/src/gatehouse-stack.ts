// Gatehouse on AWS, as one stack: the user pool and its browser client (configured from
// @gatehouse/pool-settings, the same module that seeds the local emulator), the accounts
// API on Lambda behind an HTTP API, and the static site on S3 behind CloudFront.
//
// Least privilege is written out by hand: no role here gets a managed policy, and the grants the
// CDK would add on its own (which use wildcard actions such as s3:GetObject* or Resource "*") are
// replaced with statements naming the exact actions and resources.
import { appClientSettings, userPoolSettings } from "@gatehouse/pool-settings";
import type { SiteConfig } from "@gatehouse/web";
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
} from "aws-cdk-lib";
import {
  HttpApi,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  AllowedMethods,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { CfnUserPool, CfnUserPoolClient } from "aws-cdk-lib/aws-cognito";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaFunctionTarget } from "aws-cdk-lib/aws-events-targets";
import { Policy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import {
  BucketDeployment,
  CacheControl,
  type ISource,
  Source,
} from "aws-cdk-lib/aws-s3-deployment";
import type { Construct, IConstruct } from "constructs";
import { toL1Properties } from "./cfn-properties.ts";
import { acknowledgeNagFindings } from "./nag-acknowledgements.ts";
import { toResponseHeaderBehaviors } from "./response-headers.ts";
import { viewerRequestCode } from "./viewer-request-function.ts";

/**
 * The Cognito operations the API calls, and nothing else (the tests compare with the bundle). The
 * bundle also carries ListUsers, for the reconcile timer a server process runs; on Lambda that
 * timer is off and reconcile is its own function, so the API is not granted it.
 */
export const apiCognitoActions = [
  "cognito-idp:AdminCreateUser",
  "cognito-idp:AdminDeleteUser",
  "cognito-idp:AdminGetUser",
  "cognito-idp:AdminInitiateAuth",
  "cognito-idp:AdminRespondToAuthChallenge",
  "cognito-idp:AdminSetUserPassword",
  "cognito-idp:AdminUpdateUserAttributes",
  "cognito-idp:AdminUserGlobalSignOut",
  "cognito-idp:DescribeUserPool",
  // Authorized by the user's access token or by nothing at all, not IAM; listed because the
  // bundle carries them (a token's liveness, email verification, password reset and change).
  "cognito-idp:ChangePassword",
  "cognito-idp:ConfirmForgotPassword",
  "cognito-idp:ForgotPassword",
  "cognito-idp:GetUser",
  "cognito-idp:GetUserAttributeVerificationCode",
  "cognito-idp:RevokeToken",
  "cognito-idp:VerifyUserAttribute",
] as const;

/** In the API's bundle for a server process's reconcile timer, which is off on Lambda. */
export const apiCognitoActionsNotGranted = ["cognito-idp:ListUsers"] as const;

/**
 * The Cognito operations the scheduled reconcile calls (list the pool, delete a user left without
 * an account, mark a proven email verified), and nothing else.
 */
export const reconcileCognitoActions = [
  "cognito-idp:AdminDeleteUser",
  "cognito-idp:AdminUpdateUserAttributes",
  "cognito-idp:ListUsers",
] as const;

/** How often reconcile runs in AWS. */
export const reconcileSchedule = Duration.minutes(15);

/** The Lambda runtime of the API. The bundle targets the same Node.js version. */
export const apiRuntime = Runtime.NODEJS_24_X;

/** Origins the site's pages may connect to, handed to the site's header builder. */
export interface SiteOrigins {
  /** The accounts API, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  readonly apiOrigin: string;
  /** Cognito's endpoint for this region, where the browser signs in. */
  readonly cognitoOrigin: string;
}

/** The values of the site's config.json known only once the stack is deployed. */
export interface DeployedSiteValues {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The accounts API's URL. */
  readonly apiBaseUrl: string;
}

/** The built website, as the stack serves it. */
export interface SiteSpec {
  /** Directory holding the built website. */
  readonly dir: string;
  /** The site's response headers (CSP included), given the origins its pages talk to. */
  readonly headers: (origins: SiteOrigins) => Readonly<Record<string, string>>;
  /** The site's config.json, given the deployed pool, client and API (as deploy-time tokens). */
  readonly config: (deployed: DeployedSiteValues) => SiteConfig;
  /** Extension-less paths and the page each serves; CloudFront rewrites them (S3 cannot). */
  readonly routes: Readonly<Record<string, string>>;
  /** The object served for `/`. */
  readonly defaultRootObject: string;
}

/** Cognito's emails sent through SES (DEVELOPER sending) instead of its own capped sender. */
export interface EmailSender {
  /** ARN of a verified SES identity (address or domain) in a region Cognito can use. */
  readonly identityArn: string;
  /** The sender, e.g. `Gatehouse <no-reply@example.com>`, within that identity. */
  readonly from: string;
}

export interface GatehouseStackProps extends StackProps {
  /** Directory holding the bundled API: `index.mjs`, exporting `handler`. */
  readonly apiBundleDir: string;
  /** Directory holding the bundled scheduled reconcile: `index.mjs`, exporting `handler`. */
  readonly reconcileBundleDir: string;
  /**
   * Cognito's emails (verification and reset codes) through this SES identity; `null` keeps
   * Cognito's default sender, which sends only a few dozen emails a day.
   */
  readonly emailSender: EmailSender | null;
  /** The website: its files, headers, config.json and addresses. */
  readonly site: SiteSpec;
  /**
   * Complete ARN (with its six-character suffix) of the Secrets Manager secret whose value is
   * PostgreSQL's URL.
   */
  readonly databaseSecretArn: string;
  /**
   * Complete ARN of the secret whose value is the Redis URL for rate limits shared by every API
   * instance; `null` keeps the limits in each instance's memory.
   */
  readonly redisSecretArn: string | null;
}

export class GatehouseStack extends Stack {
  readonly userPool: CfnUserPool;
  readonly appClient: CfnUserPoolClient;
  readonly api: HttpApi;
  readonly apiFunction: LambdaFunction;
  readonly reconcileFunction: LambdaFunction;
  readonly siteBucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: GatehouseStackProps) {
    super(scope, id, props);
    for (const arn of [props.databaseSecretArn, props.redisSecretArn]) {
      if (arn !== null) this.assertUsableSecretArn(arn);
    }

    if (props.emailSender !== null) assertUsableEmailSender(props.emailSender);
    this.userPool = new CfnUserPool(this, "UserPool", {
      ...toL1Properties(userPoolSettings),
      userPoolName: `${this.stackName}-users`,
      ...(props.emailSender === null
        ? {}
        : {
            emailConfiguration: {
              emailSendingAccount: "DEVELOPER",
              sourceArn: props.emailSender.identityArn,
              from: props.emailSender.from,
            },
          }),
    });
    // Accounts outlive the stack: deleting it must not delete everyone's sign-in.
    this.userPool.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.appClient = new CfnUserPoolClient(this, "WebClient", {
      ...toL1Properties(appClientSettings),
      userPoolId: this.userPool.ref,
    });

    this.siteBucket = new Bucket(this, "SiteBucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A bucket with objects in it cannot be deleted by CloudFormation; the README says how.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new HttpApi(this, "Api", {
      description: "Gatehouse accounts API",
      createDefaultStage: false,
    });
    const apiOrigin = this.api.apiEndpoint;
    const cognitoOrigin = `https://cognito-idp.${this.region}.${this.urlSuffix}`;

    const headers = props.site.headers({ apiOrigin, cognitoOrigin });
    const responseHeaders = new ResponseHeadersPolicy(this, "SiteHeaders", {
      comment: "Gatehouse site security headers",
      ...toResponseHeaderBehaviors(headers),
    });
    const routes = new CloudFrontFunction(this, "SiteRoutes", {
      comment: "Serves each extension-less address of the site from its page",
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(viewerRequestCode(props.site.routes)),
    });
    this.distribution = new Distribution(this, "Site", {
      comment: "Gatehouse site",
      defaultRootObject: props.site.defaultRootObject,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: responseHeaders,
        functionAssociations: [{ function: routes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    const siteUrl = `https://${this.distribution.distributionDomainName}`;

    this.apiFunction = this.createApiFunction(props, siteUrl);
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, "ApiStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      // A ceiling on what a flood of requests can cost, in Lambda time and database connections.
      throttle: { rateLimit: 100, burstLimit: 200 },
      // Common Log Format: address, time, method, path, status; never a header or a body.
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    // Every method and path goes to the server, which answers CORS preflights itself.
    const apiRoute = new HttpRoute(this, "ApiRoute", {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration("AccountsApi", this.apiFunction),
    });

    this.deploySite(
      props.site.dir,
      props.site.config({
        region: this.region,
        userPoolId: this.userPool.ref,
        clientId: this.appClient.ref,
        apiBaseUrl: apiOrigin,
      }),
    );

    this.reconcileFunction = this.createReconcileFunction(props);

    const child = (id: string) => this.node.findChild(id);
    acknowledgeNagFindings({
      stack: this,
      userPool: this.userPool,
      siteBucket: this.siteBucket,
      distribution: this.distribution,
      apiRoute,
      logWriters: [
        { policy: child("ApiRole").node.findChild("DefaultPolicy"), logGroup: child("ApiLogs") },
        { policy: child("SiteDeploymentPolicy"), logGroup: child("SiteDeploymentLogs") },
        {
          policy: child("ReconcileRole").node.findChild("DefaultPolicy"),
          logGroup: child("ReconcileLogs"),
        },
      ],
      siteDeploymentPolicy: child("SiteDeploymentPolicy"),
      siteDeploymentFunction: singletonFunction(this, "Custom::CDKBucketDeployment"),
    });

    new CfnOutput(this, "Region", { value: this.region, description: "AWS region" });
    new CfnOutput(this, "UserPoolId", {
      value: this.userPool.ref,
      description: "Cognito user pool id",
    });
    new CfnOutput(this, "UserPoolClientId", {
      value: this.appClient.ref,
      description: "App client id of the website (no secret)",
    });
    new CfnOutput(this, "ApiUrl", { value: apiOrigin, description: "Accounts API base URL" });
    new CfnOutput(this, "SiteUrl", { value: siteUrl, description: "Website URL" });
    new CfnOutput(this, "SiteBucketName", {
      value: this.siteBucket.bucketName,
      description: "Bucket holding the website (kept when the stack is deleted)",
    });
  }

  private assertUsableSecretArn(arn: string): void {
    const region = completeSecretArn.exec(arn)?.[1];
    if (region === undefined) {
      throw new Error(
        `Give a secret's complete ARN, ending in its six-character suffix (got "${arn}")`,
      );
    }
    // The bundle's Secrets Manager client talks to the function's own region.
    if (!Token.isUnresolved(this.region) && region !== this.region) {
      throw new Error(
        `The secret ${arn} is in ${region} but the stack deploys to ${this.region}; keep them in one region`,
      );
    }
  }

  /** Reconcile on a schedule: one pass with repairs applied, reading the API's database. */
  private createReconcileFunction(props: GatehouseStackProps): LambdaFunction {
    const role = new Role(this, "ReconcileRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Gatehouse scheduled reconcile",
    });
    const logGroup = new LogGroup(this, "ReconcileLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    role.addToPolicy(logWriteStatement(this, logGroup));
    role.addToPolicy(
      new PolicyStatement({
        actions: [...reconcileCognitoActions],
        resources: [this.userPool.attrArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["secretsmanager:GetSecretValue"],
        resources: [props.databaseSecretArn],
      }),
    );
    const fn = new LambdaFunction(this, "ReconcileFunction", {
      description: "Gatehouse reconcile: repairs what a crash left half made",
      runtime: apiRuntime,
      architecture: Architecture.ARM_64,
      code: Code.fromAsset(props.reconcileBundleDir),
      handler: "index.handler",
      memorySize: 512,
      timeout: Duration.minutes(5),
      // One pass at a time is all reconcile needs; a lock in PostgreSQL backs this up.
      reservedConcurrentExecutions: 1,
      role,
      logGroup,
      environment: {
        COGNITO_USER_POOL_ID: this.userPool.ref,
        COGNITO_CLIENT_ID: this.appClient.ref,
        DATABASE_URL_SECRET_ARN: props.databaseSecretArn,
        NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    new Rule(this, "ReconcileSchedule", {
      description: "Runs Gatehouse reconcile",
      schedule: Schedule.rate(reconcileSchedule),
      targets: [new LambdaFunctionTarget(fn, { retryAttempts: 0 })],
    });
    return fn;
  }

  private createApiFunction(props: GatehouseStackProps, siteUrl: string): LambdaFunction {
    const role = new Role(this, "ApiRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Gatehouse accounts API",
    });
    const logGroup = new LogGroup(this, "ApiLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    role.addToPolicy(logWriteStatement(this, logGroup));
    role.addToPolicy(
      new PolicyStatement({ actions: [...apiCognitoActions], resources: [this.userPool.attrArn] }),
    );
    const secretArns = [props.databaseSecretArn, props.redisSecretArn].filter(
      (arn) => arn !== null,
    );
    role.addToPolicy(
      new PolicyStatement({ actions: ["secretsmanager:GetSecretValue"], resources: secretArns }),
    );

    return new LambdaFunction(this, "ApiFunction", {
      description: "Gatehouse accounts API",
      runtime: apiRuntime,
      architecture: Architecture.ARM_64,
      code: Code.fromAsset(props.apiBundleDir),
      handler: "index.handler",
      memorySize: 1024,
      timeout: Duration.seconds(15),
      role,
      logGroup,
      environment: {
        COGNITO_USER_POOL_ID: this.userPool.ref,
        COGNITO_CLIENT_ID: this.appClient.ref,
        CORS_ORIGINS: siteUrl,
        // Read at cold start by the bundle's entry, which sets DATABASE_URL and REDIS_URL.
        DATABASE_URL_SECRET_ARN: props.databaseSecretArn,
        ...(props.redisSecretArn === null ? {} : { REDIS_URL_SECRET_ARN: props.redisSecretArn }),
        // Since Node.js 20, Lambda loads Amazon's CA bundle (RDS's certificates) only when asked.
        NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
  }

  /** Uploads the site and a `config.json` holding this stack's outputs, then invalidates the CDN. */
  private deploySite(siteDir: string, config: SiteConfig): void {
    const role = new Role(this, "SiteDeploymentRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Copies the Gatehouse site into its bucket",
    });
    const logGroup = new LogGroup(this, "SiteDeploymentLogs", {
      retention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const policy = new Policy(this, "SiteDeploymentPolicy", { roles: [role] });
    policy.addStatements(
      logWriteStatement(this, logGroup),
      // `aws s3 sync --delete` into the bucket: list, put and delete, nothing else.
      new PolicyStatement({ actions: ["s3:ListBucket"], resources: [this.siteBucket.bucketArn] }),
      new PolicyStatement({
        actions: ["s3:PutObject", "s3:DeleteObject"],
        resources: [this.siteBucket.arnForObjects("*")],
      }),
      new PolicyStatement({
        actions: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
        resources: [this.distribution.distributionArn],
      }),
    );

    const sources = [Source.asset(siteDir), Source.jsonData("config.json", config)].map((source) =>
      readableBy(source, policy),
    );
    const deployment = new BucketDeployment(this, "SiteDeployment", {
      sources,
      destinationBucket: this.siteBucket,
      distribution: this.distribution,
      distributionPaths: ["/*"],
      // Pages and config.json change on every deploy; browsers revalidate instead of guessing.
      cacheControl: [CacheControl.noCache()],
      // The grants the construct would add use wildcard actions and Resource "*"; the policy
      // above replaces them.
      role: role.withoutPolicyUpdates(),
      logGroup,
      memoryLimit: 512,
    });
    deployment.node.addDependency(policy);
  }
}

/** A function the CDK adds once per stack (e.g. BucketDeployment's), found by its id's prefix. */
function singletonFunction(stack: Stack, prefix: string): IConstruct {
  const found = stack.node.children.filter((c) => c.node.id.startsWith(prefix));
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(`Expected one ${prefix} function in the stack, found ${found.length}`);
  }
  return found[0];
}

/** Lets the deployment read exactly the asset objects a source uploads, and no other. */
function readableBy(source: ISource, policy: Policy): ISource {
  return {
    bind(scope, context) {
      const config = source.bind(scope, context);
      policy.addStatements(
        new PolicyStatement({
          actions: ["s3:GetObject"],
          resources: [config.bucket.arnForObjects(config.zipObjectKey)],
        }),
      );
      return config;
    },
  };
}

/** Writing to one log group's streams; Lambda names the streams, hence `log-stream:*`. */
function logWriteStatement(stack: Stack, logGroup: LogGroup): PolicyStatement {
  return new PolicyStatement({
    actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
    resources: [
      stack.formatArn({
        service: "logs",
        resource: "log-group",
        resourceName: `${logGroup.logGroupName}:log-stream:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
  });
}

function assertUsableEmailSender(sender: EmailSender): void {
  if (!/^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^\s]+$/.test(sender.identityArn)) {
    throw new Error(
      `Give the SES identity's ARN, arn:aws:ses:<region>:<account>:identity/<address or domain> (got "${sender.identityArn}")`,
    );
  }
  if (!/@[^\s@>]+>?\s*$/.test(sender.from)) {
    throw new Error(
      `The email sender must end in an address, e.g. "Gatehouse <no-reply@example.com>" (got "${sender.from}")`,
    );
  }
}

// A partial ARN (no suffix) would match the secret in IAM only through a wildcard.
const completeSecretArn =
  /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
