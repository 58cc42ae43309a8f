import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // Audits every log line of every test file for secrets and transcript text.
    setupFiles: ["test/setup/log-audit.ts"],
    // Remote mode (VIGIL_TEST_DB=remote) makes every statement an HTTP round trip to the Hrana fake.
    testTimeout: process.env.VIGIL_TEST_DB === "remote" ? 300_000 : 30_000,
    hookTimeout: 60_000,
    // Each file opens its own libSQL file; two workers match the 2-core machines.
    maxWorkers: 2,
    // CI also writes a machine-readable summary for .ci/run's closing line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: process.env.VIGIL_TEST_RESULTS ?? ".ci/results.json" }]] : ["default"],
  },
});
