// When MAE or MSLE beats MSE: two regression data sets made to tell the three losses apart, and
// the two errors that show it. The cheatsheet's clean curve cannot: it has no outliers and spans
// one decade, so MSE, MAE and MSLE fit it alike.
import {mulberry32, subSeed} from "../data/random.js";
import {taskNet, type TaskData} from "./tasks.js";
import type {CurveRun} from "./curves.js";
import type {CheatsheetLoss} from "../losses.js";

export type RobustCase = "outliers" | "decades";
export const ROBUST_CASES: readonly RobustCase[] = ["outliers", "decades"];

/** The share of training targets that the outlier case replaces with a gross error. */
export const OUTLIER_SHARE = 0.1;
/** How far those targets are pushed (all upward, so they pull a squared-error fit up). */
export const OUTLIER_OFFSET = 6;

/**
 * outliers: the cheatsheet's curve y = 1 + 0.8 sin(3x) + noise, with 10 % of the training targets
 * pushed up by 6 (a sensor glitch, a typo); the held-out points are clean.
 * decades: y = 10^(1.5 + 1.5x) on [−1, 1], from 1 to 1,000, with ±10 % multiplicative noise in
 * training; held out without noise.
 */
export function robustData(which: RobustCase, {train = 300, test = 300, seed = 5}: {train?: number; test?: number; seed?: number} = {}): TaskData {
  const random = mulberry32(subSeed(seed, ROBUST_CASES.indexOf(which)));
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const curve = (x: number) => (which === "outliers" ? 1 + 0.8 * Math.sin(3 * x) : 10 ** (1.5 + 1.5 * x));
  const draw = (n: number, noisy: boolean) => {
    const x = Float32Array.from({length: n}, () => 2 * random() - 1);
    const y = Float32Array.from(x, (v) => {
      if (!noisy) return curve(v);
      if (which === "decades") return curve(v) * Math.exp(0.1 * normal());
      const glitch = random() < OUTLIER_SHARE;
      return curve(v) + 0.05 * normal() + (glitch ? OUTLIER_OFFSET : 0);
    });
    return {x, y};
  };
  const fitSet = draw(train, true), heldOut = draw(test, false);
  return {kind: "inline", task: "regression", outputs: 1, x: fitSet.x, y: fitSet.y, xShape: [1], yShape: [1], testX: heldOut.x, testY: heldOut.y};
}

export interface RobustScore {
  /** Root-mean-square error on the clean held-out points: what MSE minimises. */
  rmse: number;
  /** Median absolute error: how far a typical point is, whatever a few far ones do. */
  medianError: number;
  /** Mean |ln((1 + p)/(1 + y))|: the error in ratio, what MSLE minimises. */
  logError: number;
}

export function robustScore(data: Pick<TaskData, "testY">, predictions: Float32Array): RobustScore {
  const n = data.testY.length;
  let se = 0, le = 0;
  const abs: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = predictions[i]!, y = data.testY[i]!;
    se += (p - y) ** 2;
    abs.push(Math.abs(p - y));
    le += Math.abs(Math.log1p(Math.max(p, -0.999)) - Math.log1p(y));
  }
  abs.sort((a, b) => a - b);
  const median = n % 2 ? abs[(n - 1) / 2]! : (abs[n / 2 - 1]! + abs[n / 2]!) / 2;
  return {rmse: Math.sqrt(se / n), medianError: median, logError: le / n};
}

/** The losses each case compares: MSE against the one made for that data. */
export const ROBUST_LOSSES = {outliers: ["meanSquaredError", "meanAbsoluteError"], decades: ["meanSquaredError", "meanSquaredLogarithmicError"]} as const;

/**
 * The cheatsheet's 1-16-16-1 network with a linear output, trained on one case. Targets up to
 * 1,000 need larger steps and more of them than the curve's (Adam 0.05 for 80 epochs, not 0.01
 * for 40); both losses of a case get the same settings.
 */
export function robustRun(which: RobustCase, loss: CheatsheetLoss, {seed = 1}: {seed?: number} = {}): CurveRun & {data: TaskData} {
  const data = robustData(which);
  const model = taskNet(data, {activation: "linear", loss});
  const decades = which === "decades";
  model.compile({optimizer: "adam", loss, learningRate: decades ? 0.05 : 0.01});
  return {model, data, batchSize: 32, epochs: decades ? 80 : 40, seed};
}
