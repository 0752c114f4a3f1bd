// Stochastic gradient descent for the lesson's small networks (one neuron, 2-2-1, with masks).
// A plain async generator: plain data in, plain snapshots out, every tensor freed, stops on abort.
import {tf} from "../tf/tfjs.js";
import {mulberry32, permutation} from "../data/random.js";
import {sizesOf, type Network} from "./network.js";
import type {PlaneData} from "./data.js";

export interface TrainOptions {
  /** Starting weights (not changed: snapshots carry copies). The last layer must have one neuron. */
  network: Network;
  data: PlaneData;
  learningRate?: number;
  epochs?: number;
  batchSize?: number;
  /** Seeds the order points are visited in, so a run can be repeated exactly. */
  seed?: number;
  signal?: AbortSignal;
}

export interface TrainSnapshot {
  /** Passes over the data so far (0: before the first step). */
  epoch: number;
  /** Mean logistic loss over all points after this epoch. */
  loss: number;
  /** Share of points on the right side of the output neuron's boundary (z > 0 means class 1). */
  accuracy: number;
  /** The network with the weights learned so far. */
  network: Network;
}

/**
 * Fits the network's output to 0/1 labels with plain SGD on the logistic loss
 * −[y log σ(z) + (1 − y) log(1 − σ(z))], z being the output neuron's weighted sum w·a + b.
 * (A step activation has zero gradient, so the loss is taken on z, as for logistic regression;
 * the boundary z = 0 is the same whatever f the page draws.) Yields a snapshot per epoch.
 */
export async function* trainNetwork(options: TrainOptions): AsyncGenerator<TrainSnapshot, void, unknown> {
  const {network, data, learningRate = 0.1, epochs = 50, batchSize = 10, seed = 1, signal} = options;
  const sizes = sizesOf(network);
  if (sizes.at(-1) !== 1) throw new Error(`trainNetwork fits one output neuron; this network ends with ${sizes.at(-1)}.`);
  if (sizes[0] !== 2) throw new Error(`trainNetwork takes (x1, x2) points; this network has ${sizes[0]} inputs.`);
  const kernels = network.map((layer) => variableFrom(tf.tensor2d(layer.weights.flat(), [layer.weights.length, layer.biases.length])));
  const biases = network.map((layer) => variableFrom(tf.tensor1d(layer.biases)));
  const masks = network.map((layer) => (layer.mask ? tf.tensor2d(layer.mask.flat(), [layer.mask.length, layer.biases.length]) : null));
  const x = tf.tensor2d(data.points, [data.count, 2]);
  const y = tf.tensor2d(Float32Array.from(data.labels), [data.count, 1]);
  const optimizer = tf.train.sgd(learningRate);
  const random = mulberry32(seed);

  /** The output neuron's weighted sum z (the logit), for a batch. */
  const logits = (input: tf.Tensor2D): tf.Tensor2D => {
    let a: tf.Tensor2D = input;
    network.forEach((layer, l) => {
      const kernel = masks[l] ? kernels[l]!.mul(masks[l]!) : kernels[l]!;
      const z = a.matMul(kernel as tf.Tensor2D).add(biases[l]!) as tf.Tensor2D;
      a = l === network.length - 1 ? z : (hidden(z, layer.activation) as tf.Tensor2D);
    });
    return a;
  };
  const snapshot = (epoch: number): TrainSnapshot => {
    const [loss, right] = tf.tidy(() => {
      const z = logits(x);
      return [tf.losses.sigmoidCrossEntropy(y, z).dataSync()[0]!, z.greater(0).cast("float32").equal(y).sum().dataSync()[0]!];
    });
    const trained = network.map((layer, l) => {
      const w = kernels[l]!.dataSync(), fanOut = layer.biases.length;
      return {...layer, weights: layer.weights.map((row, i) => row.map((_, j) => w[i * fanOut + j]!)), biases: Array.from(biases[l]!.dataSync())};
    });
    return {epoch, loss, accuracy: right / data.count, network: trained};
  };

  try {
    yield snapshot(0);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (signal?.aborted) return;
      const order = permutation(data.count, random);
      for (let start = 0; start < data.count; start += batchSize) {
        const batch = tf.tensor1d(Int32Array.from(order.subarray(start, start + batchSize)), "int32");
        optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y.gather(batch), logits(x.gather(batch))) as tf.Scalar);
        batch.dispose();
      }
      yield snapshot(epoch);
    }
  } finally {
    optimizer.dispose();
    tf.dispose([...kernels, ...biases, ...masks.filter((m): m is tf.Tensor2D => m !== null), x, y]);
  }
}

/** tf.variable keeps its initial tensor alive as a separate tensor: free it. */
function variableFrom<R extends tf.Rank>(initial: tf.Tensor<R>): tf.Variable<R> {
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

function hidden(z: tf.Tensor, activation: Network[number]["activation"]): tf.Tensor {
  switch (activation) {
    case "sigmoid": return tf.sigmoid(z);
    case "tanh": return tf.tanh(z);
    case "relu": return tf.relu(z);
    case "linear": return z;
    case "step": throw new Error("A hidden step activation has no gradient: SGD cannot train it. Use sigmoid, tanh or ReLU.");
  }
}
