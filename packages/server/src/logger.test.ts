// A request's logger is made lazily: it must write exactly what pino's own child would, with the
// request's id, at the levels the parent (or the route's log level) allows, and nothing otherwise.
import { Writable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { lazyChildLogger, loggerOptions } from "./logger.ts";

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const parent = pino({ ...loggerOptions, level }, sink) as unknown as FastifyBaseLogger;
  return { parent, lines, flush: () => new Promise((resolve) => setImmediate(resolve)) };
}

describe("lazyChildLogger", () => {
  it("writes the request's id with each line, and redacts as the parent does", async () => {
    const { parent, lines, flush } = capture("info");
    const log = lazyChildLogger(parent, { reqId: "req-7" }, {});
    log.info({ password: "hunter2hunter2" }, "hello");
    log.error("bad");
    await flush();
    expect(lines).toMatchObject([
      { reqId: "req-7", msg: "hello", password: "[redacted]", level: 30 },
      { reqId: "req-7", msg: "bad", level: 50 },
    ]);
  });

  it("writes nothing below the parent's level, and the route's own level wins when given", async () => {
    const { parent, lines, flush } = capture("warn");
    const quiet = lazyChildLogger(parent, { reqId: "a" }, {});
    quiet.info("not written");
    quiet.debug("not written");
    expect(quiet.level).toBe("warn");
    const chatty = lazyChildLogger(parent, { reqId: "b" }, { level: "debug" });
    chatty.debug("written");
    const silent = lazyChildLogger(parent, { reqId: "c" }, { level: "error" });
    silent.warn("not written");
    await flush();
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([["b", "written"]]);
  });

  it("hands out a grandchild bound to both", async () => {
    const { parent, lines, flush } = capture("info");
    lazyChildLogger(parent, { reqId: "r" }, {}).child({ flow: "sign-out" }).info("step");
    await flush();
    expect(lines[0]).toMatchObject({ reqId: "r", flow: "sign-out", msg: "step" });
  });
});
