// The checks a reviewer of AWS stacks runs: cdk-nag's AwsSolutions pack over the synthesised
// stack. Every finding is fixed or suppressed in the stack with a written reason; none may remain.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGatehouse } from "../src/synthesize.ts";
import { webSite } from "../src/web-site.ts";

const databaseSecretArn =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatehouse/database-url-AbCdEf";
let report: string;
/** Synthesis output (the API bundle, the site's assets), removed afterwards. */
const outdirs: string[] = [];
const newOutdir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  const outdir = newOutdir("gatehouse-nag-");
  const app = new App({ outdir });
  await buildGatehouse({
    app,
    context: {
      stackName: "Gatehouse",
      databaseSecretArn,
      redisSecretArn: null,
      emailSender: {
        identityArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
        from: "Gatehouse <no-reply@example.com>",
      },
    },
    site: webSite(),
    env: { account: "123456789012", region: "eu-west-1" },
    apiBundleDir: join(outdir, "api-bundle"),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    report = "";
  } catch (error) {
    // The CDK stops synthesis on any finding not acknowledged, and lists them.
    report = (error as Error).message;
  }
}, 180_000);

describe("cdk-nag's AwsSolutions checks", () => {
  it("leave no finding that is neither fixed nor acknowledged with a reason", () => {
    expect(report).toBe("");
  });

  it("report a finding that nobody acknowledged (the pack runs)", () => {
    const app = new App({ outdir: newOutdir("gatehouse-nag-bare-") });
    const stack = new Stack(app, "Bare");
    new Bucket(stack, "Unlogged");
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
