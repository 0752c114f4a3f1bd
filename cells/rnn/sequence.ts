// The lesson's sequence task: a noisy periodic signal s(0), s(1), … and, for each time t, the
// window of the W values before it as input and s(t) as the target ("predict the next value").
// Seeded, so a run can be repeated; split in time (train on the past, test on what follows).
import {mulberry32} from "../data/random.js";

export type Signal = "sine" | "two sines";
export const SIGNALS: readonly Signal[] = ["sine", "two sines"];

export interface SignalOptions {
  signal?: Signal;
  /** Standard deviation of the Gaussian noise added to every value. */
  noise?: number;
  /** Length of the whole series (train stretch first, then test). */
  length?: number;
  /** Steps per period of the (first) sine. */
  period?: number;
  seed?: number;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12), v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The clean signal at time t (amplitude about 1). */
export function clean(signal: Signal, t: number, period = 25): number {
  const phase = (2 * Math.PI * t) / period;
  return signal === "sine" ? Math.sin(phase) : 0.7 * Math.sin(phase) + 0.5 * Math.sin(2.7 * phase + 1);
}

/** s(t) = clean(t) + σ·ε(t), ε ~ N(0, 1). */
export function noisySeries({signal = "sine", noise = 0.1, length = 600, period = 25, seed = 1}: SignalOptions = {}): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({length}, (_, t) => clean(signal, t, period) + noise * gaussian(random));
}

export interface WindowSet {
  /** The whole series the windows come from. */
  series: Float32Array;
  /** Window length W: each sample is [W, 1], as a simpleRNN's inputShape. */
  window: number;
  x: Float32Array;
  y: Float32Array;
  xShape: number[];
  yShape: number[];
  testX: Float32Array;
  testY: Float32Array;
  /** Time index of each test target in `series` (consecutive). */
  testTimes: number[];
  /** MSE on the test targets of always predicting the training targets' mean. */
  meanBaseline: number;
  /** The noise variance σ²: no predictor of the noisy next value can beat it on average. */
  noiseFloor: number;
  kind: "inline";
}

/** Windows of length W ending before each target; targets before `split` train, the rest test. */
export function windows(series: Float32Array, window: number, split: number, noise: number): WindowSet {
  const make = (from: number, to: number) => {
    const count = Math.max(0, to - from);
    const x = new Float32Array(count * window), y = new Float32Array(count);
    for (let k = 0; k < count; k++) {
      const t = from + k;
      x.set(series.subarray(t - window, t), k * window);
      y[k] = series[t]!;
    }
    return {x, y, count};
  };
  const train = make(window, split), test = make(Math.max(split, window), series.length);
  const mean = train.y.reduce((a, b) => a + b, 0) / train.count;
  const meanBaseline = test.y.reduce((a, b) => a + (b - mean) ** 2, 0) / test.count;
  const testTimes = Array.from({length: test.count}, (_, k) => Math.max(split, window) + k);
  return {
    kind: "inline", series, window,
    x: train.x, y: train.y, xShape: [window, 1], yShape: [1],
    testX: test.x, testY: test.y, testTimes, meanBaseline, noiseFloor: noise * noise
  };
}

/** The lesson's data set: 600 values, the first 450 for training, the last 150 for testing. */
export function sequenceTask({window = 20, ...options}: SignalOptions & {window?: number} = {}): WindowSet {
  const length = options.length ?? 600;
  const series = noisySeries({...options, length});
  return windows(series, window, Math.round(length * 0.75), options.noise ?? 0.1);
}

/** Mean squared error of predictions against targets. */
export function mse(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < targets.length; i++) s += (predictions[i]! - targets[i]!) ** 2;
  return s / targets.length;
}
