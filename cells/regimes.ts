// The lesson's training experiments, as plain data for the harness: a wave to regress for the
// learning-rate explorer and the gallery of horrors, two overlapping blobs to overfit for the
// validation story. Every run is seeded, so a curve on the page is the same curve every time.
import {mulberry32, subSeed} from "./data/random.js";
import {dense, dropout, sequential, type Activation, type OptimizerName, type SequentialSpec} from "./train/spec.js";
import type {CurveRun, CurveShape, InlineData} from "./losses/curves.js";

/** Standard normal samples from a seeded uniform generator (Box–Muller). */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** y = sin(3x) + a little noise at n seeded points of [−1, 1]: smooth, and not a straight line. */
export function waveData({n = 256, noise = 0.05, seed = 1}: {n?: number; noise?: number; seed?: number} = {}): InlineData {
  const random = mulberry32(seed);
  const normal = gaussian(mulberry32(subSeed(seed, 1)));
  const x = Float32Array.from({length: n}, () => 2 * random() - 1);
  const y = Float32Array.from(x, (v) => Math.sin(3 * v) + noise * normal());
  return {kind: "inline", x, y, xShape: [1], yShape: [1]};
}

/** The explorer's network: two hidden layers, one linear output node, mean squared error. */
export function waveNet({learningRate, optimizer = "sgd", activation = "relu", units = 32}: {
  learningRate: number;
  optimizer?: OptimizerName;
  activation?: Activation;
  units?: number;
}): SequentialSpec {
  const model = sequential({layers: [
    dense({units, activation, inputShape: [1]}),
    dense({units, activation}),
    dense({units: 1})
  ]});
  model.compile({optimizer, loss: "meanSquaredError", learningRate});
  return model;
}

export interface ExplorerSettings {
  learningRate: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  activation?: Activation;
  epochs?: number;
  seed?: number;
}

/** One run of the learning-rate and batch-size explorer. */
export function explorerRun({learningRate, batchSize = 32, optimizer = "sgd", activation = "relu", epochs = 40, seed = 1}: ExplorerSettings): CurveRun {
  return {model: waveNet({learningRate, optimizer, activation}), data: waveData(), batchSize, epochs, seed};
}

export interface Regime {
  name: "too low" | "good" | "too high" | "diverging";
  learningRate: number;
  /** The curve's shape this learning rate gives (checked by the tests and on the page). */
  shape: CurveShape;
}

/** Plain SGD, batches of 32, 40 epochs, seed 1: four learning rates, four regimes. 0.1 is good;
 *  0.001 is 100× too low, 10 is 100× too high. */
export const REGIMES: readonly Regime[] = [
  {name: "too low", learningRate: 0.001, shape: "barely moves"},
  {name: "good", learningRate: 0.1, shape: "good"},
  {name: "too high", learningRate: 0.5, shape: "oscillates"},
  {name: "diverging", learningRate: 10, shape: "diverges"}
];

// --- Validation: two overlapping blobs, few training points, a big network -------------------

/** Two Gaussian blobs in the plane (classes 0 and 1, centres ±separation/2 apart on x), labels as 0/1. */
export function blobsData({train = 60, validation = 400, separation = 1.5, seed = 5}: {train?: number; validation?: number; separation?: number; seed?: number} = {}): InlineData {
  const normal = gaussian(mulberry32(seed));
  const draw = (n: number) => {
    const x = new Float32Array(2 * n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      x[2 * i] = (label ? 0.5 : -0.5) * separation + normal();
      x[2 * i + 1] = normal();
      y[i] = label;
    }
    return {x, y};
  };
  const fitSet = draw(train), heldOut = draw(validation);
  return {kind: "inline", x: fitSet.x, y: fitSet.y, xShape: [2], yShape: [1], testX: heldOut.x, testY: heldOut.y};
}

/** A network far bigger than 60 noisy points need (1,185 parameters): it will memorise them.
 *  The dropout layers are always there (rate 0 passes everything), so switching dropout on or
 *  off leaves the seeded initial weights the same. */
export function blobsNet({rate = 0, units = 32, learningRate = 0.003}: {rate?: number; units?: number; learningRate?: number} = {}): SequentialSpec {
  const model = sequential({layers: [
    dense({units, activation: "relu", inputShape: [2]}),
    dropout({rate}),
    dense({units, activation: "relu"}),
    dropout({rate}),
    dense({units: 1, activation: "sigmoid"})
  ]});
  model.compile({optimizer: "adam", loss: "binaryCrossentropy", learningRate});
  return model;
}

/** The overfitting run: batches of a sixth of the training set (six steps an epoch), 150 epochs. */
export function overfittingRun({train = 60, epochs = 150, seed = 1}: {train?: number; epochs?: number; seed?: number} = {}): CurveRun {
  return {model: blobsNet(), data: blobsData({train}), batchSize: Math.round(train / 6), epochs, seed};
}

/** Points in the square [−1, 1]², labelled 1 inside the circle of radius 0.8: a boundary that
 *  needs many hidden units, so switching half of them off (dropout) costs the training loss. */
export function ringData({train = 400, validation = 400, seed = 5}: {train?: number; validation?: number; seed?: number} = {}): InlineData {
  const random = mulberry32(seed);
  const draw = (n: number) => {
    const x = Float32Array.from({length: 2 * n}, () => 2 * random() - 1);
    return {x, y: Float32Array.from({length: n}, (_, i) => (Math.hypot(x[2 * i]!, x[2 * i + 1]!) < 0.8 ? 1 : 0))};
  };
  const fitSet = draw(train), heldOut = draw(validation);
  return {kind: "inline", x: fitSet.x, y: fitSet.y, xShape: [2], yShape: [1], testX: heldOut.x, testY: heldOut.y};
}

/** The same network on the circle, 400 points, 60 epochs, with or without dropout. (The harness
 *  leaves dropout masks unseeded, so with dropout two runs differ a little.) */
export function dropoutRun({rate = 0.5, epochs = 60, seed = 1}: {rate?: number; epochs?: number; seed?: number} = {}): CurveRun {
  return {model: blobsNet({rate}), data: ringData(), batchSize: 67, epochs, seed};
}

// --- The gallery of horrors: real curves, each from a fixed seed ------------------------------

/** The explorer's network with every first-layer ReLU switched off from the start: its biases
 *  (about −2) outweigh anything the inputs in [−1, 1] can add, so no gradient reaches the hidden
 *  weights; the output bias alone still learns (it settles on the targets' mean). */
export function deadReluNet(): SequentialSpec {
  const model = sequential({layers: [
    dense({units: 32, activation: "relu", inputShape: [1], biasInitializer: {name: "randomNormal", args: {mean: -2, stddev: 0.01}}}),
    dense({units: 32, activation: "relu"}),
    dense({units: 1})
  ]});
  model.compile({optimizer: "sgd", loss: "meanSquaredError", learningRate: 0.1});
  return model;
}

export interface GalleryPanel {
  id: "healthy" | "still-learning" | "stopped" | "jumps" | "diverging" | "overfitting";
  title: string;
  /** What the curve tells you, in one line. */
  reading: string;
  runs: {label: string; run: CurveRun}[];
  /** What each run's training curve does (checked by the tests); "overfits" for the train/validation pair. */
  expect: ({shape?: CurveShape; stillFalling?: boolean} | "overfits")[];
}

export function galleryPanels(): GalleryPanel[] {
  const adam = (epochs: number) => explorerRun({learningRate: 0.01, optimizer: "adam", epochs});
  return [
    {id: "healthy", title: "Down smoothly, flat at the end", reading: "Adam at 0.01: down close to the noise in the data (its variance, 0.05² = 0.0025; the run ends below 0.005), then flat. Finished.",
      runs: [{label: "Adam, 40 epochs", run: adam(40)}], expect: [{shape: "good", stillFalling: false}]},
    {id: "still-learning", title: "Not flat: still learning", reading: "The same run stopped after 10 epochs: still falling fast. Train longer.",
      runs: [{label: "Adam, 10 epochs", run: adam(10)}], expect: [{stillFalling: true}]},
    {id: "stopped", title: "Flat from the start: learning stopped", reading: "Every ReLU of the first layer is off (biases near −2), so no gradient reaches the hidden weights; only the output bias still learns, and the network settles on predicting one number, the mean. Flat means stuck, not overfitting.",
      runs: [{label: "dead ReLUs", run: {model: deadReluNet(), data: waveData(), batchSize: 32, epochs: 40, seed: 1}}], expect: [{shape: "flat"}]},
    {id: "jumps", title: "Jumps: steps too big for the valley", reading: "SGD at 0.3 with ReLU and with tanh: both jump. The step size does it, not the ReLU.",
      runs: [
        {label: "ReLU", run: explorerRun({learningRate: 0.3})},
        {label: "tanh", run: explorerRun({learningRate: 0.3, activation: "tanh"})}
      ], expect: [{shape: "noisy"}, {shape: "noisy"}]},
    {id: "diverging", title: "Up and away: diverging", reading: "SGD at 2: each step overshoots further than the last, until the numbers overflow to NaN.",
      runs: [{label: "SGD, 2", run: explorerRun({learningRate: 2})}], expect: [{shape: "diverges"}]},
    {id: "overfitting", title: "Validation turns up: overfitting", reading: "60 noisy points, a network with 1,185 parameters: training loss keeps falling, validation loss rises.",
      runs: [{label: "training", run: overfittingRun()}], expect: ["overfits"]}
  ];
}

// --- The slide's Keras snippet: n_cols features, a train / validation / test split -------------

export interface TabularSplit {
  nCols: number;
  train: {x: number[][]; y: number[][]};
  validation: {x: number[][]; y: number[][]};
  test: {x: number[][]; y: number[][]};
}

/** 1,000 rows of 8 features in [−1, 1] (three of them irrelevant) and a noisy nonlinear target,
 *  shuffled once and split 60 / 20 / 20 into training, validation and test sets. */
export function tabularSplit({rows = 1000, nCols = 8, seed = 7}: {rows?: number; nCols?: number; seed?: number} = {}): TabularSplit {
  const random = mulberry32(seed);
  const normal = gaussian(mulberry32(subSeed(seed, 1)));
  const x = Array.from({length: rows}, () => Array.from({length: nCols}, () => 2 * random() - 1));
  const y = x.map((r) => [Math.sin(2 * r[0]!) + r[1]! * r[2]! + 0.5 * r[3]! ** 2 - r[4]! + 0.1 * normal()]);
  const cut = (from: number, to: number) => ({x: x.slice(from, to), y: y.slice(from, to)});
  const a = Math.round(rows * 0.6), b = Math.round(rows * 0.8);
  return {nCols, train: cut(0, a), validation: cut(a, b), test: cut(b, rows)};
}
