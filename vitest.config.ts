// Every workspace's tests, as one list: `npm test` runs them all, `npm test -w <workspace>` (or
// `npx vitest run --project <name>`) one of them. Workspaces differ only by name and, for the
// slower ones, their time limits; the reliability suites keep their own configuration.
import { fileURLToPath } from "node:url";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

function workspace(
  dir: string,
  name: string,
  limits: { testTimeout?: number; hookTimeout?: number } = {},
): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      root: `${root}${dir}`,
      include: ["**/*.test.ts"],
      exclude: ["**/node_modules/**", "**/dist/**", "**/cdk.out/**"],
      ...limits,
    },
  };
}

export default defineConfig({
  test: {
    root,
    projects: [
      workspace("packages/cognito-emulator", "cognito-emulator"),
      workspace("packages/pool-settings", "pool-settings"),
      // Whole flows through a local Cognito (several calls, a signing key, SRP) per test.
      workspace("packages/server", "server", { testTimeout: 20_000 }),
      workspace("packages/web", "web"),
      // Each stack built in a test synthesises the whole template (seconds on a busy machine).
      workspace("infra", "infra", { testTimeout: 30_000 }),
      workspace("e2e", "e2e", { testTimeout: 60_000, hookTimeout: 90_000 }),
      workspace("bench", "bench"),
      "reliability",
    ],
  },
});
