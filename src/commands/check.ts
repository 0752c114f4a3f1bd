import {existsSync, readdirSync} from "node:fs";
import {relative, resolve} from "node:path";
import {compileCourse} from "../build/build.js";
import {formatDiagnostic, sortDiagnostics, type Diagnostic} from "../notebook/diagnostic.js";
import {runExerciseChecks} from "../build/exercise-run.js";
import {createImportResolver} from "../build/resolve.js";

const HELP = `Usage: npm run check [-- [--notebooks DIR] [FILE.md …]]

Checks every notebook of the course without building the site: front matter, syntax, names,
imports, cycles, links and anchors, ids, exercises (each solution is run through its own
check, in Node, unless it needs a page: inputs, plots). Prints one line per problem as
  notebooks/<slug>.md:<line>:<col> error: <message>
and exits 1 if there is any error. With FILE arguments, prints only those files' problems
(the whole course is still read, so links between lessons are checked).`;

export interface CheckOptions {
  /** The course root: package.json, notebooks/, cells/. */
  root: string;
  /** The notebooks folder, relative to root. */
  notebooks?: string;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** How many .md files were read. */
  files: number;
}

/** Everything the build would refuse, plus what only the whole course shows (links, ids, slugs). */
export function checkNotebooks({root, notebooks = "notebooks"}: CheckOptions): CheckResult {
  const course = compileCourse(root, notebooks);
  const dir = resolve(root, notebooks);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")).length : 0;
  return {diagnostics: course.diagnostics, files};
}

/** All of checkNotebooks, and each exercise's solution run through its own check. */
export async function checkCourse({root, notebooks = "notebooks"}: CheckOptions): Promise<CheckResult> {
  const course = compileCourse(root, notebooks);
  const dir = resolve(root, notebooks);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")).length : 0;
  const resolver = createImportResolver(root);
  const broken = new Set(course.diagnostics.filter((d) => d.severity === "error").map((d) => d.file));
  const runs = await Promise.all(course.notebooks.filter((nb) => !broken.has(nb.notebook.file)).map((nb) => runExerciseChecks(nb.notebook, {root, resolver})));
  return {diagnostics: sortDiagnostics([...course.diagnostics, ...runs.flat()]), files};
}

export function summary({diagnostics, files}: CheckResult): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const found = errors || warnings ? [errors && count(errors, "error"), warnings && count(warnings, "warning")].filter(Boolean).join(", ") : "no problems";
  return `Checked ${count(files, "notebook")}: ${found}.`;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  const root = process.cwd();
  const at = argv.indexOf("--notebooks");
  const notebooks = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !notebooks) {
    console.error("--notebooks needs a folder, e.g. `npm run check -- --notebooks notebooks`");
    return 2;
  }
  const only = argv
    .filter((a, i) => !a.startsWith("--") && !(at >= 0 && i === at + 1))
    .map((f) => relative(root, resolve(root, f)).split("\\").join("/"));
  const result = await checkCourse({root, notebooks});
  const shown = only.length ? {...result, diagnostics: result.diagnostics.filter((d) => only.includes(d.file))} : result;
  for (const d of shown.diagnostics) console.log(formatDiagnostic(d));
  console.log(summary(shown));
  return shown.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
}
