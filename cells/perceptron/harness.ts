// The lesson's fully connected networks on the live-model harness (cells/train): a Network (plain
// weights, e.g. the sliders' w₁, w₂, b) becomes a tfjs topology with those weights, the harness
// trains it with SGD on the logistic loss (sigmoid output + binaryCrossentropy), and each epoch's
// snapshot carries the weights back (include.weights), read back into a Network.
import {train, type TrainerHost, type TrainingRun} from "../train/client.js";
import type {DataSpec, WeightValues} from "../train/protocol.js";
import type {ModelData} from "../train/spec.js";
import {sizesOf, type Network} from "./network.js";
import type {PlaneData} from "./data.js";
import type {TrainSnapshot} from "./train.js";

/**
 * A tf.sequential of dense layers, as the topology JSON tfjs's model.toJSON() writes, carrying the
 * network's weights: the start of training is exactly the given network. The output neuron is
 * always sigmoid (the loss is the logistic loss on its z, whatever f the page draws), compiled
 * as tfjs's `compile({optimizer: "sgd", loss: "binaryCrossentropy"})`.
 */
export function modelOf(network: Network, learningRate: number): ModelData {
  const sizes = sizesOf(network);
  if (sizes.at(-1) !== 1) throw new Error(`The lesson's trainer fits one output neuron; this network ends with ${sizes.at(-1)}.`);
  if (network.some((layer) => layer.mask)) throw new Error("The harness builds fully connected (dense) layers; a masked network trains with trainNetwork.");
  const layers = network.map((layer, l) => {
    const last = l === network.length - 1;
    if (!last && layer.activation === "step") throw new Error("A hidden step activation has no gradient: SGD cannot train it. Use sigmoid, tanh or ReLU.");
    return {
      class_name: "Dense",
      config: {
        name: `dense_${l + 1}`,
        units: layer.biases.length,
        activation: last ? "sigmoid" : layer.activation,
        use_bias: true,
        ...(l === 0 ? {batch_input_shape: [null, sizes[0]]} : {}),
        dtype: "float32",
        trainable: true
      }
    };
  });
  const weights = network.flatMap((layer) => [
    {shape: [layer.weights.length, layer.biases.length], values: Float32Array.from(layer.weights.flat())},
    {shape: [layer.biases.length], values: Float32Array.from(layer.biases)}
  ]);
  return {
    kind: "topology",
    topology: {class_name: "Sequential", config: {name: "perceptron", layers}},
    weights,
    compiled: {optimizer: "sgd", loss: "binaryCrossentropy", learningRate}
  };
}

/** Snapshot weights (kernel, bias per layer) as a Network shaped like `template`. */
export function networkFrom(weights: WeightValues[], template: Network): Network {
  if (weights.length !== 2 * template.length) throw new Error(`Expected ${2 * template.length} weight tensors, got ${weights.length}.`);
  return template.map((layer, l) => {
    const kernel = weights[2 * l]!.values, fanOut = layer.biases.length;
    return {...layer, weights: layer.weights.map((row, i) => row.map((_, j) => kernel[i * fanOut + j]!)), biases: Array.from(weights[2 * l + 1]!.values)};
  });
}

/** The points as the harness's inline data; the test set is the training set, so the harness
 *  computes the loss over all points at each epoch's end and sends a snapshot right then. */
export function planeSpec(data: PlaneData): DataSpec {
  const y = Float32Array.from(data.labels);
  return {kind: "inline", x: data.points, y, xShape: [2], yShape: [1], testX: data.points, testY: y};
}

/** Mean logistic loss over all points and the share on their class's side (z > 0: class 1), in plain JS. */
export function measure(network: Network, data: PlaneData, epoch: number): TrainSnapshot {
  let loss = 0, right = 0;
  for (let k = 0; k < data.count; k++) {
    let a = [data.points[2 * k]!, data.points[2 * k + 1]!];
    let z = 0;
    network.forEach((layer, l) => {
      const zs = layer.biases.map((b, j) => a.reduce((s, x, i) => s + x * layer.weights[i]![j]!, b));
      if (l === network.length - 1) z = zs[0]!;
      else a = zs.map(hiddenActivation(layer.activation));
    });
    const y = data.labels[k]!;
    loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))); // −[y log σ(z) + (1 − y) log(1 − σ(z))], stably
    right += (z > 0 ? 1 : 0) === y ? 1 : 0;
  }
  return {epoch, loss: loss / data.count, accuracy: right / data.count, network};
}

function hiddenActivation(name: Network[number]["activation"]): (z: number) => number {
  switch (name) {
    case "sigmoid": return (z) => 1 / (1 + Math.exp(-z));
    case "tanh": return Math.tanh;
    case "relu": return (z) => Math.max(0, z);
    case "linear": return (z) => z;
    case "step": return (z) => (z > 0 ? 1 : 0);
  }
}

export interface HarnessOptions {
  network: Network;
  data: PlaneData;
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Steps per second at most (null: as fast as it goes). */
  stepsPerSecond: number | null;
  signal?: AbortSignal;
  invalidation?: Promise<unknown>;
  /** Where it trains (tests); default the page's main thread. */
  host?: TrainerHost;
}

/** Starts the run on the page's main thread (a model this small gains nothing from a worker). */
export function startRun(options: HarnessOptions): TrainingRun {
  const {network, data, learningRate, epochs, batchSize, seed, stepsPerSecond, signal, invalidation, host} = options;
  return train(modelOf(network, learningRate), {
    data: planeSpec(data),
    onMain: true,
    ...(host ? {host} : {}),
    epochs,
    batchSize,
    seed,
    shuffle: true,
    validation: "epoch",
    snapshotEvery: 1e9, // one snapshot per epoch (the validation's), plus the first step's and the last
    include: {weights: true},
    stepsPerSecond,
    ...(signal ? {signal} : {}),
    ...(invalidation ? {invalidation} : {})
  });
}
