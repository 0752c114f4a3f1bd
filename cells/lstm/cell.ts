// Lesson 11's cells, written with tfjs ops so every gate is visible. Row vectors: a batch of
// states is B×n. The LSTM reads [x(t), h(t−1)] through ONE fused matMul into all four gates,
//   z = [x, h]·W + b  (W is (m + n)×4n, columns in the order i | f | g | o, as Keras stores them),
//   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o),  c = f ⊙ c(t−1) + i ⊙ g,  h = o ⊙ tanh(c);
// the vanilla RNN of lessons 9–10 is h = tanh([x, h]·W + b) with W (m + n)×n.
// Both end in a readout y = h(T)·Wy + by (logits over the classes).
import type {tf as TF} from "../tf/tfjs.js";
import {mulberry32} from "../data/random.js";
import {orthogonal} from "../rnn/recurrence.js";
import {fusedSequence} from "../tf/fused-sequence.js";

type Tf = typeof TF;

export interface CellSizes {
  /** Inputs per step m (one-hot symbols), hidden units n, output classes. */
  inputs: number;
  units: number;
  classes: number;
}

/** Plain weights, row-major, so the page can run the cell without tfjs and the worker can seed it. */
export interface CellWeights {
  kind: "lstm" | "rnn";
  sizes: CellSizes;
  /** (m + n)×4n for the LSTM, (m + n)×n for the RNN. */
  W: Float32Array;
  b: Float32Array;
  /** n×classes readout and its bias. */
  Wy: Float32Array;
  by: Float32Array;
}

/** Keras's defaults: Glorot-uniform input kernel, orthogonal recurrent kernel (one per gate),
 *  zero bias except the LSTM's forget gate, which starts at `forgetBias` (Keras: 1). */
export function initCell(kind: "lstm" | "rnn", sizes: CellSizes, {seed = 1, forgetBias = 1}: {seed?: number; forgetBias?: number} = {}): CellWeights {
  const {inputs: m, units: n, classes} = sizes;
  const random = mulberry32(seed * 7919 + (kind === "lstm" ? 1 : 2));
  const gates = kind === "lstm" ? 4 : 1, cols = gates * n;
  const W = new Float32Array((m + n) * cols);
  const limit = Math.sqrt(6 / (m + cols));
  for (let r = 0; r < m; r++) for (let c = 0; c < cols; c++) W[r * cols + c] = (2 * random() - 1) * limit;
  for (let g = 0; g < gates; g++) {
    const q = orthogonal(n, random);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) W[(m + r) * cols + g * n + c] = q[r * n + c]!;
  }
  const b = new Float32Array(cols);
  if (kind === "lstm") b.fill(forgetBias, n, 2 * n);
  const yLimit = Math.sqrt(6 / (n + classes));
  const Wy = Float32Array.from({length: n * classes}, () => (2 * random() - 1) * yLimit);
  return {kind, sizes, W, b, Wy, by: new Float32Array(classes)};
}

export interface LstmGates {
  i: TF.Tensor2D; f: TF.Tensor2D; g: TF.Tensor2D; o: TF.Tensor2D; c: TF.Tensor2D; h: TF.Tensor2D;
}

/** One LSTM step: one matMul for the four gates, then σ/tanh, the cell state and the output. */
export function lstmStep(tf: Tf, W: TF.Tensor2D, b: TF.Tensor1D, x: TF.Tensor2D, h: TF.Tensor2D, c: TF.Tensor2D): LstmGates {
  const z = tf.add(tf.matMul(tf.concat([x, h], 1), W), b) as TF.Tensor2D;   // B × 4n, all gates at once
  const [zi, zf, zg, zo] = tf.split(z, 4, 1) as TF.Tensor2D[];
  const i = tf.sigmoid(zi!), f = tf.sigmoid(zf!), g = tf.tanh(zg!), o = tf.sigmoid(zo!);
  const cNext = tf.add(tf.mul(f, c), tf.mul(i, g)) as TF.Tensor2D;         // forget some, write some
  const hNext = tf.mul(o, tf.tanh(cNext)) as TF.Tensor2D;                   // show some
  return {i, f, g, o, c: cNext, h: hNext};
}

/** One vanilla RNN step, the same fused form with one block: h = tanh([x, h]·W + b). */
export function rnnStep(tf: Tf, W: TF.Tensor2D, b: TF.Tensor1D, x: TF.Tensor2D, h: TF.Tensor2D): TF.Tensor2D {
  return tf.tanh(tf.add(tf.matMul(tf.concat([x, h], 1), W), b)) as TF.Tensor2D;
}

/** Tensors (variables when training) of a cell's weights. */
export interface CellTensors {
  kind: "lstm" | "rnn";
  W: TF.Tensor2D; b: TF.Tensor1D; Wy: TF.Tensor2D; by: TF.Tensor1D;
}

export function cellTensors(tf: Tf, w: CellWeights, trainable = false): CellTensors {
  const {inputs: m, units: n, classes} = w.sizes;
  const cols = w.W.length / (m + n);
  const make = <T extends TF.Tensor>(t: T): T => {
    if (!trainable) return t;
    const v = tf.variable(t, true) as unknown as T;
    t.dispose();
    return v;
  };
  return {
    kind: w.kind,
    W: make(tf.tensor2d(w.W, [m + n, cols])), b: make(tf.tensor1d(w.b)),
    Wy: make(tf.tensor2d(w.Wy, [n, classes])), by: make(tf.tensor1d(w.by))
  };
}

/** The final logits for a batch of sequences xs (B×T×m), running the cell over all T steps.
 *  `probe`, when given (T×B×n), is added to each h(t): ∂L/∂probe(t) = ∂L/∂h(t). Without one, on
 *  the wasm backend with Lectern's kernels, the T steps run as one fused kernel each way (the same
 *  math as lstmStep/rnnStep, ../tf/fused-sequence.ts); this loop is the reference and the path
 *  everywhere else. */
export function logits(tf: Tf, cell: CellTensors, xs: TF.Tensor3D, probe?: TF.Tensor3D): TF.Tensor2D {
  const fused = probe ? null : fusedSequence(cell.kind, xs, cell.W, cell.b);
  if (fused) return tf.add(tf.matMul(fused, cell.Wy), cell.by) as TF.Tensor2D;
  const [B, T] = xs.shape;
  const n = cell.Wy.shape[0];
  const steps = tf.unstack(xs, 1) as TF.Tensor2D[];
  const probes = probe ? (tf.unstack(probe, 0) as TF.Tensor2D[]) : undefined;
  let h = tf.zeros([B, n]) as TF.Tensor2D, c = h;
  for (let t = 0; t < T; t++) {
    if (cell.kind === "lstm") ({h, c} = lstmStep(tf, cell.W, cell.b, steps[t]!, h, c));
    else h = rnnStep(tf, cell.W, cell.b, steps[t]!, h);
    if (probes) h = tf.add(h, probes[t]!) as TF.Tensor2D;
  }
  return tf.add(tf.matMul(h, cell.Wy), cell.by) as TF.Tensor2D;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Every gate of every step for one sequence, in plain arithmetic (for the page's drawing).
 *  seq: T×m row-major. Returns per step arrays of n values each, and the final class probabilities. */
export function traceLstm(w: CellWeights, seq: Float32Array, T: number): {steps: {i: number[]; f: number[]; g: number[]; o: number[]; c: number[]; h: number[]}[]; probs: number[]} {
  const {inputs: m, units: n, classes} = w.sizes, cols = 4 * n;
  let h = new Array<number>(n).fill(0), c = new Array<number>(n).fill(0);
  const steps = [];
  for (let t = 0; t < T; t++) {
    const z = Array.from(w.b);
    for (let r = 0; r < m; r++) {
      const x = seq[t * m + r]!;
      if (x !== 0) for (let k = 0; k < cols; k++) z[k]! += x * w.W[r * cols + k]!;
    }
    for (let r = 0; r < n; r++) {
      const hr = h[r]!;
      if (hr !== 0) for (let k = 0; k < cols; k++) z[k]! += hr * w.W[(m + r) * cols + k]!;
    }
    const i = z.slice(0, n).map(sigmoid), f = z.slice(n, 2 * n).map(sigmoid);
    const g = z.slice(2 * n, 3 * n).map(Math.tanh), o = z.slice(3 * n).map(sigmoid);
    c = c.map((cv, k) => f[k]! * cv + i[k]! * g[k]!);
    h = c.map((cv, k) => o[k]! * Math.tanh(cv));
    steps.push({i, f, g, o, c, h});
  }
  const y = Array.from(w.by);
  for (let r = 0; r < n; r++) for (let k = 0; k < classes; k++) y[k]! += h[r]! * w.Wy[r * classes + k]!;
  const top = Math.max(...y), e = y.map((v) => Math.exp(v - top)), s = e.reduce((a, v) => a + v, 0);
  return {steps, probs: e.map((v) => v / s)};
}
