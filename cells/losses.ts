// The slides' loss / last-layer cheatsheet, corrected, and every loss on it written out as plain
// arithmetic with tfjs's own conventions (the same clipping, the same averaging), so a lesson can
// show a formula and a number that agree with what `model.compile({loss})` trains on.
// Nothing here imports tfjs: the unit tests check these numbers against tfjs's losses.

/** The losses of the cheatsheet, by their tfjs names (Keras spells them in snake_case). */
export type CheatsheetLoss =
  | "meanSquaredError" | "meanAbsoluteError" | "meanSquaredLogarithmicError"
  | "binaryCrossentropy" | "categoricalCrossentropy" | "kullbackLeiblerDivergence";
export type Task = "regression" | "binary" | "multiclass";
export type LastActivation = "linear" | "sigmoid" | "softmax";

export interface CheatsheetRow {
  loss: CheatsheetLoss;
  /** Keras's name for it, as `model.compile(loss=…)` takes it in Python. */
  keras: string;
  /** The loss in words. */
  title: string;
  /** The row's name as the slide printed it, when the slide misspelled it. */
  slideName?: string;
  goodFor: string;
  task: Task;
  activation: LastActivation;
  /** The slide's last-layer activation, when the slide got it wrong. */
  slideActivation?: LastActivation;
  size: "one node" | "N nodes";
  /** Per sample, in TeX: y is the target, p the prediction, over the n output nodes. */
  tex: string;
}

export const CHEATSHEET: readonly CheatsheetRow[] = [
  {loss: "meanSquaredError", keras: "mean_squared_error", title: "mean squared error", goodFor: "regression", task: "regression", activation: "linear", size: "one node",
    tex: String.raw`\tfrac1n\sum_j (p_j - y_j)^2`},
  {loss: "meanAbsoluteError", keras: "mean_absolute_error", title: "mean absolute error", goodFor: "regression", task: "regression", activation: "linear", size: "one node",
    tex: String.raw`\tfrac1n\sum_j |p_j - y_j|`},
  {loss: "meanSquaredLogarithmicError", keras: "mean_squared_logarithmic_error", title: "mean squared logarithmic error", slideName: "mean_squared_logarithmit_error",
    goodFor: "regression of positive targets that span decades", task: "regression", activation: "linear", size: "one node",
    tex: String.raw`\tfrac1n\sum_j \big(\ln(1 + p_j) - \ln(1 + y_j)\big)^2`},
  {loss: "binaryCrossentropy", keras: "binary_crossentropy", title: "binary cross-entropy", goodFor: "binary classification", task: "binary", activation: "sigmoid", size: "one node",
    tex: String.raw`-\big(y \ln p + (1 - y)\ln(1 - p)\big)`},
  {loss: "categoricalCrossentropy", keras: "categorical_crossentropy", title: "categorical cross-entropy", goodFor: "multiclass classification", task: "multiclass",
    activation: "softmax", slideActivation: "sigmoid", size: "N nodes", tex: String.raw`-\sum_j y_j \ln p_j`},
  {loss: "kullbackLeiblerDivergence", keras: "kullback_leibler_divergence", title: "Kullback–Leibler divergence", slideName: "Kullback_Divergence",
    goodFor: "multiclass classification with a probabilistic interpretation (targets are distributions)", task: "multiclass",
    activation: "softmax", slideActivation: "sigmoid", size: "N nodes", tex: String.raw`\sum_j y_j \ln \frac{y_j}{p_j}`}
];

export function cheatsheetRow(loss: CheatsheetLoss): CheatsheetRow {
  const row = CHEATSHEET.find((r) => r.loss === loss);
  if (!row) throw new Error(`"${loss}" is not on the cheatsheet (${CHEATSHEET.map((r) => r.loss).join(", ")}).`);
  return row;
}

/** The last-layer activation and loss the (corrected) cheatsheet recommends for a task. */
export function recommended(task: Task): {loss: CheatsheetLoss; activation: LastActivation} {
  const {loss, activation} = CHEATSHEET.find((r) => r.task === task)!;
  return {loss, activation};
}

/** tfjs's fuzz factor on the cpu and wasm backends (`tf.backend().epsilon()`); losses clip with it. */
export const EPSILON = 1e-7;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One sample's loss, exactly as tfjs-layers computes it (targets y, predictions p, same length). */
export function sampleLoss(loss: CheatsheetLoss, y: readonly number[], p: readonly number[]): number {
  if (y.length !== p.length || y.length === 0) throw new Error(`a target of ${y.length} values cannot be compared with a prediction of ${p.length}`);
  const pairs = y.map((t, j) => [t, p[j]!] as const);
  switch (loss) {
    case "meanSquaredError":
      return mean(pairs.map(([t, q]) => (q - t) ** 2));
    case "meanAbsoluteError":
      return mean(pairs.map(([t, q]) => Math.abs(q - t)));
    case "meanSquaredLogarithmicError":
      return mean(pairs.map(([t, q]) => (Math.log1p(Math.max(q, EPSILON)) - Math.log1p(Math.max(t, EPSILON))) ** 2));
    case "binaryCrossentropy":
      return mean(pairs.map(([t, q]) => {
        const c = clip(q, EPSILON, 1 - EPSILON);
        return -(t * Math.log(c) + (1 - t) * Math.log(1 - c));
      }));
    case "categoricalCrossentropy": {
      // tfjs (like Keras) first rescales the outputs to sum to 1: a sigmoid layer is silently renormalised.
      const total = sum([...p]);
      return -sum(pairs.map(([t, q]) => t * Math.log(clip(q / total, EPSILON, 1 - EPSILON))));
    }
    case "kullbackLeiblerDivergence":
      // No renormalisation here: outputs that do not sum to 1 (a sigmoid layer) can drive this below 0.
      return sum(pairs.map(([t, q]) => t * Math.log(clip(t, EPSILON, 1) / clip(q, EPSILON, 1))));
  }
}

/** The batch loss `fit` reports: the mean of the per-sample losses. */
export function batchLoss(loss: CheatsheetLoss, ys: readonly (readonly number[])[], ps: readonly (readonly number[])[]): number {
  if (ys.length !== ps.length || ys.length === 0) throw new Error(`${ys.length} targets cannot be compared with ${ps.length} predictions`);
  return mean(ys.map((y, i) => sampleLoss(loss, y, ps[i]!)));
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * dL/dz for one sigmoid output p = σ(z) with target y: how hard the loss pulls on the logit.
 * tfjs's MSE is (p − y)², so its pull is 2(p − y)·p(1 − p); binary cross-entropy's is (p − y).
 * When the output is confidently wrong (p near 0 or 1, far from y) the factor p(1 − p) makes
 * MSE's pull vanish while cross-entropy's stays near ±1.
 */
export function sigmoidLogitGradient(loss: "meanSquaredError" | "meanAbsoluteError" | "binaryCrossentropy", z: number, y: number): number {
  const p = sigmoid(z);
  switch (loss) {
    case "binaryCrossentropy": return p - y;
    case "meanSquaredError": return 2 * (p - y) * p * (1 - p);
    case "meanAbsoluteError": return Math.sign(p - y) * p * (1 - p);
  }
}

/** MAE's pull on the logit as a fraction of cross-entropy's: p(1 − p) / |p − y|. */
export const maeToBceGradientRatio = (p: number, y: number) => (p * (1 - p)) / Math.abs(p - y);

/** Softmax of a vector of logits, shifted by the largest for stability: e^{z_j} / Σ_k e^{z_k}. */
export function softmax(z: readonly number[]): number[] {
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** MSE's pull on the logit as a fraction of cross-entropy's: 2p(1 − p), at most ½. */
export const mseToBceGradientRatio = (p: number) => 2 * p * (1 - p);
