import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "infra",
    include: ["**/*.test.ts"],
    // Each stack built in a test synthesises the whole template (seconds on a busy machine).
    testTimeout: 30_000,
    exclude: ["**/node_modules/**", "**/dist/**", "**/cdk.out/**"],
  },
});
