// Reading a synthesized CloudFormation template the way a reviewer would: intrinsic functions
// rendered as `${LogicalId.Attribute}` strings, and every IAM statement listed with where it is.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  readonly Outputs?: Record<string, { Value: Json }>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Renders Ref, Fn::GetAtt, Fn::Join and Fn::Sub as strings (`${UserPool}`,
 * `${Api.ApiEndpoint}`, `${AWS::Region}`), recursively; everything else is kept as is.
 */
export function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (!isObject(value)) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    const [key, argument] = only;
    if (key === "Ref" && typeof argument === "string") return `\${${argument}}`;
    if (key === "Fn::GetAtt" && Array.isArray(argument)) return `\${${argument.join(".")}}`;
    if (key === "Fn::Sub" && typeof argument === "string") return argument;
    if (key === "Fn::Join" && Array.isArray(argument)) {
      const [separator, parts] = argument;
      if (typeof separator === "string" && Array.isArray(parts)) {
        return parts.map((part) => renderString(part)).join(separator);
      }
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, render(item)]));
}

/** Renders a value that must come out as a string. */
export function renderString(value: unknown): string {
  const rendered = render(value);
  if (typeof rendered !== "string") throw new Error(`Not a string: ${JSON.stringify(value)}`);
  return rendered;
}

export interface Statement {
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export interface LocatedStatement {
  /** `LogicalId (Type)`, plus the inline policy's name for a role's inline policy. */
  readonly where: string;
  readonly statement: Statement;
}

/**
 * Every statement of every permissions policy in the template, rendered: IAM policies, managed
 * policies, the inline policies of roles, users and groups, and bucket policies.
 */
export function policyStatements(template: TemplateJson): LocatedStatement[] {
  const found: LocatedStatement[] = [];
  const add = (where: string, document: unknown) => {
    const statements = (render(document) as { Statement?: unknown }).Statement;
    for (const statement of toArray(statements)) {
      found.push({ where, statement: statement as Statement });
    }
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const where = `${id} (${resource.Type})`;
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case "AWS::IAM::Policy":
      case "AWS::IAM::ManagedPolicy":
      case "AWS::S3::BucketPolicy":
        add(where, properties.PolicyDocument);
        break;
      case "AWS::IAM::Role":
      case "AWS::IAM::User":
      case "AWS::IAM::Group":
        for (const inline of toArray(properties.Policies)) {
          if (isObject(inline)) add(`${where} ${String(inline.PolicyName)}`, inline.PolicyDocument);
        }
        break;
    }
  }
  return found;
}

export function toArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const exactAction = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

/**
 * What is too broad in an Allow statement: any `*` or `?` in an action, NotAction or
 * NotResource, Resource `*`, a `*` principal, or a `*` in a resource anywhere but where the
 * resource itself is a collection that cannot be named in advance: the objects of one bucket of
 * this stack (`${Bucket.Arn}/*`) or the log streams of one log group of this stack
 * (`...:log-group:${LogGroup}:log-stream:*`), whose names Lambda picks.
 */
export function broadGrants(statement: Statement, template: TemplateJson): string[] {
  if (statement.Effect !== "Allow") return [];
  const problems: string[] = [];
  if (statement.NotAction !== undefined) problems.push("NotAction");
  if (statement.NotResource !== undefined) problems.push("NotResource");
  for (const action of toArray(statement.Action)) {
    if (!exactAction.test(action)) problems.push(`action ${action}`);
  }
  const principal = statement.Principal;
  if (
    principal === "*" ||
    (isObject(principal) && toArray(principal.AWS as string).includes("*"))
  ) {
    problems.push("principal *");
  }
  for (const resource of toArray(statement.Resource)) {
    if (!resource.includes("*") && !resource.includes("?")) continue;
    if (!isScopedCollection(resource, template)) problems.push(`resource ${resource}`);
  }
  return problems;
}

function isScopedCollection(resource: string, template: TemplateJson): boolean {
  const objects = /^\$\{(\w+)\.Arn\}\/\*$/.exec(resource);
  if (objects?.[1] !== undefined) return template.Resources[objects[1]]?.Type === "AWS::S3::Bucket";
  const streams =
    /^arn:\$\{AWS::Partition\}:logs:[^:*]+:[^:*]+:log-group:\$\{(\w+)\}:log-stream:\*$/.exec(
      resource,
    );
  if (streams?.[1] !== undefined)
    return template.Resources[streams[1]]?.Type === "AWS::Logs::LogGroup";
  return false;
}

/** Every `[path, value]` of an object's leaves; arrays count as one value. */
export function leaves(value: unknown, path: string[] = []): [string, unknown][] {
  if (!isObject(value)) return [[path.join("."), value]];
  return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
}

/** The value at a dotted path, or `undefined`. */
export function at(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
}
