// The vanilla RNN of lessons 9 and 10 in plain arithmetic, h(t) = f(Whh h(t−1) + Wxh x(t) + b):
// its weights, its forward pass and the product of Jacobians that carries the gradient back. No
// tfjs here, so the pages that only draw or step the recurrence do not fetch it (the tfjs versions,
// which the tests hold equal to these, are in ./gradients.ts and ./unrolled.ts).
import {mulberry32} from "../data/random.js";

export type Activation = "tanh" | "relu" | "linear";
export const ACTIVATIONS: readonly Activation[] = ["tanh", "relu", "linear"];

export interface RnnWeights {
  /** Hidden size n, input size m, sequence length T. */
  n: number; m: number; T: number;
  /** n×n recurrent weights, row-major: a(t) = Whh h(t−1) + Wxh x(t) + b. */
  whh: Float64Array;
  /** n×m input weights, row-major. */
  wxh: Float64Array;
  b: Float64Array;
  /** The readout: the last output y(T) = Why·h(T) is the loss L. */
  why: Float64Array;
  /** T×m inputs, row-major. */
  xs: Float64Array;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12), v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A random n×n orthogonal matrix (Gram–Schmidt on Gaussian columns), row-major. */
export function orthogonal(n: number, random: () => number): Float64Array {
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = Float64Array.from({length: n}, () => gaussian(random));
    for (const q of cols) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i] = v[i]! - dot * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
    cols.push(v);
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = cols[j]![i]!;
  return out;
}

/**
 * Whh = ρ·Q with Q orthogonal: every eigenvalue has modulus ρ (the spectral radius) and every
 * singular value is ρ, so with a linear activation ‖∂L/∂h(T−k)‖ = ρᵏ·‖Why‖ exactly.
 * Inputs x(t) ~ N(0, 1) through Wxh ~ N(0, inputScale²/m) keep the tanh units busy, as data would.
 */
export function rnnWeights({n = 32, m = 4, T = 50, rho = 0.9, inputScale = 1, seed = 1}: {n?: number; m?: number; T?: number; rho?: number; inputScale?: number; seed?: number} = {}): RnnWeights {
  const random = mulberry32(seed);
  const whh = orthogonal(n, random).map((w) => rho * w);
  const wxh = Float64Array.from({length: n * m}, () => gaussian(random) * inputScale / Math.sqrt(m));
  const b = new Float64Array(n);
  const why = Float64Array.from({length: n}, () => gaussian(random) / Math.sqrt(n));
  const xs = Float64Array.from({length: T * m}, () => gaussian(random));
  return {n, m, T, whh, wxh, b, why, xs};
}

const F: Record<Activation, (a: number) => number> = {tanh: Math.tanh, relu: (a) => Math.max(0, a), linear: (a) => a};
const DF: Record<Activation, (a: number) => number> = {
  tanh: (a) => 1 - Math.tanh(a) ** 2, relu: (a) => (a > 0 ? 1 : 0), linear: () => 1
};

/** The pre-activations a(1..T) of the forward pass, in plain arithmetic, h(0) = 0. */
export function preActivations(w: RnnWeights, activation: Activation): Float64Array[] {
  const {n, m, T} = w;
  let h = new Float64Array(n);
  const out: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = w.b[i]!;
      for (let j = 0; j < n; j++) s += w.whh[i * n + j]! * h[j]!;
      for (let j = 0; j < m; j++) s += w.wxh[i * m + j]! * w.xs[t * m + j]!;
      a[i] = s;
    }
    out.push(a);
    h = a.map(F[activation]);
  }
  return out;
}

/**
 * ‖∂L/∂h(T−k)‖ for k = 0…T−1 as the product of Jacobians: ∂h(t)/∂h(t−1) = diag(f′(a(t)))·Whh, so
 * ∂L/∂h(t−1) = Whhᵀ·diag(f′(a(t)))·∂L/∂h(t), starting from ∂L/∂h(T) = Why.
 */
export function jacobianNorms(w: RnnWeights, activation: Activation): number[] {
  const {n, T} = w;
  const pre = preActivations(w, activation);
  let g = Float64Array.from(w.why);
  const norms = [Math.hypot(...g)];
  for (let t = T - 1; t >= 1; t--) {
    const d = pre[t]!.map(DF[activation]);
    const next = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += w.whh[i * n + j]! * d[i]! * g[i]!;
      next[j] = s;
    }
    g = next;
    norms.push(Math.hypot(...g));
  }
  return norms;
}

export interface Unrolled {
  /** h(1), …, h(T), each n numbers (h(0) = 0 is not listed). */
  states: number[][];
  /** y(t) = Why·h(t) + c for t = 1…T. */
  outputs: number[];
}

/** The recurrence, one step at a time, in plain float64 arithmetic (reuses lesson 10's loop). */
export function stepByStep(w: RnnWeights, activation: Activation = "tanh", outputBias = 0): Unrolled {
  const states = preActivations(w, activation).map((a) => Array.from(a, F[activation]));
  const outputs = states.map((h) => h.reduce((s, v, i) => s + w.why[i]! * v, outputBias));
  return {states, outputs};
}

/** Parameters of the simplest RNN: Wxh (n·m) + Whh (n·n) + b (n) + Why (k·n) + c (k). No T anywhere. */
export function rnnParams(units: number, inputs: number, outputs = 1): number {
  return units * inputs + units * units + units + outputs * units + outputs;
}
