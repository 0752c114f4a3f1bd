import type {Node, Program, Expression} from "acorn";
import {simple} from "acorn-walk";
import {parseCode, CellSyntaxError} from "./parse.js";
import {findDeclarations, findReferences, type Reference} from "./scope.js";

/** A name with its offset range in the cell's code. */
export interface Span {
  name: string;
  start: number;
  end: number;
}

/** An `import` in a cell: which module, which names it binds, where. */
export interface ImportUse {
  source: string;
  start: number;
  end: number;
  /** `import {a as b}` → {imported: "a", local: "b"}; default → "default"; namespace → "*". */
  specifiers: {imported: string; local: string}[];
}

/** What a cell's code declares, references and imports: everything known without the notebook. */
export interface CellAnalysis {
  expression: boolean;
  /** True when the body uses `await` at its top level (so it runs as an async function). */
  async: boolean;
  declarations: Span[];
  references: Reference[];
  imports: ImportUse[];
  /** The parsed tree, for transpile. */
  body: Program | Expression;
}

/** A problem in one cell's code, with its offset in that code. */
export class CellCodeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "CellCodeError";
  }
}

/**
 * Analyzes one cell's code. Throws CellCodeError (with an offset) for a syntax error or a
 * construct cells do not allow (`export`, dynamic `import()` of a computed specifier).
 */
export function analyzeCell(code: string, {inline = false}: {inline?: boolean} = {}): CellAnalysis {
  let parsed;
  try {
    parsed = parseCode(code, {inline});
  } catch (error) {
    if (error instanceof CellSyntaxError) throw new CellCodeError(error.message, error.offset);
    throw error;
  }
  const {body, expression} = parsed;
  const declarations: Span[] = expression ? [] : findDeclarations(body as Program).map(({name, start, end}) => ({name, start, end}));
  const imports: ImportUse[] = [];
  // A static import (even a bare `import "x";`) becomes `await import(…)`, so its cell is async.
  let staticImport = false;
  if (!expression) {
    for (const node of (body as Program).body) {
      if (node.type === "ExportNamedDeclaration" || node.type === "ExportDefaultDeclaration" || node.type === "ExportAllDeclaration") {
        throw new CellCodeError("`export` is not used in cells: a cell's top-level declarations are already visible to every other cell", node.start);
      }
      if (node.type === "ImportDeclaration") {
        staticImport = true;
        imports.push({
          source: String(node.source.value),
          start: node.source.start,
          end: node.source.end,
          specifiers: node.specifiers.map((s) => ({
            imported: s.type === "ImportDefaultSpecifier" ? "default" : s.type === "ImportNamespaceSpecifier" ? "*" : s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value),
            local: s.local.name
          }))
        });
      }
    }
  }
  let dynamicImportError: CellCodeError | undefined;
  simple(body as Node, {
    ImportExpression(node: any) {
      if (node.source.type === "Literal" && typeof node.source.value === "string") {
        imports.push({source: node.source.value, start: node.source.start, end: node.source.end, specifiers: []});
      } else {
        dynamicImportError ??= new CellCodeError("import() needs a string literal, so the build can bundle what it loads", node.source.start);
      }
    }
  });
  if (dynamicImportError) throw dynamicImportError;
  return {
    expression,
    async: staticImport || hasTopLevelAwait(body as Node),
    declarations,
    references: findReferences(body as any),
    imports,
    body
  };
}

/** Whether `await` (or `for await`) occurs outside any nested function. */
function hasTopLevelAwait(root: Node): boolean {
  let found = false;
  const visit = (node: any): void => {
    if (found || !node || typeof node.type !== "string") return;
    if (node.type === "AwaitExpression" || (node.type === "ForOfStatement" && node.await)) {
      found = true;
      return;
    }
    if (node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") return;
    for (const key in node) {
      if (key === "loc") continue;
      const value = node[key];
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object" && typeof value.type === "string") visit(value);
    }
  };
  visit(root);
  return found;
}
