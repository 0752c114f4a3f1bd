// Runs a student's code for a cell: compiled in the page with the build's own notebook compiler,
// then put in the runtime in place of the cell, so its names are redefined and its dependents re-run.
// Replacing a cell disposes the old one: its generators are returned and its `invalidation`
// resolves, so a training loop that depended on it stops before the new code starts.
import {Parser} from "acorn";
import {simple} from "acorn-walk";
import {compileEditedCell} from "../../notebook/edit.js";
import {acornOptions} from "../../notebook/javascript/parse.js";
import {builtinMembers, PARTIAL_BUILTINS, type PartialBuiltin} from "../../notebook/javascript/builtin-members.js";
import type {CellError} from "../../notebook/names.js";
import type {LecternHandle} from "../main.js";
import type {CellDefinition} from "../cell.js";

/** The instructor's version of a cell, kept from the first time the student touched it. */
export interface Original {
  definition: CellDefinition;
  code: string;
}

const originals = new Map<string, Original>();

/** The instructor's code and definition for a cell (read from the page before any edit). */
export function originalOf(handle: LecternHandle, id: string): Original | undefined {
  let original = originals.get(id);
  if (original) return original;
  const definition = handle.cells.get(id)?.definition;
  const root = document.querySelector<HTMLElement>(`[data-cell="${CSS.escape(id)}"]`);
  const code = root?.querySelector(":scope > .cell-source code, :scope > .cell-code code")?.textContent;
  if (!definition || !("body" in definition) || code == null) return undefined;
  originals.set(id, (original = {definition, code}));
  return original;
}

/** Where an error sits within the cell (1-based), from its position in the .md file. */
export function positionInCell(definition: CellDefinition, error: {line: number; column: number}): {line: number; column: number} {
  const line = error.line - definition.line + 1;
  return {line, column: line === 1 ? error.column - definition.column + 1 : error.column - (definition.indent ?? 0)};
}

/** Compiles `code` for cell `id` and swaps it into the runtime; a compile error shows in place instead. */
export function runEditedCode(handle: LecternHandle, id: string, code: string): {error?: CellError; outputs: string[]} {
  const original = originalOf(handle, id)!;
  const {definition} = original;
  const available = Object.keys(handle.modules);
  const others = [...handle.cells].filter(([other]) => other !== id).map(([other, {definition: d}]) => ({id: other, outputs: d.outputs, line: d.line, column: d.column}));
  const result = compileEditedCell(code, {
    file: handle.file,
    id,
    line: definition.line,
    column: definition.column,
    indent: definition.indent ?? 0,
    others,
    resolveImport: (specifier) => specifier in handle.modules ? undefined
      : `cannot import \`${specifier}\` here: an edited cell can import only what this page already bundles (${available.map((s) => `\`${s}\``).join(", ") || "nothing"}); \`Plot\` and \`Inputs\` are built in, use them by name`
  });
  const previous = handle.cells.get(id);
  previous?.defined.dispose();
  handle.cells.delete(id);
  if (result.error || !result.runnable) {
    const error = result.error!;
    const at = positionInCell(definition, error);
    // Keep the old names owned by this cell, so dependents say they wait on it rather than "not defined".
    const outputs = [...new Set([...result.outputs, ...definition.outputs])];
    handle.defineBroken({id, outputs, message: `${error.message} (line ${at.line}, column ${at.column} of this cell)`, line: error.line, column: error.column});
    return {error, outputs};
  }
  const r = result.runnable;
  const inputs = r.inputs.map((name) => (name in PARTIAL_BUILTINS ? builtinFor(handle, name as PartialBuiltin, builtinMembers(r.body, name as PartialBuiltin)) : name));
  handle.define({id, inputs, outputs: r.outputs, autodisplay: r.autodisplay, inline: false, line: definition.line, column: definition.column, indent: definition.indent, body: evaluate(r.body, (specifier) => load(handle, specifier))});
  return {outputs: r.outputs};
}

/** Puts the instructor's version back. */
export function restoreOriginal(handle: LecternHandle, id: string): void {
  const original = originals.get(id);
  if (!original) return;
  handle.cells.get(id)?.defined.dispose();
  handle.cells.delete(id);
  handle.define(original.definition);
}

declare const LECTERN_ASSETS: Record<string, string> | undefined;
const builtinsDefined = new WeakMap<LecternHandle, Set<string>>();

/**
 * The variable an edited cell reads as `Plot` (or `Inputs`): the built-in when it has every member
 * the cell names, else the whole package (the build's own bundle of it; a published page's built-in
 * holds only what the lesson's cells use). `members` null: the cell uses the built-in as a whole.
 */
function builtinFor(handle: LecternHandle, name: PartialBuiltin, members: string[] | null): string {
  const variable = members ? `${name} with ${members.join(", ")}` : `${name}, all of it`;
  const defined = builtinsDefined.get(handle) ?? builtinsDefined.set(handle, new Set()).get(handle)!;
  if (!defined.has(variable)) {
    defined.add(variable);
    const whole = typeof LECTERN_ASSETS === "undefined" ? undefined : LECTERN_ASSETS[PARTIAL_BUILTINS[name].asset];
    handle.main.variable().define(variable, [name], (builtin: Record<string, unknown>) =>
      members?.every((m) => m in builtin) || !whole ? builtin : import(/* @vite-ignore */ new URL(whole, import.meta.url).href));
  }
  return variable;
}

function load(handle: LecternHandle, specifier: string): Promise<unknown> {
  const module = handle.modules[specifier];
  if (!module) return Promise.reject(new Error(`cannot import \`${specifier}\` here: this page bundles ${Object.keys(handle.modules).join(", ")}`));
  return module();
}

/** Turns a transpiled body into a function; its `import()` calls go to the page's own modules. */
function evaluate(body: string, importModule: (specifier: string) => Promise<unknown>): (...args: unknown[]) => unknown {
  const tree = Parser.parseExpressionAt(body, 0, acornOptions);
  const starts: number[] = [];
  simple(tree, {ImportExpression: (node) => void starts.push(node.start)});
  let source = body;
  for (const start of starts.sort((a, b) => b - a)) source = `${source.slice(0, start)}__import${source.slice(start + "import".length)}`;
  return new Function("__import", `"use strict";\nreturn (${source});`)(importModule);
}
