// Lesson 4 (autoencoder): the dense digit autoencoder of the slides, as plain model data the
// training worker builds (784 → hidden → bottleneck → hidden → 784), and the three output/loss
// choices of the slides.
import {dense, sequential, type OptimizerName, type SequentialSpec} from "../train/spec.js";

export type OutputChoice = "linear + MSE" | "sigmoid + MSE" | "sigmoid + BCE";
export const OUTPUT_CHOICES: readonly OutputChoice[] = ["linear + MSE", "sigmoid + MSE", "sigmoid + BCE"];

/** The two models the slides show (the slide text calls the first "64-neuron … 16-dimensional"). */
export const SLIDE_MODELS = {
  bottleneck64: {hidden: 128, bottleneck: 64, params: 218_192},
  bottleneck16: {hidden: 64, bottleneck: 16, params: 103_328}
} as const;

export interface AutoencoderOptions {
  bottleneck: number;
  hidden: number;
  output: OutputChoice;
  optimizer: OptimizerName;
  learningRate?: number;
}

/** Layers: 0 encoder hidden (relu), 1 bottleneck (linear, so the codes can take any sign),
 *  2 decoder hidden (relu), 3 output (linear or sigmoid). */
export function autoencoder({bottleneck, hidden, output, optimizer, learningRate}: AutoencoderOptions): SequentialSpec {
  const model = sequential({
    layers: [
      dense({units: hidden, activation: "relu", inputShape: [784]}),
      dense({units: bottleneck, activation: "linear"}),
      dense({units: hidden, activation: "relu"}),
      dense({units: 784, activation: output === "linear + MSE" ? "linear" : "sigmoid"})
    ]
  });
  model.compile({optimizer, loss: output === "sigmoid + BCE" ? "binaryCrossentropy" : "meanSquaredError", ...(learningRate !== undefined ? {learningRate} : {})});
  return model;
}

/** Weights + biases of 784-h-b-h-784: 2·(784h + h) … counted by hand, as a check on countParams. */
export function autoencoderParams(hidden: number, bottleneck: number): number {
  return 784 * hidden + hidden + hidden * bottleneck + bottleneck + bottleneck * hidden + hidden + hidden * 784 + 784;
}
