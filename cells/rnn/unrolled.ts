// The simplest RNN, h(t) = f(Whh·h(t−1) + Wxh·x(t) + b), y(t) = Why·h(t) + c, computed three ways
// so the tests can hold them equal: step by step in plain arithmetic (./recurrence.ts), unrolled
// into one tfjs graph over all T steps (the "unrolled network" of the slides), and by tfjs's own
// Keras-style layer, tf.layers.simpleRNN, given the same weights.
import {tf, tfl} from "../tf/tfjs.js";
import type {Activation, RnnWeights, Unrolled} from "./recurrence.js";

export {rnnWeights, stepByStep, rnnParams, type Activation, type RnnWeights, type Unrolled} from "./recurrence.js";

function activate(activation: Activation, a: tf.Tensor): tf.Tensor {
  return activation === "tanh" ? tf.tanh(a) : activation === "relu" ? tf.relu(a) : a;
}

/** The unrolled network as one tfjs graph: T copies of the same cell, the same three matrices. */
export function unrolledTfjs(w: RnnWeights, activation: Activation = "tanh", outputBias = 0): Unrolled {
  const {n, m, T} = w;
  return tf.tidy(() => {
    const whh = tf.tensor2d(Float32Array.from(w.whh), [n, n]);
    const wxh = tf.tensor2d(Float32Array.from(w.wxh), [n, m]);
    const b = tf.tensor1d(Float32Array.from(w.b));
    const why = tf.tensor2d(Float32Array.from(w.why), [1, n]);
    const xs = tf.tensor2d(Float32Array.from(w.xs), [T, m]);
    let h: tf.Tensor = tf.zeros([n, 1]); // column vectors, as the formula is written
    const states: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const x = xs.slice([t, 0], [1, m]).reshape([m, 1]);
      h = activate(activation, tf.add(tf.add(tf.matMul(whh, h), tf.matMul(wxh, x)), b.reshape([n, 1])));
      states.push(h);
    }
    const H = tf.concat(states, 1); // n × T
    const Y = tf.matMul(why, H).add(outputBias); // 1 × T
    const hT = H.transpose().arraySync() as number[][];
    return {states: hT, outputs: (Y.arraySync() as number[][])[0]!};
  });
}

/**
 * tf.layers.simpleRNN + tf.layers.dense with the same weights. tfjs stores them transposed
 * (row vectors): kernel = Wxhᵀ [m, n], recurrentKernel = Whhᵀ [n, n], bias = b; dense kernel = Whyᵀ.
 */
export function kerasLayers(w: RnnWeights, activation: Activation = "tanh", outputBias = 0): Unrolled {
  const {n, m, T} = w;
  const model = simpleRnnModel({units: n, inputs: m, steps: T, activation});
  try {
    return tf.tidy(() => {
      model.setWeights([
        tf.tensor2d(Float32Array.from(w.wxh), [n, m]).transpose(),
        tf.tensor2d(Float32Array.from(w.whh), [n, n]).transpose(),
        tf.tensor1d(Float32Array.from(w.b)),
        tf.tensor2d(Float32Array.from(w.why), [n, 1]),
        tf.tensor1d([outputBias])
      ]);
      const xs = tf.tensor3d(Float32Array.from(w.xs), [1, T, m]);
      const [hs, ys] = model.predict(xs) as tf.Tensor[];
      return {states: (hs!.arraySync() as number[][][])[0]!, outputs: (ys!.arraySync() as number[][][])[0]!.map((r) => r[0]!)};
    });
  } finally {
    model.dispose();
  }
}

/** A functional tfjs model: inputs [T, m] → (all hidden states, one output per step). */
export function simpleRnnModel({units, inputs, steps, activation = "tanh"}: {units: number; inputs: number; steps: number | null; activation?: Activation}): tfl.LayersModel {
  const input = tfl.input({shape: [steps, inputs]});
  const states = tfl.layers.simpleRNN({units, activation, returnSequences: true}).apply(input) as tfl.SymbolicTensor;
  const outputs = tfl.layers.dense({units: 1}).apply(states) as tfl.SymbolicTensor; // applied at every step
  return tfl.model({inputs: input, outputs: [states, outputs]});
}
