import { type ChildProcess, spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, startCli as start } from "./cli-process.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});
const startCli = (args: string[]) => start(args, children);

const run = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 15_000 });

describe("the cognito-emulator command", () => {
  it("prints its usage with --help", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--data-dir");
    expect(result.stdout).toContain("--fixed-code");
  });

  it.each([
    [["--bogus"], "--bogus"],
    [["--port", "seventy"], "--port"],
    [["--fixed-code", "12"], "--fixed-code"],
    [["--issuer", "elsewhere"], "--issuer"],
    [["--in-memory", "--seed", "/nonexistent/seed.json", "--port", "0"], "/nonexistent/seed.json"],
  ])("refuses %j, naming what was wrong", (args, named) => {
    const result = run(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(named);
  });

  it("starts in memory on a free port and answers /health", async () => {
    const { url } = await startCli(["--in-memory", "--port", "0"]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
  });
});
