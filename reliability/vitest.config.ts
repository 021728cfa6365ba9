import { defineProject } from "vitest/config";

// `npm test` runs every suite at its small size, except the soak (a minute of load), which only
// `npm run test:reliability` runs. The suites start real processes and measure them, so they run
// one at a time.
const full = process.env.RELIABILITY_FULL === "1";

export default defineProject({
  test: {
    name: "reliability",
    include: ["suites/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...(full ? [] : ["suites/soak.test.ts"])],
    fileParallelism: false,
    // Every suite's temporary directories under one per run, removed when done (src/run-dirs.ts).
    globalSetup: ["./src/global-setup.ts"],
    setupFiles: ["./src/setup.ts"],
    testTimeout: full ? 900_000 : 180_000,
    hookTimeout: 180_000,
  },
});
