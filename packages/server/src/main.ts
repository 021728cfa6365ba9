// The API as a process: configuration from the environment, graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from "./config.ts";
import { createApi } from "./start-api.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`gatehouse server: configuration error: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const api = await createApi(config);
await api.app.listen({ port: config.port, host: config.host });

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  api.app.log.info({ signal }, "shutting down");
  // In-flight requests get this long to finish; then the process ends regardless.
  setTimeout(() => {
    api.app.log.error("shutdown timed out");
    process.exit(1);
  }, 10_000).unref();
  api.close().then(
    () => process.exit(0),
    (error: unknown) => {
      api.app.log.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
