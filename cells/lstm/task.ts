// The long-memory task of lesson 11: "remember the first symbol". Each sequence opens with one of
// `symbols` message symbols (one-hot), then T − 1 steps of distraction: Gaussian noise of standard
// deviation `noise` on `distractors` other input channels. After the last step the network must
// name the opening symbol. Chance is 1 / symbols. The noise keeps a tanh RNN's units busy, as real
// data would, which is what makes its gradient vanish (lesson 10).
import {mulberry32} from "../data/random.js";

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12), v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface RecallTask {
  /** Sequence length T (the lag is T − 1 steps). */
  length: number;
  /** Message symbols (the classes); chance accuracy is 1 / symbols. */
  symbols: number;
  /** Noise channels, silent at step 1. */
  distractors: number;
  /** Standard deviation of the noise. */
  noise: number;
}

export const RECALL_DEFAULTS: RecallTask = {length: 40, symbols: 4, distractors: 4, noise: 1};

/** Inputs per step: one-hot message channels, then noise channels. */
export const recallInputs = (task: RecallTask) => task.symbols + task.distractors;

/** `count` sequences: x is count×T×m one-hot, y count×symbols one-hot, labels the answers. */
export function recallData(task: RecallTask, count: number, seed: number): {x: Float32Array; y: Float32Array; labels: Uint8Array} {
  const {length: T, symbols, distractors, noise} = task, m = recallInputs(task);
  const random = mulberry32(seed);
  const x = new Float32Array(count * T * m), y = new Float32Array(count * symbols), labels = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    const label = Math.floor(random() * symbols);
    labels[s] = label;
    y[s * symbols + label] = 1;
    x[s * T * m + label] = 1;
    for (let t = 1; t < T; t++) for (let d = 0; d < distractors; d++) x[(s * T + t) * m + symbols + d] = noise * gaussian(random);
  }
  return {x, y, labels};
}

/** One sequence the student builds: the opening symbol, then noise from a seeded stream. */
export function recallSequence(task: RecallTask, first: number, seed: number): Float32Array {
  const {length: T, symbols, distractors, noise} = task, m = recallInputs(task);
  const random = mulberry32(seed);
  const x = new Float32Array(T * m);
  x[first] = 1;
  for (let t = 1; t < T; t++) for (let d = 0; d < distractors; d++) x[t * m + symbols + d] = noise * gaussian(random);
  return x;
}
