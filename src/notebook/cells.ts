/** How a cell's source is shown: expanded (`echo`), folded under "Code" (default), or never (`echo=false`). */
export type Echo = "shown" | "collapsed" | "hidden";

/** A cell as written in the Markdown, before its code is analyzed. */
export interface CellSource {
  /** 1-based, in document order over block and inline cells. */
  index: number;
  code: string;
  inline: boolean;
  /** `id=` from the fence, when given. */
  explicitId?: string;
  echo: Echo;
  run: boolean;
  /** The step (0-based) the cell sits in; `---` starts a new one. */
  step: number;
  /** Where the code starts in the .md file (1-based). */
  line: number;
  column: number;
  /** Columns to add to every code line after the first (a fence's indentation). */
  indent: number;
  /** Where the fence or `${` starts, for messages about the cell as a whole. */
  fenceLine: number;
  fenceColumn: number;
  /** `exercise`: the student works in this cell, with the hints, solution and check that name its id. */
  exercise?: boolean;
  /** A `${…}` that could not be read, with the offset of the problem in `code`. */
  inlineError?: {message: string; offset: number};
}

/** Fence attributes: `js id=w echo run=false` → {id: "w", echo: true, run: false}. */
export function parseFenceInfo(info: string): {lang: string; attributes: Map<string, string | true>; bad: string[]} {
  const [lang = "", ...rest] = info.trim().split(/\s+/);
  const attributes = new Map<string, string | true>();
  const bad: string[] = [];
  for (const part of rest) {
    const m = /^([A-Za-z][\w-]*)(?:=(.*))?$/.exec(part);
    if (!m) bad.push(part);
    else attributes.set(m[1], m[2] === undefined ? true : m[2].replace(/^["']|["']$/g, ""));
  }
  return {lang, attributes, bad};
}

/** The 1-based line and column in the .md file of an offset in a cell's code. */
export function cellPosition(cell: CellSource, offset: number): {line: number; column: number} {
  const before = cell.code.slice(0, Math.max(0, Math.min(offset, cell.code.length)));
  const newlines = before.split("\n").length - 1;
  if (newlines === 0) return {line: cell.line, column: cell.column + before.length};
  return {line: cell.line + newlines, column: cell.indent + before.length - before.lastIndexOf("\n")};
}

/** A fence that belongs to an exercise rather than being a cell: `hint=<id>`, `solution=<id>`, `check=<id>`. */
export interface ExercisePart {
  kind: "hint" | "solution" | "check";
  /** The exercise cell's `id=`. */
  target: string;
  code: string;
  /** Where the code starts in the .md file (1-based), its indentation, and where the fence starts. */
  line: number;
  column: number;
  indent: number;
  fenceLine: number;
  fenceColumn: number;
}

export const EXERCISE_PARTS = ["hint", "solution", "check"] as const;
