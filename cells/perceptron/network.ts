// A small fully (or sparsely) connected network as plain data, and its forward pass in tfjs.
// Weights are stored [input][output], as tf.layers.dense stores its kernel, so x · W + b is one matMul.
import {tf} from "../tf/tfjs.js";
import {mulberry32} from "../data/random.js";
import {activationOf, type ActivationName} from "./activation.js";

export interface Layer {
  /** weights[i][j]: from input i to neuron j. */
  weights: number[][];
  /** One bias per neuron. */
  biases: number[];
  activation: ActivationName;
  /** mask[i][j] = 0 removes the connection i → j (a sparsely connected layer); absent: all present. */
  mask?: number[][];
}

export type Network = Layer[];

/** Layer widths of a network, inputs first: [2, 2, 1] for the XOR network. */
export function sizesOf(network: Network): number[] {
  if (network.length === 0) throw new Error("A network needs at least one layer.");
  return [network[0]!.weights.length, ...network.map((layer) => layer.biases.length)];
}

/** A network with seeded Glorot-uniform weights and zero biases; masked connections start (and stay) at 0. */
export function initNetwork(sizes: number[], activations: ActivationName[], {seed = 1, masks}: {seed?: number; masks?: (number[][] | undefined)[]} = {}): Network {
  if (sizes.length < 2) throw new Error(`A network needs an input width and at least one layer, got [${sizes.join(", ")}].`);
  if (activations.length !== sizes.length - 1) throw new Error(`Give one activation per layer: ${sizes.length - 1} layers, ${activations.length} activations.`);
  const random = mulberry32(seed);
  return activations.map((activation, l) => {
    const fanIn = sizes[l]!, fanOut = sizes[l + 1]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const mask = masks?.[l];
    const weights = Array.from({length: fanIn}, (_, i) => Array.from({length: fanOut}, (_, j) => (mask && !mask[i]?.[j] ? 0 : (2 * random() - 1) * limit)));
    return {weights, biases: new Array(fanOut).fill(0), activation, ...(mask ? {mask} : {})};
  });
}

/** One neuron with two inputs: the lesson's perceptron. */
export function neuron(w1: number, w2: number, b: number, activation: ActivationName): Network {
  return [{weights: [[w1], [w2]], biases: [b], activation}];
}

/** The reference forward pass, one point at a time: a = f(Σ_i x_i w_ij + b_j), layer after layer. */
export function forwardPoint(network: Network, x: readonly number[]): number[] {
  let a = [...x];
  for (const layer of network) {
    const f = activationOf(layer.activation).f;
    a = layer.biases.map((b, j) => f(a.reduce((z, xi, i) => z + xi * effectiveWeight(layer, i, j), b)));
  }
  return a;
}

function effectiveWeight(layer: Layer, i: number, j: number): number {
  return layer.mask && !layer.mask[i]?.[j] ? 0 : layer.weights[i]![j]!;
}

/**
 * The forward pass on many points at once with tfjs: points is n × inputs, row-major.
 * Returns n × outputs values (row-major); every tensor made here is freed.
 */
export function forward(network: Network, points: ArrayLike<number>): Float32Array {
  const inputs = sizesOf(network)[0]!;
  if (points.length % inputs !== 0) throw new Error(`${points.length} numbers is not a whole number of ${inputs}-input points.`);
  return tf.tidy(() => {
    let a: tf.Tensor = tf.tensor2d(Float32Array.from(points), [points.length / inputs, inputs]);
    for (const layer of network) a = applyActivation(tf.matMul(a, kernelOf(layer)).add(tf.tensor1d(layer.biases)), layer.activation);
    return a.dataSync() as Float32Array;
  });
}

/** The layer's weights as a tensor, with removed connections zeroed. */
export function kernelOf(layer: Layer): tf.Tensor2D {
  const fanOut = layer.biases.length;
  return tf.tensor2d(layer.weights.flatMap((row, i) => row.map((_, j) => effectiveWeight(layer, i, j))), [layer.weights.length, fanOut]);
}

/** Number of weights (present connections) and biases. */
export function countParameters(network: Network): {weights: number; biases: number; total: number} {
  let weights = 0, biases = 0;
  for (const layer of network) {
    biases += layer.biases.length;
    layer.weights.forEach((row, i) => row.forEach((_, j) => (weights += layer.mask && !layer.mask[i]?.[j] ? 0 : 1)));
  }
  return {weights, biases, total: weights + biases};
}

/** The tfjs op for an activation (tf.step gives 1 for z > 0 and 0 otherwise, like the formula). */
export function applyActivation(z: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case "step": return tf.step(z);
    case "sigmoid": return tf.sigmoid(z);
    case "tanh": return tf.tanh(z);
    case "relu": return tf.relu(z);
    case "linear": return z;
  }
}
