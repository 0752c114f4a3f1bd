// One forward pass through a dense network, computed two ways that must agree: as an explicit
// chain of tf.matMul (x · W + b, then f, layer after layer) and by tf.layers.dense in a
// tf.sequential model holding the same weights. Also: why activations matter (a chain of matrix
// products with no activation in between collapses into a single matrix).
import {tf, tfl} from "../tf/tfjs.js";
import {mulberry32} from "../data/random.js";
import {checkWidths} from "./shapes.js";

export type DenseActivation = "linear" | "relu" | "sigmoid" | "tanh" | "softmax";

export interface DenseWeights {
  inputs: number;
  units: number;
  /** inputs × units, row-major: kernel[i * units + j] connects input i to unit j (tf.layers.dense's layout). */
  kernel: Float32Array;
  bias: Float32Array;
}

/** Seeded Glorot-uniform kernels and small random biases (non-zero, so a bias mistake shows). */
export function randomWeights(widths: number[], seed = 1): DenseWeights[] {
  checkWidths(widths);
  const random = mulberry32(seed);
  return widths.slice(1).map((units, l) => {
    const inputs = widths[l]!;
    const limit = Math.sqrt(6 / (inputs + units));
    return {
      inputs,
      units,
      kernel: Float32Array.from({length: inputs * units}, () => (2 * random() - 1) * limit),
      bias: Float32Array.from({length: units}, () => (2 * random() - 1) * 0.1)
    };
  });
}

function activate(z: tf.Tensor, activation: DenseActivation): tf.Tensor {
  switch (activation) {
    case "linear": return z;
    case "relu": return tf.relu(z);
    case "sigmoid": return tf.sigmoid(z);
    case "tanh": return tf.tanh(z);
    case "softmax": return tf.softmax(z);
  }
}

function checkInput(weights: DenseWeights[], x: ArrayLike<number>): number {
  const inputs = weights[0]!.inputs;
  if (x.length === 0 || x.length % inputs !== 0) throw new Error(`The input holds ${x.length} numbers; the first layer takes ${inputs} per sample.`);
  return x.length / inputs;
}

/** The forward pass as matrix products: a ← f(a · W + b) for each layer; x is batch × inputs, row-major. */
export function forwardByMatMul(weights: DenseWeights[], activations: DenseActivation[], x: ArrayLike<number>): Float32Array {
  const batch = checkInput(weights, x);
  return tf.tidy(() => {
    let a: tf.Tensor2D = tf.tensor2d(Float32Array.from(x), [batch, weights[0]!.inputs]);
    weights.forEach((w, l) => {
      const kernel = tf.tensor2d(w.kernel, [w.inputs, w.units]);
      const bias = tf.tensor1d(w.bias);
      a = activate(tf.matMul(a, kernel).add(bias), activations[l]!) as tf.Tensor2D;
    });
    return a.dataSync() as Float32Array;
  });
}

/** The same network as tfjs layers: tf.sequential of tf.layers.dense, holding these weights. */
export function denseModel(weights: DenseWeights[], activations: DenseActivation[]): tfl.Sequential {
  const model = tfl.sequential();
  weights.forEach((w, l) => {
    model.add(tfl.layers.dense({units: w.units, activation: activations[l], ...(l === 0 ? {inputShape: [w.inputs]} : {})}));
  });
  const values = weights.flatMap((w) => [tf.tensor2d(w.kernel, [w.inputs, w.units]), tf.tensor1d(w.bias)]);
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** model.predict on x (batch × inputs, row-major), tensors freed. */
export function forwardByLayers(model: tfl.LayersModel, x: ArrayLike<number>): Float32Array {
  const inputs = (model.inputs[0]!.shape as number[])[1]!;
  if (x.length === 0 || x.length % inputs !== 0) throw new Error(`The input holds ${x.length} numbers; the model takes ${inputs} per sample.`);
  return tf.tidy(() => (model.predict(tf.tensor2d(Float32Array.from(x), [x.length / inputs, inputs])) as tf.Tensor).dataSync() as Float32Array);
}

export interface ForwardComparison {
  byMatMul: Float32Array;
  byLayers: Float32Array;
  /** max |byMatMul − byLayers| over every output. */
  maxAbsDifference: number;
  /** The model's own count (model.countParams()). */
  countParams: number;
}

/** Both forward passes on the same weights and input; the model is built and freed here. */
export function compareForwards(weights: DenseWeights[], activations: DenseActivation[], x: ArrayLike<number>): ForwardComparison {
  const byMatMul = forwardByMatMul(weights, activations, x);
  const model = denseModel(weights, activations);
  try {
    const byLayers = forwardByLayers(model, x);
    let maxAbsDifference = 0;
    for (let i = 0; i < byMatMul.length; i++) maxAbsDifference = Math.max(maxAbsDifference, Math.abs(byMatMul[i]! - byLayers[i]!));
    return {byMatMul, byLayers, maxAbsDifference, countParams: model.countParams()};
  } finally {
    model.dispose();
  }
}

/**
 * Without activations, x·W₁ + b₁ then ·W₂ + b₂ … is one affine map x·W + b with W = W₁W₂…
 * and b = (…(b₁W₂ + b₂)W₃ + …): the whole network is one matrix and one bias.
 */
export function collapseLinear(weights: DenseWeights[]): DenseWeights {
  return tf.tidy(() => {
    let kernel = tf.tensor2d(weights[0]!.kernel, [weights[0]!.inputs, weights[0]!.units]);
    let bias = tf.tensor2d(weights[0]!.bias, [1, weights[0]!.units]);
    for (const w of weights.slice(1)) {
      const next = tf.tensor2d(w.kernel, [w.inputs, w.units]);
      kernel = tf.matMul(kernel, next);
      bias = tf.matMul(bias, next).add(tf.tensor1d(w.bias));
    }
    const last = weights.at(-1)!;
    return {inputs: weights[0]!.inputs, units: last.units, kernel: kernel.dataSync() as Float32Array, bias: bias.dataSync() as Float32Array};
  });
}

/** A seeded input batch in [−1, 1]. */
export function randomInput(batch: number, inputs: number, seed = 2): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({length: batch * inputs}, () => 2 * random() - 1);
}
