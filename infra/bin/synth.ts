// `npm run synth`: the CloudFormation template, written offline into infra/cdk.out/ with an
// example secret ARN (no AWS account or credentials needed). `npm run deploy` uses bin/app.ts.
import { rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { App } from "aws-cdk-lib";
import { buildGatehouse, infraDir, readDeployContext } from "../src/synthesize.ts";
import { webSite } from "../src/web-site.ts";

const started = performance.now();
const outdir = join(infraDir, "cdk.out");
await rm(outdir, { recursive: true, force: true });
const app = new App({
  outdir,
  context: {
    databaseSecretArn:
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:gatehouse/database-url-AbCdEf",
  },
});
const { stack } = await buildGatehouse({ app, context: readDeployContext(app), site: webSite() });
const assembly = app.synth();
const template = assembly.getStackArtifact(stack.artifactId).templateFullPath;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`Wrote ${relative(process.cwd(), template)} in ${seconds} s`);
