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

/** The API's logger: pino JSON with the redactions above, at `level` (LOG_LEVEL). */
export function createLogger(destination?: DestinationStream, level: LogLevel = "info"): Logger {
  const options = { ...loggerOptions, level };
  return destination ? pino(options, destination) : pino(options);
}
