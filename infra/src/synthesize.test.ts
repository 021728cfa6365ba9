import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { DeployContextError, readDeployContext } from "./synthesize.ts";

const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatehouse/database-url-AbCdEf";

describe("readDeployContext", () => {
  it("takes CDK context first, then GATEHOUSE_* environment variables", () => {
    const fromContext = readDeployContext(
      new App({ context: { databaseSecretArn: arn, stackName: "GatehouseStaging" } }),
      { GATEHOUSE_DATABASE_SECRET_ARN: "ignored", GATEHOUSE_REDIS_SECRET_ARN: `${arn}-redis` },
    );
    expect(fromContext).toEqual({
      stackName: "GatehouseStaging",
      databaseSecretArn: arn,
      redisSecretArn: `${arn}-redis`,
      emailSender: null,
    });
    expect(readDeployContext(new App(), { GATEHOUSE_DATABASE_SECRET_ARN: arn })).toEqual({
      stackName: "Gatehouse",
      databaseSecretArn: arn,
      redisSecretArn: null,
      emailSender: null,
    });
  });

  it("takes an SES identity and its sender together, and refuses one without the other", () => {
    const identityArn = "arn:aws:ses:eu-west-1:123456789012:identity/example.com";
    const env = { GATEHOUSE_DATABASE_SECRET_ARN: arn, GATEHOUSE_SES_IDENTITY_ARN: identityArn };
    expect(() => readDeployContext(new App(), env)).toThrow(/GATEHOUSE_EMAIL_FROM/);
    const from = "Gatehouse <no-reply@example.com>";
    expect(
      readDeployContext(new App(), { ...env, GATEHOUSE_EMAIL_FROM: from }).emailSender,
    ).toEqual({ identityArn, from });
  });

  it("stops with the variable to set when the database secret is not given", () => {
    const read = () => readDeployContext(new App(), { GATEHOUSE_DATABASE_SECRET_ARN: "" });
    expect(read).toThrow(DeployContextError);
    expect(read).toThrow(/GATEHOUSE_DATABASE_SECRET_ARN=/);
  });
});
