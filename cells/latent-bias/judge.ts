// The judge: the matmul-shapes lesson's 784-128-10 digit classifier (cells/matmul/classifier.ts),
// trained on balanced digits, reads the autoencoder's reconstructions. Its forward pass runs here
// in plain JavaScript from the weights a snapshot carries, so the page loads no tfjs for it.
import {denseWeightsFrom} from "../matmul/test-set.js";
import type {WeightValues} from "../train/protocol.js";

/** The digit (argmax of the last layer) the classifier gives each image; ReLU hidden layers. */
export function classify(weights: WeightValues[], images: ArrayLike<number>, pixels = 784): Uint8Array {
  const layers = denseWeightsFrom(weights);
  if (layers[0]!.inputs !== pixels) throw new Error(`The judge reads ${layers[0]!.inputs} pixels per image, not ${pixels}.`);
  const count = images.length / pixels;
  const out = new Uint8Array(count);
  let input = new Float32Array(pixels);
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < pixels; i++) input[i] = images[k * pixels + i]!;
    let a: Float32Array = input;
    layers.forEach((layer, l) => {
      const next = new Float32Array(layer.units);
      next.set(layer.bias.subarray(0, layer.units));
      for (let i = 0; i < layer.inputs; i++) {
        const v = a[i]!;
        if (v === 0) continue; // pixels and ReLU outputs are mostly 0
        const row = i * layer.units;
        for (let j = 0; j < layer.units; j++) next[j]! += v * layer.kernel[row + j]!;
      }
      if (l < layers.length - 1) for (let j = 0; j < next.length; j++) next[j] = Math.max(0, next[j]!);
      a = next;
    });
    let best = 0;
    for (let j = 1; j < a.length; j++) if (a[j]! > a[best]!) best = j;
    out[k] = best;
  }
  return out;
}
