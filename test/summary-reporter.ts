import type {Reporter, SerializedError, TestModule, TestRunEndReason} from "vitest/node";

/**
 * Ends the run with a plain `N passed, N failed` line that any CI can read, and tells the truth:
 * a test file that failed to load, or whose hooks threw (vitest then marks its tests skipped), is
 * a failure named in the last lines; so is every unhandled error; and a run that exits non-zero
 * never reports "0 failed". Notes of tests skipped on purpose (`ctx.skip(note)`) are printed too.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = [], reason?: TestRunEndReason): void {
    process.stdout.write(summarize(testModules, unhandledErrors, reason));
  }
}

export function summarize(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason?: TestRunEndReason): string {
  let passed = 0;
  let failedTests = 0;
  let skipped = 0;
  const notes = new Set<string>();
  const brokenFiles: string[] = [];
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state === "passed") ++passed;
      else if (result.state === "failed") ++failedTests;
      else {
        ++skipped;
        if (result.state === "skipped" && result.note) notes.add(result.note);
      }
    }
    // Errors outside any test: the file did not load, or a beforeAll/afterAll (of the file or of
    // one of its describe blocks) threw.
    const errors = [...module.errors(), ...[...module.children.allSuites()].flatMap((s) => s.errors())];
    if (errors.length || (module.state() === "failed" && !failedTests)) {
      const first = errors[0];
      brokenFiles.push(`${module.relativeModuleId}${first ? `: ${String(first.message ?? first.name ?? "error").split("\n")[0]}` : ""}`);
    }
  }
  let failed = failedTests + brokenFiles.length + unhandledErrors.length;
  const lines: string[] = [];
  for (const file of brokenFiles) lines.push(`FAILED (file did not run or a hook threw): ${file}`);
  for (const error of unhandledErrors) lines.push(`FAILED (unhandled error): ${String(error.message ?? error.name ?? "error").split("\n")[0]}`);
  if (reason === "failed" && !failed) {
    // vitest failed the run for a reason none of the above shows (e.g. no test files found).
    failed = 1;
    lines.push("FAILED: the run failed outside any test file (see vitest's output above)");
  }
  for (const note of notes) lines.push(note);
  const parts = [`${passed} passed`, `${failed} failed`];
  if (brokenFiles.length) parts[1] += ` (${failedTests} test${failedTests === 1 ? "" : "s"}, ${brokenFiles.length} file${brokenFiles.length === 1 ? "" : "s"}${unhandledErrors.length ? `, ${unhandledErrors.length} unhandled error${unhandledErrors.length === 1 ? "" : "s"}` : ""})`;
  else if (unhandledErrors.length) parts[1] += ` (${failedTests} test${failedTests === 1 ? "" : "s"}, ${unhandledErrors.length} unhandled error${unhandledErrors.length === 1 ? "" : "s"})`;
  if (skipped) parts.push(`${skipped} skipped`);
  if (reason === "interrupted") parts.push("run interrupted");
  return `\n${lines.map((l) => `${l}\n`).join("")}${parts.join(", ")}\n`;
}
