// The digit classifier's test set: the digits the training run never touches, neither to train on
// nor as its validation set, scored once, at the end, with the weights the run settled on.
import {splitMnist, type DigitSet, type MnistSet} from "../data/mnist.js";
import type {WeightValues} from "../train/protocol.js";
import type {DenseWeights} from "./forward.js";

export interface HeldBackOptions {
  /** Training digits of the run (class-balanced). */
  train: number;
  /** Its validation digits (what the harness calls `test`). */
  validation: number;
  seed?: number;
}

/**
 * The class-balanced digits left over by the run's split: per digit, the split takes validation
 * digits first and training digits next from one seeded order; the rest of that order is the test set.
 */
export function heldBackDigits(set: MnistSet, {train, validation, seed = 0}: HeldBackOptions): DigitSet {
  const perDigit = Math.min(...set.countPerDigit);
  const run = splitMnist(set, {train, test: validation, seed});
  // The same seeded order with every remaining digit put in "train": the extra ones are held back.
  const all = splitMnist(set, {train: 10 * perDigit - validation, test: validation, seed});
  const used = new Set(run.train.indices);
  const rows: number[] = [];
  all.train.indices.forEach((index, row) => { if (!used.has(index)) rows.push(row); });
  const p = set.pixelsPerImage;
  const images = new Float32Array(rows.length * p);
  const labels = new Uint8Array(rows.length);
  const indices = new Uint32Array(rows.length);
  rows.forEach((row, k) => {
    images.set(all.train.images.subarray(row * p, (row + 1) * p), k * p);
    labels[k] = all.train.labels[row]!;
    indices[k] = all.train.indices[row]!;
  });
  return {images, labels, count: rows.length, indices};
}

/** A dense network's weights as a snapshot carries them (kernel, bias, kernel, bias, …). */
export function denseWeightsFrom(values: WeightValues[]): DenseWeights[] {
  const layers: DenseWeights[] = [];
  for (let k = 0; k + 1 < values.length; k += 2) {
    const kernel = values[k]!, bias = values[k + 1]!;
    if (kernel.shape.length !== 2 || bias.shape.length !== 1 || kernel.shape[1] !== bias.shape[0]) {
      throw new Error(`Expected a dense layer's kernel and bias, got shapes [${kernel.shape}] and [${bias.shape}].`);
    }
    layers.push({inputs: kernel.shape[0]!, units: kernel.shape[1]!, kernel: kernel.values, bias: bias.values});
  }
  return layers;
}
