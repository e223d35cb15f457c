import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        // Pack tests are pure (fixtures in, verdicts out): they share one worker context, which cuts
        // start-up time per file.
        test: { name: "packs", include: ["packs/**/*.test.ts"], isolate: false },
      },
      {
        extends: true,
        test: { name: "core", include: ["src/**/*.test.ts", "test/**/*.test.ts", "simulator/**/*.test.ts", "bench/**/*.test.ts"] },
      },
    ],
  },
});
