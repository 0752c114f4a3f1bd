// Matrix shapes as the lesson writes them ("1x3 · 3x5 · 5x2"), and what a chain of products gives,
// or exactly where and why it does not line up.

/** rows × columns. */
export type Shape = [rows: number, cols: number];

export const formatShape = ([r, c]: Shape) => `${r}x${c}`;

/** Reads "3x5", "3 × 5" or "3*5". */
export function parseShape(text: string): Shape {
  const m = /^\s*(\d+)\s*[x×X*]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`"${text.trim()}" is not a matrix shape: write rows x columns, e.g. 3x5.`);
  const shape: Shape = [Number(m[1]), Number(m[2])];
  if (shape[0] < 1 || shape[1] < 1) throw new Error(`"${text.trim()}": a matrix needs at least 1 row and 1 column.`);
  return shape;
}

/** Reads a product written with ·, @ or spaces between shapes: "1x3 · 3x5 · 5x2". */
export function parseChain(text: string): Shape[] {
  const parts = text.split(/\s*(?:·|⋅|@|\u00b7|\s)\s*/).filter((p) => p.trim() !== "");
  if (parts.length === 0) throw new Error("Write at least one matrix shape, e.g. 1x3 · 3x5 · 5x2.");
  return parts.map(parseShape);
}

export interface ChainStep {
  /** The product so far (or the first matrix) and the next matrix. */
  left: Shape;
  right: Shape;
  out: Shape;
}

export type ChainResult =
  | {ok: true; shapes: Shape[]; steps: ChainStep[]; result: Shape}
  | {ok: false; shapes: Shape[]; steps: ChainStep[]; /** Index of the matrix that does not fit. */ at: number; message: string};

/**
 * Multiplies shapes left to right: (r × k) · (k × c) = r × c. When the columns of the product so
 * far differ from the rows of the next matrix, says which numbers clash and how to fix them.
 */
export function chainShapes(shapes: Shape[]): ChainResult {
  if (shapes.length === 0) throw new Error("A chain needs at least one matrix.");
  const steps: ChainStep[] = [];
  let left = shapes[0]!;
  for (let i = 1; i < shapes.length; i++) {
    const right = shapes[i]!;
    if (left[1] !== right[0]) {
      const soFar = i === 1 ? `${formatShape(left)} (matrix 1)` : `${formatShape(left)} (the product of matrices 1–${i})`;
      const message =
        `Shapes don't line up at matrix ${i + 1}: ${soFar} has ${left[1]} column${left[1] === 1 ? "" : "s"}, ` +
        `but ${formatShape(right)} (matrix ${i + 1}) has ${right[0]} row${right[0] === 1 ? "" : "s"}. ` +
        `In A · B the columns of A must equal the rows of B: make matrix ${i + 1} ${left[1]}x${right[1]}, ` +
        `or change ${i === 1 ? "matrix 1" : `matrix ${i}`} to end in ${right[0]} columns.`;
      return {ok: false, shapes, steps, at: i, message};
    }
    const out: Shape = [left[0], right[1]];
    steps.push({left, right, out});
    left = out;
  }
  return {ok: true, shapes, steps, result: left};
}

/** The shapes one forward pass goes through for a batch of `batch` samples: X, then per layer W and b. */
export function layerShapes(widths: number[], batch = 1): {input: Shape; layers: {kernel: Shape; bias: Shape; out: Shape}[]} {
  checkWidths(widths);
  return {
    input: [batch, widths[0]!],
    layers: widths.slice(1).map((units, l) => ({kernel: [widths[l]!, units] as Shape, bias: [1, units] as Shape, out: [batch, units] as Shape}))
  };
}

/** Layer widths from text: "3, 5, 2" or "3-5-2" or "784 128 10". */
export function parseWidths(text: string): number[] {
  const parts = text.split(/[\s,\-–→>]+/).filter(Boolean);
  const widths = parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1) throw new Error(`"${p}" is not a layer width: each width is a whole number ≥ 1 (e.g. 3, 5, 2).`);
    return n;
  });
  checkWidths(widths);
  return widths;
}

export function checkWidths(widths: number[]): void {
  if (widths.length < 2) throw new Error(`A network needs an input width and at least one layer: got ${widths.length ? `only ${widths[0]}` : "nothing"}. Write e.g. 3, 5, 2.`);
  if (widths.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`Layer widths must be whole numbers ≥ 1, got ${widths.join(", ")}.`);
}
