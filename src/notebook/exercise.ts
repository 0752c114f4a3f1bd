import {cellPosition, type CellSource, type ExercisePart} from "./cells.js";
import {parseCode, CellSyntaxError} from "./javascript/parse.js";
import {analyzeCell, CellCodeError} from "./javascript/analyze.js";
import {GLOBALS} from "./globals.js";
import type {Pattern} from "acorn";

/** An exercise as the page and the checker need it. */
export interface CompiledExercise {
  /** The exercise cell's id. */
  id: string;
  hints: ExercisePart[];
  solution?: ExercisePart;
  /** The check: a function expression's source, and the cell values it names. */
  check?: {part: ExercisePart; body: string; names: string[]};
}

export interface ExerciseProblem {
  line: number;
  column: number;
  message: string;
}

/** A part's code as a cell source, so positions are counted in the .md file. */
export function partSource(part: ExercisePart): CellSource {
  return {index: 0, code: part.code, inline: false, echo: "hidden", run: false, step: 0, line: part.line, column: part.column, indent: part.indent, fenceLine: part.fenceLine, fenceColumn: part.fenceColumn};
}

/**
 * Gathers each exercise's hints, solution and check, and says what is wrong with them: a part for
 * no exercise, a check that is not a function, or that names a value the exercise cell (or its
 * solution) does not define, or that uses a name a check cannot see.
 */
export function compileExercises(
  cells: {id: string; source: CellSource; outputs: string[]}[],
  parts: ExercisePart[]
): {exercises: CompiledExercise[]; problems: ExerciseProblem[]} {
  const problems: ExerciseProblem[] = [];
  const exercises = new Map<string, CompiledExercise & {outputs: string[]}>();
  for (const cell of cells) {
    if (!cell.source.exercise) continue;
    const at = {line: cell.source.fenceLine, column: cell.source.fenceColumn};
    if (!cell.source.explicitId) problems.push({...at, message: "an exercise needs a name for its hints, solution and check: add `id=<name>` to its fence"});
    else if (!cell.source.run) problems.push({...at, message: "an exercise must run (remove `run=false`): the student's code is checked by running it"});
    else exercises.set(cell.id, {id: cell.id, hints: [], outputs: cell.outputs});
  }
  const ids = () => [...exercises.keys()].map((id) => `\`${id}\``).join(", ") || "none";
  for (const part of parts) {
    const exercise = exercises.get(part.target);
    const at = {line: part.fenceLine, column: part.fenceColumn};
    if (!exercise) {
      problems.push({...at, message: `\`${part.kind}=${part.target}\` names no exercise (exercises in this notebook: ${ids()}); mark the cell with \`exercise id=${part.target}\``});
      continue;
    }
    if (part.kind === "hint") exercise.hints.push(part);
    else if (exercise[part.kind]) problems.push({...at, message: `exercise \`${part.target}\` already has a ${part.kind}; give it one`});
    else if (part.kind === "solution") exercise.solution = part;
    else {
      const check = compileCheck(part, exercise.outputs, problems);
      if (check) exercise.check = check;
    }
  }
  for (const exercise of exercises.values()) {
    if (!exercise.solution || !exercise.check) continue;
    try {
      const names = new Set(analyzeCell(exercise.solution.code).declarations.map((d) => d.name));
      const missing = exercise.check.names.find((n) => !names.has(n));
      if (missing) problems.push({...partPosition(exercise.solution), message: `the solution of \`${exercise.id}\` does not define \`${missing}\`, which its check uses`});
    } catch (error) {
      if (!(error instanceof CellCodeError)) throw error;
      problems.push({...cellPosition(partSource(exercise.solution), error.offset), message: `the solution of \`${exercise.id}\`: ${error.message}`});
    }
  }
  return {exercises: [...exercises.values()].map(({outputs: _, ...e}) => e), problems};
}

function partPosition(part: ExercisePart): {line: number; column: number} {
  return {line: part.line, column: part.column};
}

function compileCheck(part: ExercisePart, outputs: string[], problems: ExerciseProblem[]): CompiledExercise["check"] {
  const source = partSource(part);
  const fail = (offset: number, message: string) => void problems.push({...cellPosition(source, offset), message});
  let parsed;
  try {
    parsed = parseCode(part.code);
  } catch (error) {
    if (!(error instanceof CellSyntaxError)) throw error;
    return fail(error.offset, `check of \`${part.target}\`: ${error.message}`);
  }
  const fn = parsed.body;
  if (!parsed.expression || (fn.type !== "ArrowFunctionExpression" && fn.type !== "FunctionExpression")) {
    return fail(0, `a check is one function of the exercise cell's values, e.g. \`({${outputs[0] ?? "x"}}) => …\`, returning true, a message saying what is wrong, or {pass, message}`);
  }
  const names: string[] = [];
  const param = fn.params[0] as Pattern | undefined;
  if (param && param.type !== "ObjectPattern") {
    return fail(param.start, `a check takes the cell's values as one object: write \`({${outputs.join(", ") || "x"}}) => …\``);
  }
  for (const prop of param?.properties ?? []) {
    if (prop.type !== "Property" || prop.computed || (prop.key.type !== "Identifier" && prop.key.type !== "Literal")) return fail(prop.start, "a check names the cell's values plainly: `({a, b}) => …`");
    const name = prop.key.type === "Identifier" ? prop.key.name : String(prop.key.value);
    if (!outputs.includes(name)) {
      return fail(prop.key.start, `the check uses \`${name}\`, which the exercise cell \`${part.target}\` does not define (it defines ${outputs.map((o) => `\`${o}\``).join(", ") || "nothing"})`);
    }
    names.push(name);
  }
  // A check sees only the cell's values and JavaScript: no other cell's names, no built-ins.
  const analysis = analyzeCell(part.code);
  const stray = analysis.references.find((r) => !GLOBALS.has(r.name));
  if (stray) return fail(stray.start, `a check sees only the exercise cell's values and JavaScript's globals; \`${stray.name}\` is not one of them`);
  return {part, body: part.code.trim(), names};
}
