import {defineConfig} from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        // Unit, numerics (tfjs cpu in Node), checker and preview files: nothing in them is timed,
        // so they run two at a time, one per core, and all finish before the browser files start.
        extends: true,
        test: {
          name: "node",
          include: ["src/**/*.test.ts", "cells/**/*.test.ts", "test/{cells,unit,check,preview}/**/*.test.ts"],
          sequence: {groupOrder: 0}
        }
      },
      {
        // Browser files launch Chromium and check main-thread tasks while models train: one file
        // at a time, alone on the machine, so those checks are not starved. They share one build
        // of the course per run, in the run folder the global setup provides.
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          fileParallelism: false,
          globalSetup: ["./test/global-setup.ts"],
          sequence: {groupOrder: 1}
        }
      }
    ]
  }
});
