import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cognito-emulator",
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "**/cdk.out/**"],
  },
});
