import type { FastifyBaseLogger } from "fastify";
import pino, {
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
  type LoggerOptions,
} from "pino";
import type { LogLevel } from "./config.ts";

/** Never logged: passwords, tokens, Authorization headers, wherever they appear. */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "password",
  "*.password",
  "*.*.password",
  "body.password",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "idToken",
  "*.idToken",
];

export const loggerOptions: LoggerOptions = {
  level: "info",
  redact: { paths: REDACT_PATHS, censor: "[redacted]" },
};

/**
 * The API's logger: pino with the redactions above, at `level` (LOG_LEVEL). Lines leave the
 * request's path: JSON through an asynchronous destination (written in batches while the event
 * loop serves requests; what is buffered is written out when the process exits), or, when stdout
 * is a terminal, readable lines from pino-pretty in a transport worker thread.
 */
export function createLogger(
  destination?: DestinationStream,
  level: LogLevel = "info",
  terminal: boolean = process.stdout.isTTY === true,
): Logger {
  const options = { ...loggerOptions, level };
  if (destination) return pino(options, destination);
  if (terminal) {
    return pino({
      ...options,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}

type LevelName = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/**
 * A request's logger that becomes `parent.child(bindings)` the first time a line at an enabled
 * level goes through it. Pino's child costs a few microseconds (its bindings serialised, its
 * redaction set up), which most requests (logged by the root logger, see app.ts) never need.
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | null = null;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  #enabled(level: LevelName): boolean {
    if (this.#child !== null) return true;
    const parent = this.#parent as unknown as Logger;
    if (this.#options.level === undefined) return parent.isLevelEnabled(level);
    const values = parent.levels.values;
    return (values[level] ?? 0) >= (values[this.#options.level] ?? Number.POSITIVE_INFINITY);
  }

  #log(level: LevelName, args: unknown[]): void {
    if (!this.#enabled(level)) return;
    (this.#real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  fatal(...args: unknown[]): void {
    this.#log("fatal", args);
  }
  error(...args: unknown[]): void {
    this.#log("error", args);
  }
  warn(...args: unknown[]): void {
    this.#log("warn", args);
  }
  info(...args: unknown[]): void {
    this.#log("info", args);
  }
  debug(...args: unknown[]): void {
    this.#log("debug", args);
  }
  trace(...args: unknown[]): void {
    this.#log("trace", args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: each request's logger, made lazily. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
