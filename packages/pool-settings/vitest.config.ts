import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "pool-settings",
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
  },
});
