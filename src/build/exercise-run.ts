// The checker runs each exercise's solution through its own check, in Node: the solution and the
// cells it needs, bundled with esbuild (course modules included) and called in document order.
// A solution that fails its check, or a check that throws on it, is an error at its position.
import * as esbuild from "esbuild";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import type {CompiledNotebook} from "../notebook/notebook.js";
import {compileEditedCell} from "../notebook/edit.js";
import {cellClosure} from "../notebook/closure.js";
import {BUILTINS} from "../notebook/globals.js";
import type {Diagnostic} from "../notebook/diagnostic.js";
import type {ImportResolver} from "./resolve.js";

const J = JSON.stringify;

export interface ExerciseRunOptions {
  root: string;
  resolver: ImportResolver;
  /** Milliseconds a solution and its check may take. */
  timeout?: number;
}

/** Runs every exercise's solution through its check; returns the errors (none when all pass). */
export async function runExerciseChecks(notebook: CompiledNotebook, options: ExerciseRunOptions): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const exercise of notebook.exercises) {
    const {solution, check} = exercise;
    if (!solution || !check) continue;
    const at = {file: notebook.file, line: solution.line, column: solution.column, severity: "error" as const, cell: exercise.id};
    const others = notebook.cells.filter((c) => c.id !== exercise.id);
    const compiled = compileEditedCell(solution.code, {
      file: notebook.file, id: exercise.id, line: solution.line, column: solution.column, indent: solution.indent,
      others: others.map((c) => ({id: c.id, outputs: c.outputs, line: c.source.line, column: c.source.column})),
      resolveImport: (s) => options.resolver.check(s)
    });
    if (compiled.error || !compiled.runnable) {
      diagnostics.push({...at, ...(compiled.error ?? {}), message: `the solution of \`${exercise.id}\` does not compile: ${compiled.error?.message}`});
      continue;
    }
    const cells = [...others.flatMap((c) => (c.runnable ? [c.runnable] : [])), compiled.runnable];
    const closure = cellClosure(cells, exercise.id)!;
    const needed = cells.filter((c) => closure.includes(c.id));
    // Cells that need a page (inputs, plots, the clock) cannot run here: the browser test covers those.
    if (needed.some((c) => c.inputs.some((name) => BUILTINS.has(name)))) continue;
    const verdict = await runInNode(needed, exercise.id, check.body, options);
    if (verdict.kind === "throws") diagnostics.push({...at, line: check.part.line, column: check.part.column, message: `the check of \`${exercise.id}\` throws on its own solution: ${verdict.message}`});
    else if (verdict.kind === "fails") diagnostics.push({...at, message: `the solution of \`${exercise.id}\` fails its own check: ${verdict.message}`});
    else if (verdict.kind === "broken") diagnostics.push({...at, message: `the solution of \`${exercise.id}\` could not run: ${verdict.message}`});
  }
  return diagnostics;
}

type Verdict = {kind: "passes" | "fails" | "throws" | "broken"; message: string};

async function runInNode(cells: {id: string; inputs: string[]; outputs: string[]; body: string}[], id: string, check: string, options: ExerciseRunOptions): Promise<Verdict> {
  const program = `const cells = [\n${cells.map((c) => `[${J(c.id)}, ${J(c.inputs)}, ${J(c.outputs)}, ${c.body}]`).join(",\n")}\n];
const check = (${check}\n);
export default async function () {
  const scope = {};
  let values;
  for (const [id, inputs, outputs, body] of cells) {
    let result;
    try {
      result = await body(...inputs.map((name) => scope[name]));
    } catch (error) {
      return {kind: "broken", message: \`cell \${id}: \${error?.message ?? error}\`};
    }
    if (outputs.length) Object.assign(scope, result);
    if (id === ${J(id)}) values = Object.fromEntries(outputs.map((name) => [name, scope[name]]));
  }
  try {
    const answer = await check(values);
    if (answer === true) return {kind: "passes", message: ""};
    if (answer && typeof answer === "object" && answer.pass === true) return {kind: "passes", message: ""};
    return {kind: "fails", message: typeof answer === "string" ? answer : typeof answer?.message === "string" ? answer.message : "the check did not return true"};
  } catch (error) {
    return {kind: "throws", message: error?.message ?? String(error)};
  }
}
`;
  const dir = mkdtempSync(join(tmpdir(), "lectern-exercise-"));
  try {
    const out = join(dir, "run.mjs");
    const result = await esbuild.build({
      stdin: {contents: program, resolveDir: options.root, loader: "js"},
      bundle: true, format: "esm", platform: "node", target: "node20", write: false, logLevel: "silent",
      plugins: [{
        name: "lectern-cells",
        setup(build) {
          build.onResolve({filter: /^(\.\.\/)+cells\//}, (args) => {
            const path = options.resolver.cellsModule(args.path);
            return path ? {path} : {errors: [{text: `cannot resolve ${args.path}`}]};
          });
        }
      }]
    });
    writeFileSync(out, result.outputFiles[0].text);
    const run = (await import(pathToFileURL(out).href)).default as () => Promise<Verdict>;
    let timer: NodeJS.Timeout | undefined;
    const limit = options.timeout ?? 30_000;
    const timeout = new Promise<Verdict>((resolve) => (timer = setTimeout(() => resolve({kind: "broken", message: `it took more than ${limit / 1000} s`}), limit)));
    try {
      return await Promise.race([run(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    return {kind: "broken", message: error instanceof Error ? error.message.split("\n")[0] : String(error)};
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
