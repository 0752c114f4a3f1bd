// The slides' "this many parameters" made concrete: a 784-128-10 digit classifier, written as the
// harness's plain-data model in tfjs's own words, and its accuracy on digits it never trained on.
import {dense, sequential, type SequentialSpec} from "../train/spec.js";

/** A dense classifier of 28 × 28 = 784 pixels into 10 digits: 784-hidden-10, ReLU then softmax. */
export function digitClassifier({hidden = 128, optimizer = "adam", learningRate = 0.001}: {hidden?: number; optimizer?: "adam" | "sgd"; learningRate?: number} = {}): SequentialSpec {
  const model = sequential({
    layers: [
      dense({units: hidden, activation: "relu", inputShape: [784]}),
      dense({units: 10, activation: "softmax"})
    ]
  });
  model.compile({optimizer, loss: "categoricalCrossentropy", learningRate});
  return model;
}

/** Share of rows whose largest output is at the true label; outputs is count × classes, row-major. */
export function classificationAccuracy(outputs: ArrayLike<number>, labels: ArrayLike<number>, classes = 10): number {
  if (outputs.length !== labels.length * classes) throw new Error(`${outputs.length} outputs do not make ${labels.length} rows of ${classes} classes.`);
  let right = 0;
  for (let row = 0; row < labels.length; row++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (outputs[row * classes + k]! > outputs[row * classes + best]!) best = k;
    if (best === labels[row]) right++;
  }
  return labels.length ? right / labels.length : 0;
}

/** Per true digit, how often each digit was predicted: confusion[true][predicted]. */
export function confusionMatrix(outputs: ArrayLike<number>, labels: ArrayLike<number>, classes = 10): number[][] {
  const matrix = Array.from({length: classes}, () => new Array<number>(classes).fill(0));
  for (let row = 0; row < labels.length; row++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (outputs[row * classes + k]! > outputs[row * classes + best]!) best = k;
    matrix[labels[row]!]![best]! += 1;
  }
  return matrix;
}
