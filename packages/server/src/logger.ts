import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
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
