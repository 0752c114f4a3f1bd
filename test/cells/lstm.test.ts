// Numerics for the LSTM lesson, on the tfjs cpu backend: every gate of the hand-written cell is its
// formula; with forget-gate bias 3 the gradient reaches 49 steps back almost intact while the
// vanilla RNN's vanishes below 1e-9; and on the recall task the LSTM learns while the RNN does not.
import {beforeAll, describe, expect, test} from "vitest";
import {tf} from "../../cells/tf/tfjs.js";
import {cellTensors, initCell, logits, lstmStep, rnnStep, traceLstm} from "../../cells/lstm/cell.js";
import {firstToLast, lstmNorms} from "../../cells/lstm/gradients.js";
import {raceStep} from "../../cells/lstm/model.js";
import {recallData, recallInputs, recallSequence, type RecallTask} from "../../cells/lstm/task.js";
import {rnnWeights, tfjsNorms} from "../../cells/rnn/gradients.js";
import type {StepData} from "../../cells/train/step.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("the LSTM cell", () => {
  test("each gate equals its formula on hand values (one input, two units)", () => {
    // W is (m + n)×4n = 3×8, columns i i | f f | g g | o o; rows x, h₁, h₂.
    const W = [
      [0.5, -1, 1, 0.2, -0.3, 0.8, 2, -0.5],
      [0.1, 0.4, -0.6, 0.3, 0.7, -0.2, 0.5, 1],
      [-0.2, 0.3, 0.9, -0.4, 0.2, 0.6, -1, 0.1]
    ];
    const b = [0.1, 0, 1, 1, 0, -0.1, 0.2, 0];
    const x = [2], h = [0.5, -0.25], c = [1, -2];
    const z = (k: number) => x[0]! * W[0]![k]! + h[0]! * W[1]![k]! + h[1]! * W[2]![k]! + b[k]!;
    const out = tf.tidy(() => {
      const s = lstmStep(tf, tf.tensor2d(W), tf.tensor1d(b), tf.tensor2d([x]), tf.tensor2d([h]), tf.tensor2d([c]));
      return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, values(v)]));
    });
    for (let u = 0; u < 2; u++) {
      const i = sigmoid(z(u)), f = sigmoid(z(2 + u)), g = Math.tanh(z(4 + u)), o = sigmoid(z(6 + u));
      const cNext = f * c[u]! + i * g, hNext = o * Math.tanh(cNext);
      expect(out.i![u]).toBeCloseTo(i, 6);
      expect(out.f![u]).toBeCloseTo(f, 6);
      expect(out.g![u]).toBeCloseTo(g, 6);
      expect(out.o![u]).toBeCloseTo(o, 6);
      expect(out.c![u]).toBeCloseTo(cNext, 6);
      expect(out.h![u]).toBeCloseTo(hNext, 6);
    }
    // A hand check of one number: unit 1's input gate, z = 2·0.5 + 0.5·0.1 − 0.25·(−0.2) + 0.1 = 1.2.
    expect(out.i![0]).toBeCloseTo(sigmoid(1.2), 6);
  });

  test("the vanilla RNN step is tanh([x, h]·W + b)", () => {
    const got = tf.tidy(() => values(rnnStep(tf, tf.tensor2d([[1, -1], [0.5, 2]]), tf.tensor1d([0.1, -0.2]), tf.tensor2d([[3]]), tf.tensor2d([[0.4]]))));
    expect(got[0]).toBeCloseTo(Math.tanh(3 + 0.2 + 0.1), 6);
    expect(got[1]).toBeCloseTo(Math.tanh(-3 + 0.8 - 0.2), 6);
  });

  test("the page's plain-arithmetic trace equals the tfjs cell, step by step and at the output", () => {
    const task: RecallTask = {length: 12, symbols: 4, distractors: 4, noise: 1};
    const w = initCell("lstm", {inputs: recallInputs(task), units: 5, classes: 4}, {seed: 3, forgetBias: 2});
    const seq = recallSequence(task, 2, 9);
    const trace = traceLstm(w, seq, task.length);
    const [fromTf, probs] = tf.tidy(() => {
      const cell = cellTensors(tf, w);
      const xs = tf.tensor3d(seq, [1, task.length, recallInputs(task)]);
      let h = tf.zeros([1, 5]) as tf.Tensor2D, c = h;
      const cs: number[][] = [];
      for (let t = 0; t < task.length; t++) {
        ({h, c} = lstmStep(tf, cell.W, cell.b, tf.slice(xs, [0, t, 0], [1, 1, -1]).reshape([1, -1]) as tf.Tensor2D, h, c));
        cs.push(values(c));
      }
      return [cs, values(tf.softmax(logits(tf, cell, xs)))];
    });
    trace.steps.forEach((s, t) => s.c.forEach((v, u) => expect(v).toBeCloseTo(fromTf[t]![u]!, 5)));
    trace.probs.forEach((p, k) => expect(p).toBeCloseTo(probs[k]!, 5));
    expect(trace.steps[0]!.f.every((f) => f > 0.5)).toBe(true); // bias 2 opens every forget gate
  });

  test("the forget-gate bias is where Keras puts it: the second quarter of b", () => {
    const w = initCell("lstm", {inputs: 3, units: 4, classes: 2}, {forgetBias: 3});
    expect(Array.from(w.b)).toEqual([0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(w.W.length).toBe((3 + 4) * 16);
  });
});

describe("gradient flow: T = 50, 32 units, the same 4 Gaussian inputs per step", () => {
  // RNN: lesson 10's, tanh, Whh = 0.9 × a random orthogonal matrix. LSTM: Keras's initialisation
  // (Glorot-uniform input kernel, orthogonal recurrent kernels), forget-gate bias as given.
  const w = rnnWeights({rho: 0.9, T: 50, n: 32, seed: 1});
  let rnn = NaN;
  beforeAll(() => {
    rnn = firstToLast(tfjsNorms(w, "tanh"));
  });

  test("with forget bias 3 the LSTM keeps ‖∂L/∂h(1)‖ / ‖∂L/∂h(T)‖ above 0.1; the RNN's is below 1e-9", () => {
    const lstm = lstmNorms(w, {forgetBias: 3});
    console.log(`T = 50: LSTM (forget bias 3) h ratio ${firstToLast(lstm.h).toExponential(2)}, c ratio ${firstToLast(lstm.c).toExponential(2)}, mean f ${lstm.meanForget.toFixed(3)}; RNN (tanh, ρ = 0.9) ${rnn.toExponential(2)}`);
    expect(firstToLast(lstm.h)).toBeGreaterThan(0.1);
    expect(firstToLast(lstm.c)).toBeGreaterThan(0.1);
    expect(lstm.meanForget).toBeGreaterThan(0.93);
    expect(rnn).toBeLessThan(1e-9);
    expect(rnn).toBeGreaterThan(0); // a real number, not a float32 underflow
  });

  test("the forget bias is what keeps it: with bias 1 (Keras's default) the h ratio falls below 0.02", () => {
    const lstm = lstmNorms(w, {forgetBias: 1});
    expect(firstToLast(lstm.h)).toBeLessThan(0.02);
    expect(firstToLast(lstm.h)).toBeGreaterThan(rnn * 1e6); // still many orders above the RNN
  });
});

describe("the race on the recall task", () => {
  test("from fixed seeds the LSTM learns to recall the first symbol and the RNN stays near chance", async () => {
    // Smaller than the page's (T = 40, 16 units) so that it runs on the cpu backend in seconds;
    // the same mechanism: noise on every later step keeps the tanh RNN's units busy.
    const task: RecallTask = {length: 25, symbols: 4, distractors: 4, noise: 1};
    const m = recallInputs(task), count = 640, batch = 32, steps = Number(process.env.LSTM_STEPS ?? 60);
    const train = recallData(task, count, 1), test = recallData(task, 256, 2);
    const data: StepData = {
      x: tf.tensor3d(train.x, [count, task.length, m]), y: tf.tensor2d(train.y, [count, 4]), count,
      xShape: [task.length, m], yShape: [4],
      testX: tf.tensor3d(test.x, [256, task.length, m]), testY: tf.tensor2d(test.y, [256, 4])
    };
    const before = tf.memory().numTensors;
    const run = await raceStep.init({config: {units: 8}, seed: 1, data, tf});
    const start = performance.now();
    for (let s = 0; s < steps; s++) {
      const from = (s * batch) % count;
      tf.tidy(() => {
        run.step({x: tf.slice(data.x, [from, 0, 0], [batch, -1, -1]), y: tf.slice(data.y, [from, 0], [batch, -1]), step: s});
      });
    }
    const extras = tf.tidy(() => run.snapshot!(data));
    const val = tf.tidy(() => run.validate!(data));
    console.log(`recall, T = ${task.length}, ${steps} steps of ${batch} on cpu in ${((performance.now() - start) / 1000).toFixed(1)} s: LSTM ${(extras.lstmAccuracy as number * 100).toFixed(0)} % (loss ${val.loss.toFixed(3)}), RNN ${(extras.rnnAccuracy as number * 100).toFixed(0)} % (loss ${val.rnn!.toFixed(3)}); chance 25 %, log 4 = 1.386`);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before); // the step frees its models and optimizers
    expect(extras.lstmAccuracy).toBeGreaterThan(0.9);
    expect(extras.rnnAccuracy).toBeLessThan(0.4);
    expect(val.loss).toBeLessThan(0.3);
    expect(val.rnn).toBeGreaterThan(1.2);
    tf.dispose([data.x, data.y, data.testX!, data.testY!]);
  });
});
