// The cheatsheet's three tasks as small seeded data sets, the network that learns each one with
// whatever last layer and loss the student picks, and how well it did, measured the same way
// whatever the loss (accuracy for classes, error for numbers), since losses are not comparable.
import {mulberry32, subSeed} from "../data/random.js";
import {dense, sequential, type SequentialSpec} from "../train/spec.js";
import type {CheatsheetLoss, LastActivation, Task} from "../losses.js";
import type {InlineData} from "./curves.js";

export const TASKS: readonly Task[] = ["regression", "binary", "multiclass"];
export const CLASSES = 3;

export interface TaskData extends InlineData {
  task: Task;
  /** Nodes in the last layer: one for a number or a yes/no, N for N classes. */
  outputs: number;
  testX: Float32Array;
  testY: Float32Array;
}

/**
 * regression: y = 1 + 0.8 sin(3x) + noise on [−1, 1] (all targets positive, some above 1);
 * binary: is the point inside the circle of radius 0.8 (half the square's area)?
 * multiclass: three blobs around the origin, one-hot targets.
 */
export function taskData(task: Task, {train = 300, test = 300, seed = 3}: {train?: number; test?: number; seed?: number} = {}): TaskData {
  const random = mulberry32(subSeed(seed, TASKS.indexOf(task)));
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const draw = (n: number) => {
    switch (task) {
      case "regression": {
        const x = Float32Array.from({length: n}, () => 2 * random() - 1);
        return {x, y: Float32Array.from(x, (v) => 1 + 0.8 * Math.sin(3 * v) + 0.05 * normal())};
      }
      case "binary": {
        const x = Float32Array.from({length: 2 * n}, () => 2 * random() - 1);
        return {x, y: Float32Array.from({length: n}, (_, i) => (Math.hypot(x[2 * i]!, x[2 * i + 1]!) < 0.8 ? 1 : 0))};
      }
      case "multiclass": {
        const x = new Float32Array(2 * n), y = new Float32Array(CLASSES * n);
        for (let i = 0; i < n; i++) {
          const k = i % CLASSES, angle = (2 * Math.PI * k) / CLASSES;
          x[2 * i] = Math.cos(angle) + 0.55 * normal();
          x[2 * i + 1] = Math.sin(angle) + 0.55 * normal();
          y[CLASSES * i + k] = 1;
        }
        return {x, y};
      }
    }
  };
  const fitSet = draw(train), heldOut = draw(test);
  const inputs = task === "regression" ? 1 : 2;
  const outputs = task === "multiclass" ? CLASSES : 1;
  return {kind: "inline", task, outputs, x: fitSet.x, y: fitSet.y, xShape: [inputs], yShape: [outputs], testX: heldOut.x, testY: heldOut.y};
}

/** The same small network for every choice; only the last layer's activation and the loss change. */
export function taskNet(data: Pick<TaskData, "xShape" | "outputs">, {activation, loss}: {activation: LastActivation; loss: CheatsheetLoss}): SequentialSpec {
  const model = sequential({layers: [
    dense({units: 16, activation: "relu", inputShape: data.xShape}),
    dense({units: 16, activation: "relu"}),
    dense({units: data.outputs, activation})
  ]});
  model.compile({optimizer: "adam", loss, learningRate: 0.01});
  return model;
}

export interface TaskScore {
  /** Accuracy for classification, root-mean-square error for regression. */
  name: "accuracy" | "RMSE";
  value: number;
  /** Mean of the summed outputs per sample: 1 for a softmax layer, anything for sigmoid or linear. */
  outputSum: number;
}

/** How good the predictions on the held-out set are, whatever loss produced them. */
export function scoreTask(data: TaskData, predictions: Float32Array): TaskScore {
  const n = data.testY.length / data.outputs;
  const k = data.outputs;
  let outputSum = 0;
  for (const p of predictions) outputSum += p;
  outputSum /= n;
  if (data.task === "regression") {
    let se = 0;
    for (let i = 0; i < n; i++) se += (predictions[i]! - data.testY[i]!) ** 2;
    return {name: "RMSE", value: Math.sqrt(se / n), outputSum};
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (k === 1) correct += Number((predictions[i]! > 0.5) === (data.testY[i]! > 0.5));
    else correct += Number(argmax(predictions.subarray(i * k, i * k + k)) === argmax(data.testY.subarray(i * k, i * k + k)));
  }
  return {name: "accuracy", value: correct / n, outputSum};
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j]! > values[best]!) best = j;
  return best;
}

/** A held-out accuracy or error that a model which learned nothing would also reach. */
export function chanceScore(data: TaskData): number {
  const n = data.testY.length / data.outputs;
  if (data.task === "regression") {
    const mean = data.testY.reduce((a, b) => a + b, 0) / n;
    return Math.sqrt(data.testY.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  }
  if (data.outputs === 1) {
    const positives = data.testY.reduce((a, b) => a + b, 0) / n;
    return Math.max(positives, 1 - positives);
  }
  return 1 / data.outputs;
}

/**
 * What to expect from a last layer and a loss on a task, and why: one or two sentences, checked
 * against real runs (test/cells/loss-activation.test.ts). Null when the pair is unremarkable.
 */
export function pairNote(task: Task, activation: LastActivation, loss: CheatsheetLoss): string | null {
  const oneNode = task !== "multiclass";
  if (activation === "softmax" && oneNode) {
    return "A softmax over a single node always outputs exactly 1 (e^z / e^z): whatever the weights, the prediction cannot change, so nothing is learned.";
  }
  if (loss === "categoricalCrossentropy" && oneNode) {
    return "Categorical cross-entropy first divides the outputs by their sum; with one node that gives 1 every time, so the loss is ~0 from the start and nothing is learned. One node needs binary cross-entropy.";
  }
  if (task === "regression" && (loss === "binaryCrossentropy" || loss === "kullbackLeiblerDivergence")) {
    return "Cross-entropy and KL compare probabilities: targets here are numbers up to 1.8, not probabilities, so the loss has no sensible minimum (it can go below 0) and says nothing about how close the predictions are.";
  }
  if (loss === "kullbackLeiblerDivergence" && activation !== "softmax") {
    return "KL divergence only rewards the true class's output for being large and never penalises the others, so a last layer that is not a softmax (whose outputs must share 1) can drive it to 0 by pushing every output towards 1: a loss near zero, from a model that has learned little.";
  }
  if (task === "multiclass" && activation === "sigmoid" && loss === "categoricalCrossentropy") {
    return "The slide's pairing. It trains, because tfjs (like Keras) divides the outputs by their sum before the log; but the network's own outputs are not probabilities (they need not add up to 1). Softmax is the right partner.";
  }
  if ((loss === "categoricalCrossentropy") && activation === "linear") {
    return "A linear layer can output negative numbers; cross-entropy first divides the outputs by their sum (which may itself be negative or near 0, flipping or blowing up the ratios) and then clips them to [1e-7, 1 − 1e-7] before the log, so clipped outputs get no gradient. Use softmax.";
  }
  if (task === "regression" && activation === "sigmoid") {
    return "A sigmoid can only output values between 0 and 1, and these targets go up to 1.8: the error stops falling when the outputs pin at 1.";
  }
  if (task === "binary" && activation === "linear" && loss === "binaryCrossentropy") {
    return "Binary cross-entropy wants a probability: tfjs clips a linear output into [1e-7, 1 − 1e-7] before the log, so outputs outside (0, 1) get no gradient. It may still work, but a sigmoid is the right partner.";
  }
  if (task === "binary" && activation === "sigmoid" && loss !== "binaryCrossentropy") {
    return "This learns, but slowly where the network is confidently wrong: through a sigmoid, squared error pulls on the logit with cross-entropy's pull times 2p(1 − p), and absolute error with p(1 − p)/|p − y|; both vanish when p is near 0 or 1 on the wrong side (next step).";
  }
  if (task === "multiclass" && loss === "binaryCrossentropy") {
    return "Binary cross-entropy treats each of the N outputs as its own yes/no question (multi-label classification). It learns here, but the outputs are not one distribution over the classes.";
  }
  if (task === "multiclass" && loss === "kullbackLeiblerDivergence" && activation === "softmax") {
    return "With one-hot targets, KL divergence equals categorical cross-entropy (the targets' own entropy is 0): the same curve. It differs when targets are distributions.";
  }
  if (task === "regression" && loss === "meanSquaredLogarithmicError") {
    return "MSLE compares ln(1 + y): it cares about ratios more than differences, which suits positive targets that span decades (these span only one).";
  }
  return null;
}
