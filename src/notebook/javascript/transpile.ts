import type {Program} from "acorn";
import type {CellAnalysis} from "./analyze.js";

/** A cell ready for the runtime: data, not code to eval; `body` is a function's source. */
export interface TranspiledCell {
  id: string;
  /** Names the body takes, in order: other cells' outputs and built-ins. */
  inputs: string[];
  /** Names the cell declares, which other cells may use. */
  outputs: string[];
  /** An arrow function's source: `(a, b) => { …; return {x}; }`, or `(a) => (expr)`. */
  body: string;
  /** An expression cell: its value is displayed. */
  autodisplay: boolean;
  inline: boolean;
  /** Module specifiers the cell imports (static or `import()`). */
  imports: string[];
}

/**
 * Turns an analyzed cell into runtime data. Static imports become `await import()` so a page only
 * loads a module when a cell that needs it runs; top-level declarations are returned as outputs.
 */
export function transpileCell(
  code: string,
  analysis: CellAnalysis,
  {id, inputs, inline = false}: {id: string; inputs: string[]; inline?: boolean}
): TranspiledCell {
  const outputs = [...new Set(analysis.declarations.map((d) => d.name))];
  let source = code;
  if (!analysis.expression) {
    const edits: {start: number; end: number; text: string}[] = [];
    for (const node of (analysis.body as Program).body) {
      if (node.type !== "ImportDeclaration") continue;
      const specifier = JSON.stringify(String(node.source.value));
      const names: string[] = [];
      let namespace: string | undefined;
      for (const s of node.specifiers) {
        if (s.type === "ImportNamespaceSpecifier") namespace = s.local.name;
        else if (s.type === "ImportDefaultSpecifier") names.push(`default: ${s.local.name}`);
        else {
          const imported = s.imported.type === "Identifier" ? s.imported.name : JSON.stringify(s.imported.value);
          names.push(imported === s.local.name ? imported : `${imported}: ${s.local.name}`);
        }
      }
      const load = `await import(${specifier})`;
      const text = [
        namespace ? `const ${namespace} = ${load};` : "",
        names.length ? `const {${names.join(", ")}} = ${namespace ?? load};` : "",
        !namespace && !names.length ? `${load};` : ""
      ].filter(Boolean).join(" ");
      edits.push({start: node.start, end: node.end, text});
    }
    for (const {start, end, text} of edits.reverse()) source = source.slice(0, start) + text + source.slice(end);
  }
  const params = `(${inputs.join(", ")})`;
  const prefix = analysis.async ? "async " : "";
  const body = analysis.expression
    ? `${prefix}${params} => (\n${source}\n)`
    : `${prefix}${params} => {\n${source}\n${outputs.length ? `return {${outputs.join(", ")}};\n` : ""}}`;
  return {id, inputs, outputs, body, autodisplay: analysis.expression, inline, imports: [...new Set(analysis.imports.map((i) => i.source))]};
}
