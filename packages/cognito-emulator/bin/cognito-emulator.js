#!/usr/bin/env node
// The package ships TypeScript sources; tsx compiles them on load, so no build step is needed.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
