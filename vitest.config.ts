import {defineConfig} from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "cells/**/*.test.ts", "test/**/*.test.ts"],
    // Browser suites launch Chromium and build sites: give them room, and run files one at a time
    // on these 2-core machines so timing-sensitive checks are not starved.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    // A folder per run where the browser tests share one build of the course.
    globalSetup: ["./test/global-setup.ts"],
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"]
  }
});
