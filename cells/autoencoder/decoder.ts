// Decoding a point of the latent plane on the page, in plain JavaScript, from the weights a
// training snapshot carries: the decoder is layers 2 and 3 (bottleneck → hidden → 784).
import type {WeightValues} from "../train/protocol.js";

/** out = f(z · W + b) for one sample; kernels are [inputs, units], row-major as tfjs stores them. */
function denseForward(z: ArrayLike<number>, kernel: WeightValues, bias: WeightValues, f: (v: number) => number): Float32Array {
  const [inputs, units] = kernel.shape as [number, number];
  const out = new Float32Array(units);
  for (let j = 0; j < units; j++) {
    let sum = bias.values[j]!;
    for (let i = 0; i < inputs; i++) sum += z[i]! * kernel.values[i * units + j]!;
    out[j] = f(sum);
  }
  return out;
}

const relu = (v: number) => Math.max(0, v);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const linear = (v: number) => v;

/** The image (784 values) the decoder makes from code `z`; weights in layer order, kernel then bias. */
export function decode(weights: WeightValues[], z: ArrayLike<number>, output: "linear" | "sigmoid"): Float32Array {
  if (weights.length !== 8) throw new Error(`decode: expected the 8 weight tensors of a 4-layer autoencoder, got ${weights.length}.`);
  const hidden = denseForward(z, weights[4]!, weights[5]!, relu);
  return denseForward(hidden, weights[6]!, weights[7]!, output === "sigmoid" ? sigmoid : linear);
}
