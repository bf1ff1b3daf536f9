import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/**/*.test.ts",
      "functions/**/*.test.ts",
      "constructs/**/*.test.ts",
      "policy/**/*.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the CPUs: one worker on a 2-core machine. Much of the
    // suite waits (on terraform, on PostgreSQL, on timers), so three test files at a time keep both
    // cores busy: on 2 cores the run took 277 s with the default, 210 s with three.
    maxWorkers: 3,
    reporters: ["default"],
  },
});
