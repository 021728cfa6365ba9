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
    });
    expect(readDeployContext(new App(), { GATEHOUSE_DATABASE_SECRET_ARN: arn })).toEqual({
      stackName: "Gatehouse",
      databaseSecretArn: arn,
      redisSecretArn: null,
    });
  });

  it("stops with the variable to set when the database secret is not given", () => {
    const read = () => readDeployContext(new App(), { GATEHOUSE_DATABASE_SECRET_ARN: "" });
    expect(read).toThrow(DeployContextError);
    expect(read).toThrow(/GATEHOUSE_DATABASE_SECRET_ARN=/);
  });
});
