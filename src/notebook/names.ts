import {cellPosition, type CellSource} from "./cells.js";
import type {CellAnalysis} from "./javascript/analyze.js";
import {BUILTINS, GLOBALS, JAVASCRIPT_GLOBALS} from "./globals.js";
import {didYouMean} from "./suggest.js";
import {formatPosition} from "./diagnostic.js";

/** A cell's problem, shown in place in the page. */
export interface CellError {
  message: string;
  line: number;
  column: number;
}

/** Where a name is defined, in the .md file. */
export interface Definer {
  line: number;
  column: number;
}

export interface NameContext {
  file: string;
  /** The cell (other than the one being resolved) that defines a name, if any. */
  definerOf(name: string): Definer | undefined;
  /** Every name a cell may use, for "did you mean". */
  known(): string[];
  resolveImport?(specifier: string): string | undefined;
}

/** Why a cell may not declare `name` (taken by another cell, a built-in or a global), or undefined. */
export function declarationProblem(name: string, file: string, first: Definer | undefined): string | undefined {
  if (first) return `\`${name}\` is defined more than once (first at ${formatPosition({file, ...first})}); rename one of them`;
  if (BUILTINS.has(name)) return `\`${name}\` is a built-in name; choose another name`;
  if (JAVASCRIPT_GLOBALS.has(name)) return `global \`${name}\` cannot be redefined (every cell and library relies on it); choose another name`;
  return undefined;
}

/**
 * A cell's inputs (other cells' names and built-ins it uses) and its first problem: assignment to
 * a global or another cell's name, an unknown name, an import that cannot be resolved. Shared by
 * the build and the in-page editor, so an edited cell is judged as the build would judge it.
 */
export function resolveNames(source: CellSource, analysis: CellAnalysis, context: NameContext): {inputs: string[]; error?: CellError} {
  const {file} = context;
  const inputs: string[] = [];
  let error: CellError | undefined;
  for (const ref of analysis.references) {
    const pos = cellPosition(source, ref.start);
    const owner = context.definerOf(ref.name);
    if (ref.assigned && JAVASCRIPT_GLOBALS.has(ref.name)) {
      error ??= {message: `assignment to global \`${ref.name}\` (it would change for every cell and library); declare a new name in this cell instead`, ...pos};
      continue;
    }
    if (ref.assigned && (owner || BUILTINS.has(ref.name))) {
      const where = owner ? `defined by another cell (${formatPosition({file, ...owner})})` : "a built-in";
      error ??= {message: `cannot assign to \`${ref.name}\`, ${where}: declare a new name in this cell instead`, ...pos};
      continue;
    }
    if (owner || BUILTINS.has(ref.name)) {
      if (!inputs.includes(ref.name)) inputs.push(ref.name);
    } else if (!GLOBALS.has(ref.name)) {
      const guess = didYouMean(ref.name, context.known());
      error ??= {message: `\`${ref.name}\` is not defined${guess ? ` (did you mean \`${guess}\`?)` : ""}`, ...pos};
    }
  }
  for (const use of analysis.imports) {
    const problem = notebookImport(use.source, file) ?? context.resolveImport?.(use.source);
    if (problem) error ??= {message: problem, ...cellPosition(source, use.start)};
  }
  return {inputs, error};
}

/** A cell that imports a notebook (its own, or another): say what to do instead. */
function notebookImport(specifier: string, file: string): string | undefined {
  const path = specifier.replace(/[?#].*$/, "");
  if (!/\.md$/i.test(path)) return undefined;
  const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  if (name(path) === name(file)) {
    return `this cell imports its own notebook (\`${specifier}\`): cells of one notebook already see each other's top-level names, so use them directly`;
  }
  return `cannot import the notebook \`${specifier}\`: a notebook is not a module; move the shared code into cells/ and import it as \`../cells/<name>.js\``;
}
