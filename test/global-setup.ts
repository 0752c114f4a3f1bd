// One folder per `vitest run`, handed to every test file: the browser tests build the real course
// into it once (test/browser/harness.ts, buildSite) instead of once per file, and it is removed
// when the run ends. Nothing is built here, so a run of unit tests alone pays nothing.
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {TestProject} from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    lecternRunDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "lectern-run-"));
  project.provide("lecternRunDir", dir);
  return () => rmSync(dir, {recursive: true, force: true});
}
