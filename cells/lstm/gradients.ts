// Gradient flow back through time in the LSTM, for the plots of lessons 10 and 11: the norms
// ‖∂L/∂h(T−k)‖ and ‖∂L/∂c(T−k)‖ of the last output's loss L = Wy·h(T), by tfjs's own gradients.
// Zero "probes" are added to every h(t) and c(t); the gradient with respect to a probe is the
// gradient with respect to that state. Same inputs as lesson 10's RNN (../rnn/gradients.ts).
import {tf} from "../tf/tfjs.js";
import type {RnnWeights} from "../rnn/recurrence.js";
import {initCell, lstmStep} from "./cell.js";

export interface LstmFlow {
  /** ‖∂L/∂h(T−k)‖ for k = 0…T−1. */
  h: number[];
  /** ‖∂L/∂c(T−k)‖ for k = 0…T−1. */
  c: number[];
  /** Mean forget-gate activation over every unit and step. */
  meanForget: number;
}

/** An LSTM with `units` = the RNN's n, Keras's initialisation and this forget-gate bias, reading
 *  the RNN's inputs xs; its readout is the RNN's Why, so the two plots share L's definition. */
export function lstmNorms(w: RnnWeights, {forgetBias = 3, seed = 1}: {forgetBias?: number; seed?: number} = {}): LstmFlow {
  const {n, m, T} = w;
  const cell = initCell("lstm", {inputs: m, units: n, classes: 1}, {seed, forgetBias});
  return tf.tidy(() => {
    const W = tf.tensor2d(cell.W, [m + n, 4 * n]), b = tf.tensor1d(cell.b);
    const why = tf.tensor2d(Float32Array.from(w.why), [n, 1]);
    const xs = tf.split(tf.tensor2d(Float32Array.from(w.xs), [T, m]), T, 0) as tf.Tensor2D[];
    let forgetSum = 0;
    const loss = (hProbes: tf.Tensor, cProbes: tf.Tensor) => {
      const dh = tf.split(hProbes, T, 0) as tf.Tensor2D[], dc = tf.split(cProbes, T, 0) as tf.Tensor2D[];
      let h = tf.zeros([1, n]) as tf.Tensor2D, c = h;
      forgetSum = 0;
      for (let t = 0; t < T; t++) {
        const s = lstmStep(tf, W, b, xs[t]!, h, c);
        forgetSum += s.f.sum().dataSync()[0]!;
        c = tf.add(s.c, dc[t]!) as tf.Tensor2D;
        h = tf.add(tf.mul(s.o, tf.tanh(c)), dh[t]!) as tf.Tensor2D;
      }
      return h.matMul(why).sum() as tf.Scalar;
    };
    const [gh, gc] = tf.grads(loss)([tf.zeros([T, n]), tf.zeros([T, n])]);
    const norms = (g: tf.Tensor) => Array.from(g!.norm("euclidean", 1).dataSync()).reverse();
    return {h: norms(gh!), c: norms(gc!), meanForget: forgetSum / (T * n)};
  });
}

/** The step-1 / step-T ratio of a list of norms indexed by k = 0…T−1. */
export const firstToLast = (norms: number[]) => norms.at(-1)! / norms[0]!;
