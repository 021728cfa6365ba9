// Reads what `cdk deploy` would upload from the synthesised cloud assembly (infra/cdk.out): the
// template, the asset directories, and the values CloudFormation fills in at deploy time.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}

export interface CloudAssembly {
  readonly dir: string;
  readonly template: { readonly Resources: Record<string, Resource> };
  /** The directory an asset was staged in, by its hash (the S3 key without `.zip`). */
  assetDir(objectKey: string): string;
}

export function readCloudAssembly(dir: string): CloudAssembly {
  const manifestFile = path.join(dir, "manifest.json");
  if (!existsSync(manifestFile)) {
    throw new Error(`No cloud assembly in ${dir}: run npm run synth`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
    artifacts: Record<
      string,
      { type: string; properties?: { templateFile?: string; file?: string } }
    >;
  };
  const artifacts = Object.values(manifest.artifacts);
  const stacks = artifacts.filter((a) => a.type === "aws:cloudformation:stack");
  const assets = artifacts.filter((a) => a.type === "cdk:asset-manifest");
  if (stacks.length !== 1 || assets.length !== 1) {
    throw new Error(`Expected one stack and one asset manifest in ${manifestFile}`);
  }
  const template = JSON.parse(
    readFileSync(path.join(dir, stacks[0]?.properties?.templateFile ?? ""), "utf8"),
  ) as CloudAssembly["template"];
  const files = (
    JSON.parse(readFileSync(path.join(dir, assets[0]?.properties?.file ?? ""), "utf8")) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
    }
  ).files;
  return {
    dir,
    template,
    assetDir(objectKey) {
      const hash = objectKey.replace(/\.zip$/, "");
      const source = files[hash]?.source;
      if (source === undefined) throw new Error(`No asset ${hash} in ${dir}`);
      if (source.packaging !== "zip") {
        throw new Error(`Asset ${hash} is a ${source.packaging} asset, not a staged directory`);
      }
      return path.join(dir, source.path);
    },
  };
}

/** The one resource of a type, as `[logicalId, resource]`. */
export function onlyResource(assembly: CloudAssembly, type: string): [string, Resource] {
  const found = Object.entries(assembly.template.Resources).filter(([, r]) => r.Type === type);
  if (found.length !== 1) {
    throw new Error(`Expected one ${type} in the template, found ${found.length}`);
  }
  return found[0] as [string, Resource];
}

/** What CloudFormation would know once the stack is deployed. */
export interface DeployedValues {
  readonly region: string;
  readonly accountId: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The HTTP API's endpoint, `https://<id>.execute-api.<region>.amazonaws.com`. */
  readonly apiEndpoint: string;
  /** The distribution's domain, `<id>.cloudfront.net`. */
  readonly distributionDomain: string;
}

/**
 * Evaluates the intrinsic functions the template uses (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) with
 * the deployed values; a reference to anything else fails, naming it.
 */
export function deployTimeResolver(
  assembly: CloudAssembly,
  values: DeployedValues,
): (value: unknown) => unknown {
  const known = new Map<string, string>([
    ["AWS::Region", values.region],
    ["AWS::AccountId", values.accountId],
    ["AWS::Partition", "aws"],
    ["AWS::URLSuffix", "amazonaws.com"],
    [onlyResource(assembly, "AWS::Cognito::UserPool")[0], values.userPoolId],
    [onlyResource(assembly, "AWS::Cognito::UserPoolClient")[0], values.clientId],
    [`${onlyResource(assembly, "AWS::ApiGatewayV2::Api")[0]}.ApiEndpoint`, values.apiEndpoint],
    [
      `${onlyResource(assembly, "AWS::CloudFront::Distribution")[0]}.DomainName`,
      values.distributionDomain,
    ],
  ]);
  const lookup = (name: string): string => {
    const value = known.get(name);
    if (value === undefined) throw new Error(`The rehearsal does not know ${name}`);
    return value;
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only !== undefined) {
      const [key, argument] = only;
      if (key === "Ref") return lookup(String(argument));
      if (key === "Fn::GetAtt") return lookup((argument as string[]).join("."));
      if (key === "Fn::Join") {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => String(resolve(part))).join(separator);
      }
      if (key === "Fn::Sub" && typeof argument === "string") {
        return argument.replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(name));
      }
      if (key.startsWith("Fn::")) throw new Error(`The rehearsal cannot evaluate ${key}`);
    }
    return Object.fromEntries(entries.map(([k, item]) => [k, resolve(item)]));
  };
  return resolve;
}

/** An object in the site's bucket, as `aws s3 sync` would have uploaded it. */
export interface BucketObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string | null;
}

// Python's mimetypes, which the CDK's deployment function uses through `aws s3 sync`.
const contentTypes: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".txt": "text/plain",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/**
 * The bucket's objects after the BucketDeployment: each source's files, with the deploy-time
 * markers replaced as the deployment function replaces them (JSON-escaped where configured).
 */
export function siteBucketObjects(
  assembly: CloudAssembly,
  resolve: (value: unknown) => unknown,
): Map<string, BucketObject> {
  const [, deployment] = onlyResource(assembly, "Custom::CDKBucketDeployment");
  const props = deployment.Properties ?? {};
  const keys = props.SourceObjectKeys as string[];
  const markers = (props.SourceMarkers ?? []) as Record<string, unknown>[];
  const markerConfig = (props.SourceMarkersConfig ?? []) as { jsonEscape?: boolean }[];
  const metadata = (props.SystemMetadata ?? {}) as Record<string, string>;
  const objects = new Map<string, BucketObject>();
  keys.forEach((objectKey, index) => {
    const dir = assembly.assetDir(objectKey);
    const replacements = Object.entries(markers[index] ?? {}).map(([marker, value]) => {
      const text = String(resolve(value));
      return [marker, markerConfig[index]?.jsonEscape ? JSON.stringify(text).slice(1, -1) : text];
    });
    for (const file of readdirSync(dir, { recursive: true }).map(String).sort()) {
      const full = path.join(dir, file);
      if (!statSync(full).isFile()) continue;
      let body = readFileSync(full);
      if (replacements.length > 0) {
        let text = body.toString("utf8");
        for (const [marker, value] of replacements)
          text = text.replaceAll(marker ?? "", value ?? "");
        body = Buffer.from(text);
      }
      objects.set(file.split(path.sep).join("/"), {
        body,
        contentType: contentTypes[path.extname(file)] ?? "binary/octet-stream",
        cacheControl: metadata["cache-control"] ?? null,
      });
    }
  });
  return objects;
}
