import type {CellSource} from "./cells.js";
import {analyzeCell, CellCodeError, type CellAnalysis} from "./javascript/analyze.js";
import {transpileCell, type TranspiledCell} from "./javascript/transpile.js";
import {BUILTINS, GLOBALS} from "./globals.js";
import {cellPosition} from "./cells.js";
import {resolveNames, declarationProblem, type CellError, type Definer} from "./names.js";

/** Another cell of the page, as the editor sees it: the names it defines and where. */
export interface PageCell {
  id: string;
  outputs: readonly string[];
  line: number;
  column: number;
}

export interface EditedCellOptions {
  file: string;
  id: string;
  /** Where the cell's code starts in the .md file, and its fence's indentation. */
  line: number;
  column: number;
  indent: number;
  /** Every other cell on the page. */
  others: readonly PageCell[];
  resolveImport?(specifier: string): string | undefined;
}

export interface EditedCell {
  runnable?: TranspiledCell;
  outputs: string[];
  error?: CellError;
}

/**
 * Compiles a student's new code for one cell against the rest of the page, with the same analysis,
 * name rules and transpiler as the build; positions are in the .md file, as the cell's were.
 */
export function compileEditedCell(code: string, options: EditedCellOptions): EditedCell {
  const {file, id} = options;
  const source: CellSource = {
    index: 0, code, inline: false, echo: "shown", run: true, step: 0,
    line: options.line, column: options.column, indent: options.indent, fenceLine: options.line - 1, fenceColumn: options.indent + 1
  };
  let analysis: CellAnalysis;
  try {
    analysis = analyzeCell(code);
  } catch (error) {
    if (!(error instanceof CellCodeError)) throw error;
    return {outputs: [], error: {message: error.message, ...cellPosition(source, error.offset)}};
  }
  const outputs = [...new Set(analysis.declarations.map((d) => d.name))];
  const definers = new Map<string, Definer>();
  for (const other of options.others) for (const name of other.outputs) if (!definers.has(name)) definers.set(name, other);
  for (const d of analysis.declarations) {
    const problem = declarationProblem(d.name, file, definers.get(d.name));
    if (problem) return {outputs, error: {message: problem, ...cellPosition(source, d.start)}};
  }
  const known = [...definers.keys(), ...BUILTINS, ...GLOBALS];
  const {inputs, error} = resolveNames(source, analysis, {file, definerOf: (name) => definers.get(name), known: () => known, resolveImport: options.resolveImport});
  if (error) return {outputs, error};
  return {outputs, runnable: transpileCell(code, analysis, {id, inputs})};
}
