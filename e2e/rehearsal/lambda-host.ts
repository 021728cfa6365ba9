// Runs inside the Lambda runtime's Node.js (not the Node.js of the tests), as one instance of the
// function: loads the handler module from the bundle's directory as Lambda's Node.js runtime does
// (`index.handler` → `index.mjs`, export `handler`), then runs one invocation at a time, sent over
// IPC. Written in the TypeScript that Node.js runs without a build step (types only).
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

interface Invocation {
  readonly id: number;
  readonly event: unknown;
  readonly timeoutMs: number;
}
type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [taskRoot, handlerName] = process.argv.slice(2);
if (taskRoot === undefined || handlerName === undefined) {
  throw new Error("usage: lambda-host.ts <task root> <module.export>");
}
const send = (message: unknown) => process.send?.(message);

async function loadHandler(): Promise<Handler> {
  const dot = handlerName?.lastIndexOf(".") ?? -1;
  const moduleName = handlerName?.slice(0, dot) ?? "";
  const exportName = handlerName?.slice(dot + 1) ?? "";
  const file = [".mjs", ".js", ".cjs"]
    .map((ext) => path.join(taskRoot ?? "", `${moduleName}${ext}`))
    .find((candidate) => existsSync(candidate));
  if (file === undefined) throw new Error(`Runtime.ImportModuleError: no module ${moduleName}`);
  const loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = loaded[exportName];
  if (typeof handler !== "function") {
    throw new Error(`Runtime.HandlerNotFound: ${handlerName} is not a function`);
  }
  return handler as Handler;
}

process.chdir(taskRoot);
const started = performance.now();
const handler = await loadHandler().catch((error: unknown) => {
  send({ type: "init-error", message: (error as Error).message });
  process.exit(1);
});
send({ type: "ready", initMs: performance.now() - started });

let queue = Promise.resolve();
process.on("message", (message: Invocation) => {
  queue = queue.then(async () => {
    const deadline = Date.now() + message.timeoutMs;
    const context = {
      awsRequestId: `rehearsal-${message.id}`,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: "$LATEST",
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await handler(message.event, context);
      send({ type: "result", id: message.id, result });
    } catch (error) {
      send({
        type: "error",
        id: message.id,
        errorType: (error as Error).name,
        errorMessage: (error as Error).message,
      });
    }
  });
});
