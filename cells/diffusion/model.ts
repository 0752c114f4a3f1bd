// Lesson 8's denoising diffusion model (Ho, Jain & Abbeel 2020) as a lesson-defined training step
// (../train/step.ts). The noise predictor ε_θ(x_t, t) is an MLP: [x_t (2), embedding of t (16)] →
// 128 → 128 → 128 (ReLU) → 2. Training (Algorithm 1): t ~ U{1…T}, ε ~ N(0, I),
// x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, loss = ‖ε − ε_θ(x_t, t)‖² averaged over the batch.
// Sampling (Algorithm 2): x_T ~ N(0, I), then x_{t−1} = 1/√α_t (x_t − β_t/√(1 − ᾱ_t) ε_θ) + σ_t z.
import type {tf as TF} from "../tf/tfjs.js";
import type {LessonStep, StepExtras} from "../train/step.js";
import {slicedWasserstein, ringModes} from "./distance.js";
import {linearSchedule, reverseCoefficients, SCHEDULE_DEFAULTS, type Schedule} from "./schedule.js";

type Tf = typeof TF;

export interface DiffusionConfig {
  T?: number;
  betaStart?: number;
  betaEnd?: number;
  hidden?: number;
  /** Sine/cosine pairs in the embedding of t. */
  frequencies?: number;
  learningRate?: number;
  /** Points drawn by each sampling (and compared with as many held-out data points). */
  samples?: number;
  /** Seconds of wall time between two samplings while training (each runs all T reverse steps). */
  sampleEvery?: number;
  /** Keep x_t for the page's animation every this many reverse steps. */
  frameEvery?: number;
  /** Count the ring's modes (the data is the ring of 8 Gaussians). */
  ring?: boolean;
}

export const DIFFUSION_DEFAULTS: Required<DiffusionConfig> = {...SCHEDULE_DEFAULTS, hidden: 128, frequencies: 8, learningRate: 1e-3, samples: 500, sampleEvery: 10, frameEvery: 10, ring: false};

export interface DenoiserWeights {
  /** First layer split in two: x_t's rows and the time embedding's rows of one [2 + 2K, H] kernel. */
  w1x: TF.Variable; w1t: TF.Variable; b1: TF.Variable;
  w2: TF.Variable; b2: TF.Variable;
  w3: TF.Variable; b3: TF.Variable;
  w4: TF.Variable; b4: TF.Variable;
}

/** Sinusoidal embedding of the timestep (as in the Transformer and in DDPM):
 *  [sin(t ω_k), cos(t ω_k)] for ω_k = 1000^(−k/K), k = 0…K−1. One row per t. */
export function timeEmbedding(tf: Tf, t: TF.Tensor1D, frequencies: number): TF.Tensor2D {
  const omega = Array.from({length: frequencies}, (_, k) => Math.pow(1000, -k / frequencies));
  const angles = tf.mul(tf.reshape(tf.cast(t, "float32"), [-1, 1]), tf.tensor2d([omega]));
  return tf.concat([tf.sin(angles), tf.cos(angles)], 1) as TF.Tensor2D;
}

/** Glorot-uniform kernels, zero biases, and a zero last layer: the untrained model predicts ε = 0. */
export function initDenoiser(tf: Tf, c: Required<DiffusionConfig>, seed: number): DenoiserWeights {
  let k = 0;
  const variable = (initial: TF.Tensor) => {
    const v = tf.variable(initial, true);
    initial.dispose();
    return v;
  };
  const kernel = (inputs: number, outputs: number, fanIn = inputs) => {
    const limit = Math.sqrt(6 / (fanIn + outputs));
    return variable(tf.randomUniform([inputs, outputs], -limit, limit, "float32", seed * 101 + ++k));
  };
  const H = c.hidden, E = 2 * c.frequencies;
  return {
    w1x: kernel(2, H, 2 + E), w1t: kernel(E, H, 2 + E), b1: variable(tf.zeros([H])),
    w2: kernel(H, H), b2: variable(tf.zeros([H])),
    w3: kernel(H, H), b3: variable(tf.zeros([H])),
    w4: variable(tf.zeros([H, 2])), b4: variable(tf.zeros([2]))
  };
}

/** ε_θ(x_t, t): x_t is [n, 2], the embedding [n, 2K] or one row [1, 2K] shared by all points. */
export function predictNoise(tf: Tf, w: DenoiserWeights, xt: TF.Tensor2D, embedding: TF.Tensor2D): TF.Tensor2D {
  const dense = (h: TF.Tensor2D, k: TF.Variable, b: TF.Variable) => tf.add(tf.matMul(h, k as TF.Tensor2D), b) as TF.Tensor2D;
  let h = tf.relu(tf.add(tf.add(tf.matMul(xt, w.w1x as TF.Tensor2D), tf.matMul(embedding, w.w1t as TF.Tensor2D)), w.b1)) as TF.Tensor2D;
  h = tf.relu(dense(h, w.w2, w.b2)) as TF.Tensor2D;
  h = tf.relu(dense(h, w.w3, w.b3)) as TF.Tensor2D;
  return dense(h, w.w4, w.b4);
}

/** q(x_t | x_0) in one line: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (ᾱ given per row, shape [n, 1]). */
export function forwardNoise(tf: Tf, x0: TF.Tensor2D, alphaBar: TF.Tensor2D, eps: TF.Tensor2D): TF.Tensor2D {
  return tf.add(tf.mul(tf.sqrt(alphaBar), x0), tf.mul(tf.sqrt(tf.sub(1, alphaBar)), eps)) as TF.Tensor2D;
}

/** The training loss: ‖ε − ε_θ(x_t, t)‖² summed over the 2 coordinates, averaged over the batch. */
export function noiseLoss(tf: Tf, eps: TF.Tensor2D, predicted: TF.Tensor2D): TF.Scalar {
  return tf.mean(tf.sum(tf.square(tf.sub(eps, predicted)), 1)) as TF.Scalar;
}

/** One DDPM reverse step: x_{t−1} = 1/√α_t (x_t − β_t/√(1 − ᾱ_t) ε_θ) + σ_t z, σ_t = √β_t (0 at t = 1). */
export function reverseStep(tf: Tf, s: Schedule, t: number, xt: TF.Tensor2D, epsPredicted: TF.Tensor2D, z: TF.Tensor2D): TF.Tensor2D {
  const {scale, epsScale, sigma} = reverseCoefficients(s, t);
  const mean = tf.mul(scale, tf.sub(xt, tf.mul(epsScale, epsPredicted)));
  return (sigma > 0 ? tf.add(mean, tf.mul(sigma, z)) : mean) as TF.Tensor2D;
}

export interface Sampling {
  /** x_0 for every point, flat [x, y, …]. */
  samples: Float32Array;
  /** x_t at t = T, T − frameEvery, …, 0, one block of `count` points each. */
  frames: Float32Array;
  frameT: Int32Array;
}

/** Algorithm 2 of Ho et al. for `count` points: x_T ~ N(0, I), then all T reverse steps with
 *  seeded noise z, keeping x_t every frameEvery steps for the page's animation. */
export function sample(tf: Tf, w: DenoiserWeights, s: Schedule, c: Required<DiffusionConfig>, count: number, seed: number): Sampling {
  const frameTs: number[] = [];
  const frames: Float32Array[] = [];
  const keepFrame = (t: number, x: TF.Tensor) => {
    frameTs.push(t);
    frames.push((x.dataSync() as Float32Array).slice());
  };
  let x = tf.randomNormal([count, 2], 0, 1, "float32", seed) as TF.Tensor2D;
  keepFrame(s.T, x);
  for (let t = s.T; t >= 1; t--) {
    const next = tf.tidy(() => {
      const epsPredicted = predictNoise(tf, w, x, timeEmbedding(tf, tf.tensor1d([t]), c.frequencies));
      const z = tf.randomNormal([count, 2], 0, 1, "float32", seed * 7919 + t) as TF.Tensor2D;
      return reverseStep(tf, s, t, x, epsPredicted, z);
    });
    x.dispose();
    x = next;
    if ((t - 1) % c.frameEvery === 0) keepFrame(t - 1, x);
  }
  const samples = (x.dataSync() as Float32Array).slice();
  x.dispose();
  const all = new Float32Array(frames.length * count * 2);
  frames.forEach((f, i) => all.set(f, i * count * 2));
  return {samples, frames: all, frameT: Int32Array.from(frameTs)};
}

export const diffusionStep: LessonStep<DiffusionConfig> = {
  init({config, seed, data, tf}) {
    const c: Required<DiffusionConfig> = {...DIFFUSION_DEFAULTS, ...config};
    if (data.xShape.length !== 1 || data.xShape[0] !== 2) throw new Error(`The diffusion model learns points in the plane; the data gives samples of shape [${data.xShape}].`);
    const s = linearSchedule(c.T, c.betaStart, c.betaEnd);
    const w = initDenoiser(tf, c, seed);
    const variables = Object.values(w) as TF.Variable[];
    const optimizer = tf.train.adam(c.learningRate);
    const alphaBars = tf.tensor1d(Float32Array.from(s.alphaBar));
    // The reference set for the distance: held-out data points, as many as samples drawn.
    const reference = data.testX ? (data.testX.dataSync() as Float32Array).slice(0, 2 * c.samples) : (data.x.dataSync() as Float32Array).slice(0, 2 * c.samples);
    const count = reference.length / 2;
    const measure = (samples: Float32Array) => ({distance: slicedWasserstein(samples, reference), ...(c.ring ? ringScores(samples) : {})});
    const ringScores = (samples: Float32Array) => {
      const m = ringModes(samples);
      return {modesCovered: m.covered, within3sigma: m.within};
    };
    // Baselines, once: the untrained model (seeded like every sampling), and a fresh data set
    // from the same distribution (the floor: finite samples never score 0).
    const began = performance.now();
    const untrained = sample(tf, w, s, c, count, seed + 17);
    const untrainedMs = performance.now() - began;
    const untrainedScores = measure(untrained.samples);
    const trainRows = (data.x.dataSync() as Float32Array).slice(0, 2 * count);
    const floor = trainRows.length === reference.length ? slicedWasserstein(trainRows, reference) : NaN;
    const noiseDistance = slicedWasserstein(untrained.frames.subarray(0, 2 * count), reference); // x_T ~ N(0, I) itself
    let latest: (Sampling & {step: number; ms: number; scores: Record<string, number>}) | undefined;
    let lastSampled = performance.now();
    let stepsTaken = 0, samplings = 0;

    return {
      params: variables.reduce((n, v) => n + v.size, 0),
      step({x, step}) {
        stepsTaken = step + 1;
        const x0 = x as TF.Tensor2D, n = x0.shape[0];
        const t = tf.randomUniform([n], 1, c.T + 1, "int32", seed * 1_000_003 + 2 * step + 1) as TF.Tensor1D;
        const eps = tf.randomNormal([n, 2], 0, 1, "float32", seed * 1_000_003 + 2 * step + 2) as TF.Tensor2D;
        const alphaBar = tf.reshape(tf.gather(alphaBars, tf.sub(t, tf.scalar(1, "int32"))), [n, 1]) as TF.Tensor2D;
        const xt = forwardNoise(tf, x0, alphaBar, eps);
        const embedding = timeEmbedding(tf, t, c.frequencies);
        return {loss: optimizer.minimize(() => noiseLoss(tf, eps, predictNoise(tf, w, xt, embedding)), true, variables)!};
      },
      snapshot(): StepExtras {
        const extras: StepExtras = {untrainedDistance: untrainedScores.distance, noiseDistance, dataFloor: floor, untrainedMs};
        if (c.ring) Object.assign(extras, {untrainedModes: untrainedScores.modesCovered ?? 0});
        extras.untrainedSamples = untrained.samples;
        // A fresh sampling every few seconds of training (all T steps: a few seconds of the worker).
        if (stepsTaken > 0 && performance.now() - lastSampled >= c.sampleEvery * 1000 && latest?.step !== stepsTaken) {
          const t0 = performance.now();
          const result = sample(tf, w, s, c, count, seed + 17 + ++samplings);
          latest = {...result, step: stepsTaken, ms: performance.now() - t0, scores: measure(result.samples)};
          lastSampled = performance.now();
        }
        // Every snapshot carries the newest sampling (the page may skip snapshots); sampledAt = 0
        // means the untrained model's.
        const shown = latest ?? {...untrained, step: 0, ms: untrainedMs, scores: untrainedScores};
        Object.assign(extras, {samples: shown.samples, frames: shown.frames, frameT: shown.frameT, sampledAt: shown.step, sampleMs: shown.ms, ...shown.scores});
        return extras;
      },
      dispose() {
        optimizer.dispose();
        tf.dispose(variables);
        alphaBars.dispose();
      }
    };
  }
};
