import {describe, expect, it} from "vitest";
import {spawnSync} from "node:child_process";
import {join, resolve} from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures/reporter");

/** Runs vitest on some of test/fixtures/reporter/*.fixture.ts with the summary reporter; its exit code and last lines. */
function run(pattern: string): {status: number | null; tail: string} {
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", join(FIXTURES, "vitest.config.ts")], {
    cwd: FIXTURES,
    encoding: "utf8",
    env: {...process.env, LECTERN_REPORTER_FIXTURES: pattern, CI: "1", FORCE_COLOR: "0", NO_COLOR: "1"},
    timeout: 120_000
  });
  const lines = r.stdout.trimEnd().split("\n");
  return {status: r.status, tail: lines.slice(-6).join("\n")};
}

describe("the summary reporter", () => {
  it("a passing run: counts, and notes of tests skipped on purpose", () => {
    const {status, tail} = run("passes.fixture.ts");
    expect(status).toBe(0);
    expect(tail).toMatch(/Fixture note: skipped on purpose\n1 passed, 0 failed, 1 skipped$/);
  });

  it("a file whose beforeAll throws, a file that fails to load and an unhandled error are each a failure, named; never `0 failed`", () => {
    const {status, tail} = run("{passes,hook-throws,load-fails,unhandled}.fixture.ts");
    expect(status).not.toBe(0);
    expect(tail).toContain("FAILED (file did not run or a hook threw): hook-throws.fixture.ts: the browser is missing");
    expect(tail).toContain("FAILED (file did not run or a hook threw): load-fails.fixture.ts: this file cannot load");
    expect(tail).toContain("FAILED (unhandled error): nobody handled me");
    expect(tail).toMatch(/\n2 passed, 3 failed \(0 tests, 2 files, 1 unhandled error\), 3 skipped$/);
  });
});
