// What cdk-nag's AwsSolutions pack reports on this stack and leaves standing, each with the
// reason it stands. Everything else it reports is fixed in the stack; the infra tests run the
// pack and fail on any finding not listed here.
import { CfnElement, type Stack, Token, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

export interface NagSubjects {
  readonly stack: Stack;
  readonly userPool: IConstruct;
  readonly siteBucket: IConstruct;
  readonly distribution: IConstruct;
  readonly apiRoute: IConstruct;
  /** Policies granting writes to one log group's streams, with that log group. */
  readonly logWriters: readonly { readonly policy: IConstruct; readonly logGroup: IConstruct }[];
  readonly siteDeploymentPolicy: IConstruct;
  /** The CDK's own function that copies the site into the bucket. */
  readonly siteDeploymentFunction: IConstruct;
}

export function acknowledgeNagFindings(subjects: NagSubjects): void {
  const ack = (construct: IConstruct, id: string, reason: string) =>
    Validations.of(construct).acknowledge({ id, reason });

  ack(
    subjects.userPool,
    "AwsSolutions-COG1",
    "The policy asks for 10 characters with upper case, lower case and a digit, and no symbol: length protects more than composition rules (NIST SP 800-63B), and the same policy is shown to people beside every password field.",
  );
  ack(
    subjects.userPool,
    "AwsSolutions-COG2",
    "Multi-factor sign-in is not part of this product yet; people sign in with SRP, so the password never leaves the browser.",
  );
  ack(
    subjects.userPool,
    "AwsSolutions-COG8",
    "The Plus feature plan (threat protection) is billed per monthly active user; accounts are created only by the back end, which rate-limits creation, and a deployment may opt in.",
  );
  ack(
    subjects.siteBucket,
    "AwsSolutions-S1",
    "The bucket holds only the public static site and is read only through CloudFront; its writes are made by the deployment's role and recorded by CloudTrail.",
  );
  ack(
    subjects.distribution,
    "AwsSolutions-CFR1",
    "The site serves people wherever they are; there is no country to exclude.",
  );
  ack(
    subjects.distribution,
    "AwsSolutions-CFR2",
    "The distribution serves static pages only; the API applies its own rate limits, and WAF is billed per rule and request — a deployment may attach a web ACL.",
  );
  ack(
    subjects.distribution,
    "AwsSolutions-CFR3",
    "The static site carries no personal data in its requests; the API logs its own requests and API Gateway keeps access logs.",
  );
  ack(
    subjects.distribution,
    "AwsSolutions-CFR4",
    "With the default *.cloudfront.net certificate CloudFront fixes the minimum viewer protocol itself; a deployment with its own domain and certificate sets TLSv1.2_2021.",
  );
  ack(
    subjects.apiRoute,
    "AwsSolutions-APIG4",
    "The API verifies Cognito access tokens itself (signature, issuer, client, token use, the sign-out watermark), which an API Gateway JWT authorizer cannot do, and some routes (account creation, password reset) take no token by design.",
  );
  ack(
    subjects.siteDeploymentFunction,
    "AwsSolutions-L1",
    "This is the CDK's own BucketDeployment function, whose Python runtime the CDK chooses; it runs only during a deployment.",
  );
  for (const { policy, logGroup } of subjects.logWriters) {
    ack(
      policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${tokenOr(subjects.stack.region, "AWS::Region")}:${tokenOr(subjects.stack.account, "AWS::AccountId")}:log-group:<${logicalId(subjects.stack, logGroup)}>:log-stream:*]`,
      "Lambda names its log streams at run time; the grant is limited to the streams of this function's own log group.",
    );
  }
  ack(
    subjects.siteDeploymentPolicy,
    `AwsSolutions-IAM5[Resource::<${logicalId(subjects.stack, subjects.siteBucket)}.Arn>/*]`,
    "The deployment replaces the whole site: it writes and deletes any object of the site's own bucket, and of no other.",
  );
}

function tokenOr(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<${pseudo}>` : value;
}

function logicalId(stack: Stack, construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no resource`);
  return stack.resolve(element.logicalId) as string;
}
