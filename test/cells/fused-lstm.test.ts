// Lesson 11's cells as one fused kernel per sequence each way (kernels/matmul.ts `sequenceForward`,
// `sequenceBackward`; cells/tf/fast-matmul.ts; cells/lstm/cell.ts `logits`) against the op-by-op
// cell on the cpu backend: the logits and the gradients of a loss with respect to W, b, the readout
// and the inputs xs, for the LSTM and the vanilla RNN, on sizes that are not multiples of the 6×8
// tile or of 4 lanes, batch 1, and the bench's size. Tolerance: max |wasm − cpu| ≤ 1e-5 × max |cpu|
// over each result (float32, sums in another order, our exp-based σ and tanh against tfjs's).
// Then the race (cells/lstm/model.ts) trains to the same losses with and without Lectern's kernels,
// without leaking tensors.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import {tf} from "../../cells/tf/tfjs.js";
import {numericsRoute} from "../../cells/tf/numerics.js";
import {fastMatMulCalls, installFastMatMul, removeFastMatMul} from "../../cells/tf/fast-matmul.js";
import {logits, type CellTensors} from "../../cells/lstm/cell.js";
import {raceStep} from "../../cells/lstm/model.js";
import {recallData, recallInputs, type RecallTask} from "../../cells/lstm/task.js";
import type {StepData} from "../../cells/train/step.js";
import {relativeError, seeded} from "./compare.js";

const TOLERANCE = 1e-5;

beforeAll(async () => {
  expect(await tf.setBackend("wasm")).toBe(true);
  numericsRoute("wasm");
  expect(await installFastMatMul()).toMatch(/LSTM and RNN: one kernel per sequence/);
});
afterAll(async () => {
  await tf.setBackend("wasm");
  removeFastMatMul();
});

type Sizes = [batch: number, steps: number, inputs: number, units: number];
const NAMES = ["logits", "dxs", "dW", "db", "dWy", "dby"];

/** logits and the gradients of Σ logits ⊙ R on one backend; `fused` says whether the fused kernels ran. */
async function run(backend: string, kind: "lstm" | "rnn", [B, T, m, n]: Sizes): Promise<{values: Float32Array[]; fused: boolean}> {
  await tf.setBackend(backend);
  const classes = 3, cols = (kind === "lstm" ? 4 : 1) * n;
  const before = fastMatMulCalls.sequence;
  const out = tf.tidy(() => {
    const xs = tf.tensor3d(seeded(B * T * m, 1), [B, T, m]);
    // Weights of Glorot's scale: a recurrent matrix far larger makes a chaotic RNN, whose
    // gradient 50 steps back amplifies any rounding difference.
    const W = tf.tensor2d(seeded((m + n) * cols, 2, 1.5 / Math.sqrt(m + n)), [m + n, cols]), b = tf.tensor1d(seeded(cols, 3, 0.5));
    const Wy = tf.tensor2d(seeded(n * classes, 4), [n, classes]), by = tf.tensor1d(seeded(classes, 5));
    const R = tf.tensor2d(seeded(B * classes, 6), [B, classes]);
    const f = (xs: tf.Tensor, W: tf.Tensor, b: tf.Tensor, Wy: tf.Tensor, by: tf.Tensor) => {
      const cell = {kind, W, b, Wy, by} as CellTensors;
      return logits(tf, cell, xs as tf.Tensor3D);
    };
    const y = f(xs, W, b, Wy, by);
    const grads = tf.grads((xs, W, b, Wy, by) => tf.sum(tf.mul(f(xs!, W!, b!, Wy!, by!), R)))([xs, W, b, Wy, by]);
    return [y, ...grads];
  });
  const values = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return {values, fused: fastMatMulCalls.sequence > before};
}

describe.each(["lstm", "rnn"] as const)("the fused %s sequence against the op-by-op cell on cpu", (kind) => {
  test.each([
    [[5, 7, 3, 5]], // nothing a multiple of the tile or of 4 lanes
    [[1, 7, 3, 5]], // batch 1
    [[2, 2, 3, 6]], // two steps (tfjs's own unstack gradient fails at T = 1)
    [[64, 50, 8, 32]] // the bench's size
  ] as [Sizes][])("B, T, m, n = %j: logits and gradients within 1e-5", async (sizes) => {
    const want = await run("cpu", kind, sizes);
    const got = await run("wasm", kind, sizes);
    expect(want.fused).toBe(false);
    expect(got.fused, "the fused kernel ran").toBe(true);
    for (const [i, name] of NAMES.entries()) expect(Math.max(...want.values[i]!.map(Math.abs)), `${name} is not all zeros`).toBeGreaterThan(0);
    const errors = Object.fromEntries(NAMES.map((name, i) => [name, relativeError(got.values[i]!, want.values[i]!)]));
    for (const name of NAMES) expect(errors[name], name).toBeLessThanOrEqual(TOLERANCE);
  });

  test("a probe (lesson 10's ∂L/∂h(t)) keeps the op-by-op cell", async () => {
    await tf.setBackend("wasm");
    const before = fastMatMulCalls.sequence;
    tf.tidy(() => {
      const n = 4, cols = (kind === "lstm" ? 4 : 1) * n;
      const cell = {kind, W: tf.zeros([3 + n, cols]), b: tf.zeros([cols]), Wy: tf.zeros([n, 2]), by: tf.zeros([2])} as CellTensors;
      logits(tf, cell, tf.zeros([2, 5, 3]) as tf.Tensor3D, tf.zeros([5, 2, n]) as tf.Tensor3D);
    });
    expect(fastMatMulCalls.sequence).toBe(before);
  });
});

describe("the race step (cells/lstm/model.ts)", () => {
  const task: RecallTask = {length: 30, symbols: 4, distractors: 4, noise: 1};
  const m = recallInputs(task), count = 128, batch = 32, steps = 8;

  /** Losses of both models over a few steps, and the tensor count after each step. */
  async function race(): Promise<{lstm: number[]; rnn: number[]; tensors: number[]}> {
    const train = recallData(task, count, 1);
    const data: StepData = {
      x: tf.tensor3d(train.x, [count, task.length, m]), y: tf.tensor2d(train.y, [count, 4]), count,
      xShape: [task.length, m], yShape: [4]
    };
    const run = await raceStep.init({config: {units: 32}, seed: 1, data, tf});
    const result = {lstm: [] as number[], rnn: [] as number[], tensors: [] as number[]};
    for (let s = 0; s < steps; s++) {
      const from = (s * batch) % count;
      const losses = tf.tidy(() => {
        const out = run.step({x: tf.slice(data.x, [from, 0, 0], [batch, -1, -1]), y: tf.slice(data.y, [from, 0], [batch, -1]), step: s});
        return [(out.loss as tf.Tensor).dataSync()[0]!, (out.rnn as tf.Tensor).dataSync()[0]!];
      });
      result.lstm.push(losses[0]!);
      result.rnn.push(losses[1]!);
      result.tensors.push(tf.memory().numTensors);
    }
    run.dispose();
    tf.dispose([data.x, data.y]);
    return result;
  }

  test("trains to the same losses with Lectern's kernels as with tfjs's, and leaks no tensors per step", async () => {
    await tf.setBackend("wasm");
    const before = fastMatMulCalls.sequence;
    const fast = await race();
    expect(fastMatMulCalls.sequence - before, "two fused models per step").toBe(2 * steps);
    removeFastMatMul();
    let stock;
    try {
      stock = await race();
    } finally {
      expect(await installFastMatMul()).not.toBeNull();
    }
    expect(fastMatMulCalls.sequence - before, "none with the stock kernels").toBe(2 * steps);
    for (const model of ["lstm", "rnn"] as const) {
      for (let s = 0; s < steps; s++) expect(Math.abs(fast[model][s]! - stock[model][s]!), `${model} step ${s}`).toBeLessThanOrEqual(TOLERANCE * stock[model][s]!);
    }
    // The losses move (training happens), and the tensor count is flat from the first step on.
    expect(fast.lstm[steps - 1]).not.toBe(fast.lstm[0]);
    expect(new Set(fast.tensors).size).toBe(1);
  });
});
