// Lesson 9's simplest RNN on the tfjs cpu backend: the unrolled network (one tfjs graph over all
// steps, and tfjs's own simpleRNN layer) equals the step-by-step recurrence h(t) = f(Whh h(t−1) +
// Wxh x(t) + b); the parameter count does not grow with the sequence; the lesson's model, trained
// through the harness with a fixed seed, predicts the next value of a noisy sine far better than
// always predicting the mean.
import {beforeAll, describe, expect, test} from "vitest";
import {initBackend} from "../../cells/tf/backend.js";
import {tf} from "../../cells/tf/tfjs.js";
import {train} from "../../cells/train/client.js";
import {dense, sequential, simpleRNN} from "../../cells/train/spec.js";
import {kerasLayers, rnnParams, rnnWeights, simpleRnnModel, stepByStep, unrolledTfjs} from "../../cells/rnn/unrolled.js";
import {clean, mse, noisySeries, sequenceTask} from "../../cells/rnn/sequence.js";

beforeAll(async () => {
  expect((await initBackend({preferred: "cpu"})).name).toBe("cpu");
});

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));

describe("the unrolled network is the recurrence", () => {
  // A non-symmetric Whh (orthogonal × 1.2) and a bias, so Whh vs Whhᵀ or a dropped term shows.
  const w = rnnWeights({n: 5, m: 3, T: 12, rho: 1.2, seed: 4});
  w.b.forEach((_, i) => (w.b[i] = 0.1 * (i - 2)));

  test("step by step by hand: h(1) = tanh(Wxh x(1) + b), h(2) = tanh(Whh h(1) + Wxh x(2) + b)", () => {
    const {n, m} = w;
    const h1 = Array.from({length: n}, (_, i) => Math.tanh(w.b[i]! + [0, 1, 2].reduce((s, j) => s + w.wxh[i * m + j]! * w.xs[j]!, 0)));
    const h2 = Array.from({length: n}, (_, i) => Math.tanh(w.b[i]! + h1.reduce((s, h, j) => s + w.whh[i * n + j]! * h, 0) + [0, 1, 2].reduce((s, j) => s + w.wxh[i * m + j]! * w.xs[m + j]!, 0)));
    const {states, outputs} = stepByStep(w, "tanh", 0.5);
    expect(maxDiff([states[0]!, states[1]!], [h1, h2])).toBeLessThan(1e-12);
    expect(outputs[1]).toBeCloseTo(0.5 + h2.reduce((s, h, i) => s + w.why[i]! * h, 0), 12);
  });

  test("one tfjs graph unrolled over 12 steps equals the step-by-step recurrence to 1e-5", () => {
    for (const activation of ["tanh", "relu", "linear"] as const) {
      const steps = stepByStep(w, activation, 0.5), unrolled = unrolledTfjs(w, activation, 0.5);
      expect(unrolled.states).toHaveLength(12);
      const scale = activation === "linear" ? Math.max(1, ...steps.states.flat().map(Math.abs)) : 1;
      expect(maxDiff(unrolled.states, steps.states) / scale).toBeLessThan(1e-5);
      expect(maxDiff([unrolled.outputs], [steps.outputs]) / scale).toBeLessThan(1e-5);
    }
  });

  test("tf.layers.simpleRNN with Wxhᵀ, Whhᵀ, b is the same recurrence (to 1e-5)", () => {
    const before = tf.memory().numTensors;
    const steps = stepByStep(w, "tanh", -0.25), keras = kerasLayers(w, "tanh", -0.25);
    expect(maxDiff(keras.states, steps.states)).toBeLessThan(1e-5);
    expect(maxDiff([keras.outputs], [steps.outputs])).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    // A wrong formula would show: Whh untransposed gives other states.
    const wrong = {...w, whh: Float64Array.from({length: 25}, (_, k) => w.whh[(k % 5) * 5 + Math.floor(k / 5)]!)};
    expect(maxDiff(stepByStep(wrong).states, steps.states)).toBeGreaterThan(1e-2);
  });

  test("the parameter count does not grow with the sequence: n·m + n² + n + n + 1 for T = 5, 50, 500", () => {
    const counts = [5, 50, 500].map((T) => {
      const model = simpleRnnModel({units: 16, inputs: 1, steps: T});
      const count = model.countParams();
      model.dispose();
      return count;
    });
    expect(counts).toEqual([305, 305, 305]);
    expect(rnnParams(16, 1)).toBe(16 + 256 + 16 + 16 + 1);
    for (const T of [5, 20, 60]) {
      const spec = sequential({layers: [simpleRNN({units: 16, inputShape: [T, 1]}), dense({units: 1})]});
      expect(spec.countParams()).toBe(305);
    }
  });
});

describe("the sequence task", () => {
  test("a noisy sine, split in time; windows end right before their target", () => {
    const s = noisySeries({noise: 0, length: 50});
    expect(s[5]).toBeCloseTo(clean("sine", 5), 6);
    const task = sequenceTask({window: 10, noise: 0.1});
    expect(task.xShape).toEqual([10, 1]);
    expect(task.y.length).toBe(450 - 10);
    expect(task.testY.length).toBe(150);
    expect(task.testTimes[0]).toBe(450);
    expect(task.x[0 * 10 + 9]).toBe(task.series[9]); // first window ends at s(9), target s(10)
    expect(task.y[0]).toBe(task.series[10]);
    expect(task.testY[3]).toBe(task.series[453]);
    // Predicting the mean costs the variance: about ½ for a unit sine, plus σ².
    expect(task.meanBaseline).toBeGreaterThan(0.4);
    expect(task.meanBaseline).toBeLessThan(0.65);
    expect(task.noiseFloor).toBeCloseTo(0.01, 8);
  });
});

describe("a small RNN learns to predict the next value", () => {
  test("simpleRNN(16) + dense(1), Adam, fixed seed: test MSE well under the predict-the-mean baseline", async () => {
    const task = sequenceTask({window: 20, noise: 0.1});
    const model = sequential({layers: [simpleRNN({units: 16, inputShape: task.xShape}), dense({units: 1})]});
    model.compile({optimizer: "adam", loss: "meanSquaredError", learningRate: 0.01});
    const before = tf.memory().numTensors;
    const start = performance.now();
    const run = train(model, {data: task, onMain: true, batchSize: 32, steps: 150, snapshotEvery: 0, validation: "snapshot", seed: 1, include: {predictions: {x: task.testX, shape: task.xShape}}});
    const snaps = [];
    for await (const s of run) snaps.push(s);
    const seconds = (performance.now() - start) / 1000;
    const last = snaps.at(-1)!;
    const testMse = mse(last.predictions!, task.testY);
    console.log(`rnn: 150 steps in ${seconds.toFixed(1)} s on cpu (${(150 / seconds).toFixed(0)} steps/s); train loss ${last.history[0]!.loss.toFixed(3)} → ${last.loss.toFixed(4)}; test MSE ${testMse.toFixed(4)} vs predict-the-mean ${task.meanBaseline.toFixed(3)} (noise floor ${task.noiseFloor})`);
    expect(last.step).toBe(150);
    expect(testMse).toBeCloseTo(last.valLoss!, 4);
    expect(testMse).toBeLessThan(task.meanBaseline / 10);
    expect(testMse).toBeGreaterThan(task.noiseFloor * 0.5); // nobody predicts the noise
    expect((await run.ended).numTensors).toBe(before);
  });
});
