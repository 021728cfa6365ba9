// The CDK app `cdk deploy` runs (see cdk.json): `npm run deploy -- -c databaseSecretArn=...`.
import { App } from "aws-cdk-lib";
import { buildGatehouse, DeployContextError, readDeployContext } from "../src/synthesize.ts";
import { webSite } from "../src/web-site.ts";

const app = new App();
try {
  await buildGatehouse({
    app,
    context: readDeployContext(app),
    site: webSite(),
    // Set by the CDK CLI from the AWS profile in use.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
} catch (error) {
  if (!(error instanceof DeployContextError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
