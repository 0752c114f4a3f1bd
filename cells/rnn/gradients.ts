// Gradient flow back through time in a vanilla RNN, h(t) = f(Whh h(t−1) + Wxh x(t) + b): the norm
// ‖∂L/∂h(t−k)‖ of the loss of the last output, L = Why·h(T), against how far back k the state is.
// Computed with tfjs's own gradients (tf.grad), and also directly as a product of Jacobians
// diag(f′)·Whh in plain arithmetic (./recurrence.ts), so the unit tests can check one against the other.
import {tf} from "../tf/tfjs.js";
import type {Activation, RnnWeights} from "./recurrence.js";

export {ACTIVATIONS, orthogonal, rnnWeights, preActivations, jacobianNorms, type Activation, type RnnWeights} from "./recurrence.js";

function tfActivation(activation: Activation, a: tf.Tensor): tf.Tensor {
  return activation === "tanh" ? tf.tanh(a) : activation === "relu" ? tf.relu(a) : a;
}

/**
 * The same norms from tfjs's automatic differentiation. A zero "probe" δ(t) is added to each
 * hidden state, h(t) = f(a(t)) + δ(t); the gradient of L with respect to δ(t) is ∂L/∂h(t).
 * Returns k = 0…T−1 (k = 0 is the last state). Float32, so tiny norms flush to 0 near 1e-38.
 */
export function tfjsNorms(w: RnnWeights, activation: Activation): number[] {
  const {n, m, T} = w;
  return tf.tidy(() => {
    const whh = tf.tensor2d(Float32Array.from(w.whh), [n, n], "float32");
    const wxh = tf.tensor2d(Float32Array.from(w.wxh), [n, m], "float32");
    const b = tf.tensor1d(Float32Array.from(w.b), "float32");
    const why = tf.tensor2d(Float32Array.from(w.why), [n, 1], "float32");
    const xs = tf.tensor2d(Float32Array.from(w.xs), [T, m], "float32");
    // Row-vector form: h(t) is 1×n, a(t) = h(t−1)·Whhᵀ + x(t)·Wxhᵀ + b.
    const whhT = whh.transpose(), inputs = xs.matMul(wxh.transpose()).add(b);
    const loss = (probes: tf.Tensor) => {
      let h: tf.Tensor = tf.zeros([1, n]);
      const rows = tf.split(probes, T, 0), drive = tf.split(inputs, T, 0);
      for (let t = 0; t < T; t++) h = tfActivation(activation, h.matMul(whhT).add(drive[t]!)).add(rows[t]!);
      return h.matMul(why).sum() as tf.Scalar;
    };
    const grads = tf.grad(loss)(tf.zeros([T, n]));
    const norms = Array.from(grads.norm("euclidean", 1).dataSync());
    return norms.reverse();
  });
}

/** Base-10 orders of magnitude from k = 0 to the farthest k: negative is decay, positive growth. */
export function ordersOfMagnitude(norms: number[]): number {
  return Math.log10(norms.at(-1)! / norms[0]!);
}
