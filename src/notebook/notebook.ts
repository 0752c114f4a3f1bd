import {splitFrontMatter, validateFrontMatter, type FrontMatter} from "./frontmatter.js";
import {parseMarkdown, renderMarkdown, type Heading, type RenderEnv, type LinkUse, type Anchor} from "./markdown.js";
import {cellPosition, type CellSource} from "./cells.js";
import {analyzeCell, CellCodeError, type CellAnalysis} from "./javascript/analyze.js";
import {transpileCell, type TranspiledCell} from "./javascript/transpile.js";
import {compileExercises, type CompiledExercise} from "./exercise.js";
import {BUILTINS, GLOBALS} from "./globals.js";
import {resolveNames, declarationProblem, type CellError} from "./names.js";
import {formatPosition, sortDiagnostics, type Diagnostic} from "./diagnostic.js";

export type {CellError};

/** One cell of a compiled notebook: where it is, how it shows, and what runs (or why not). */
export interface CompiledCell {
  id: string;
  source: CellSource;
  /** Present when the cell runs (`run=false` cells and broken cells have none). */
  runnable?: TranspiledCell;
  /** Names the cell declares even when broken, so dependents can say what they wait on. */
  outputs: string[];
  error?: CellError;
}

export interface CompiledNotebook {
  file: string;
  frontMatter: FrontMatter;
  title: string;
  headings: Heading[];
  /** Links as written, with positions, and the element ids headings and raw HTML give the page. */
  links: LinkUse[];
  anchors: Anchor[];
  cells: CompiledCell[];
  exercises: CompiledExercise[];
  diagnostics: Diagnostic[];
  /** HTML per step: call `render` to get it with the page's own link rewriting. */
  render(env: Omit<RenderEnv, "renderCell"> & {renderCell(cell: CompiledCell): string}): string[];
}

export interface CompileOptions {
  /** The path printed in messages, e.g. `notebooks/perceptron.md`. */
  file: string;
  /** Lessons need `order`, `summary`, `objectives`, `references` in their front matter. */
  lesson: boolean;
  /** Says whether an import specifier can be bundled; returns an error message if not. */
  resolveImport?(specifier: string): string | undefined;
}

/** Parses, analyzes and transpiles one notebook. Pure: the build and the browser share it. */
export function compileNotebook(source: string, options: CompileOptions): CompiledNotebook {
  const {file} = options;
  const diagnostics: Diagnostic[] = [];
  const report = (line: number, column: number, message: string, cell?: string, severity: "error" | "warning" = "error") =>
    diagnostics.push({file, line, column, severity, message, cell});

  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const front = splitFrontMatter(text);
  for (const p of front.problems) report(p.line, p.column, p.message);
  if (!front.problems.length) for (const p of validateFrontMatter(front.data, text, options)) report(p.line, p.column, p.message);
  const parsed = parseMarkdown(front.body);
  for (const p of parsed.problems) report(p.line, p.column, p.message, undefined, p.severity);

  // Analyze each cell on its own.
  type Work = {source: CellSource; analysis?: CellAnalysis; error?: CellError};
  const work: Work[] = parsed.cells.map((source) => {
    const w: Work = {source};
    const fail = (message: string, offset: number) => (w.error = {message, ...cellPosition(source, offset)});
    if (source.inlineError) fail(source.inlineError.message, source.inlineError.offset);
    else if (source.run) {
      try {
        w.analysis = analyzeCell(source.code, {inline: source.inline});
      } catch (error) {
        if (!(error instanceof CellCodeError)) throw error;
        fail(error.message, error.offset);
      }
    }
    return w;
  });

  // Ids: `id=` when given, else the first declared name, else cell-<n>; unique within the page.
  const taken = new Map<string, Work>();
  const ids = work.map((w) => {
    const explicit = w.source.explicitId;
    if (explicit) {
      const other = taken.get(explicit);
      if (other?.source.explicitId === explicit) {
        report(w.source.fenceLine, w.source.fenceColumn, `id=${explicit} is already used by the cell at ${formatPosition({file, line: other.source.fenceLine, column: other.source.fenceColumn})}; ids must be unique in a notebook`);
      }
      taken.set(explicit, w);
    }
    return explicit;
  });
  work.forEach((w, i) => {
    if (ids[i]) return;
    let id = w.analysis?.declarations[0]?.name ?? `cell-${w.source.index}`;
    for (let n = 2; taken.has(id); ++n) id = `${w.analysis?.declarations[0]?.name ?? `cell-${w.source.index}`}-${n}`;
    taken.set(id, w);
    ids[i] = id;
  });

  // Who defines what; a name defined twice is an error at the second definition.
  const definedBy = new Map<string, {w: Work; line: number; column: number}>();
  work.forEach((w) => {
    if (!w.analysis || w.error) return;
    for (const d of w.analysis.declarations) {
      const pos = cellPosition(w.source, d.start);
      const first = definedBy.get(d.name);
      const problem = declarationProblem(d.name, file, first && first.w !== w ? first : undefined);
      if (problem) w.error ??= {message: problem, ...pos};
      else if (!first) definedBy.set(d.name, {w, ...pos});
    }
  });
  // A broken cell's names stay owned by it, so its dependents report it rather than "not defined".
  for (const w of work) if (w.error && w.analysis) for (const d of w.analysis.declarations) if (!definedBy.has(d.name)) definedBy.set(d.name, {w, ...cellPosition(w.source, d.start)});

  // References: inputs, assignments to other cells' names, unknown names, unresolvable imports.
  const known = [...definedBy.keys(), ...BUILTINS, ...GLOBALS];
  const inputsOf = new Map<Work, string[]>();
  for (const w of work) {
    if (!w.analysis) continue;
    const {inputs, error} = resolveNames(w.source, w.analysis, {
      file,
      definerOf: (name) => definedBy.get(name),
      known: () => known,
      resolveImport: options.resolveImport
    });
    if (error) w.error ??= error;
    inputsOf.set(w, inputs);
  }

  // Circular definitions, found over the cell graph.
  for (const cycle of findCycles(work, (w) => (inputsOf.get(w) ?? []).map((n) => definedBy.get(n)?.w).filter((x): x is Work => !!x))) {
    cycle.forEach((w, i) => {
      const names = [...cycle.slice(i), ...cycle.slice(0, i), w].map((c) => c.analysis!.declarations[0]?.name ?? ids[work.indexOf(c)]);
      const next = cycle[(i + 1) % cycle.length];
      const ref = w.analysis!.references.find((r) => definedBy.get(r.name)?.w === next)!;
      w.error ??= {message: `circular definition: ${names.join(" → ")}; a cell cannot depend on itself, even through others`, ...cellPosition(w.source, ref.start)};
    });
  }

  const cells: CompiledCell[] = work.map((w, i) => {
    const id = ids[i]!;
    const outputs = w.analysis ? [...new Set(w.analysis.declarations.map((d) => d.name))] : [];
    if (w.error) {
      report(w.error.line, w.error.column, w.error.message, id);
      return {id, source: w.source, outputs, error: w.error};
    }
    if (!w.analysis) return {id, source: w.source, outputs};
    const runnable = transpileCell(w.source.code, w.analysis, {id, inputs: inputsOf.get(w) ?? [], inline: w.source.inline});
    return {id, source: w.source, outputs, runnable};
  });

  const {exercises, problems} = compileExercises(cells, parsed.parts);
  for (const p of problems) report(p.line, p.column, p.message);

  const byCell = new Map(cells.map((c) => [c.source, c]));
  return {
    file,
    frontMatter: front.data,
    title: typeof front.data.title === "string" ? front.data.title : "Untitled",
    headings: parsed.headings,
    links: parsed.links,
    anchors: parsed.anchors,
    cells,
    exercises,
    diagnostics: sortDiagnostics(diagnostics),
    render: (env) => renderMarkdown(parsed, {...env, renderCell: (source) => env.renderCell(byCell.get(source)!)})
  };
}

/** Strongly connected groups of more than one cell (Tarjan), each in dependency order. */
function findCycles<T>(nodes: T[], edges: (node: T) => T[]): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const cycles: T[][] = [];
  let counter = 0;
  const visit = (v: T) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: T[] = [];
      let w: T;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(followEdges(group, edges));
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return cycles;
}

/** Orders a cycle's members so each depends on the next, for a readable "a → b → a". */
function followEdges<T>(group: T[], edges: (node: T) => T[]): T[] {
  const members = new Set(group);
  const path: T[] = [group[group.length - 1]];
  for (;;) {
    const next = edges(path[path.length - 1]).find((n) => members.has(n) && !path.includes(n));
    if (next === undefined) return path;
    path.push(next);
  }
}
