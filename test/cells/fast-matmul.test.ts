// Lectern's wasm matMul (cells/tf/fast-matmul.ts, kernels/matmul.ts) against the cpu backend:
// every transpose combination, batch dims (equal and broadcast), sizes that are not multiples of
// the 6×8 tile, batch 1, K past one 256-deep block, fused bias and every activation, gradients
// through dense layers, and a short Adam run whose loss curve must match the stock kernels'.
// Tolerance: max |wasm − cpu| ≤ 1e-5 × max |cpu| over each result (float32 sums in another
// order), as test/cells/numerics.test.ts. Also: Identity, Sum, one-pass Adam (≤ 1e-6 of tfjs's
// Adam) and the one-pass binary cross-entropy. Node runs the plain-SIMD build (relaxed SIMD needs a flag in Node 20);
// the browser tests run the relaxed one.
import {afterAll, beforeAll, describe, expect, test, vi} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {numericsRoute, removeNumericsRoutes} from "../../cells/tf/numerics.js";
import {fastBinaryCrossentropy, fastMatMulCalls, fastMatMulInstalled, fastMatMulProblem, installFastMatMul, removeFastMatMul} from "../../cells/tf/fast-matmul.js";
import {relativeError, seeded} from "./compare.js";

const TOLERANCE = 1e-5;
type Combo = [transposeA: boolean, transposeB: boolean];
const COMBOS: Combo[] = [[false, false], [true, false], [false, true], [true, true]];
const ACTIVATIONS = ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu"] as const;
const name = ([ta, tb]: Combo) => `${ta ? "Aᵀ" : "A"}·${tb ? "Bᵀ" : "B"}`;

async function on(backend: string, f: () => tf.Tensor[]): Promise<{values: Float32Array[]; shapes: number[][]}> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const result = {values: out.map((t) => t.dataSync() as Float32Array), shapes: out.map((t) => t.shape)};
  tf.dispose(out);
  return result;
}

/** Worst relative error of wasm (with the fast kernel) against cpu; shapes must agree. */
async function worstError(f: () => tf.Tensor[]): Promise<number> {
  const want = await on("cpu", f);
  const before = fastMatMulCalls.fast;
  const got = await on("wasm", f);
  expect(fastMatMulCalls.fast, "the fast kernel ran").toBeGreaterThan(before);
  expect(got.shapes).toEqual(want.shapes);
  return Math.max(...want.values.map((w, i) => relativeError(got.values[i]!, w)));
}

/** op(A)·op(B) for A (batchA…, m, k) and B (batchB…, k, n), stored as the transposes expect. */
function product(combo: Combo, m: number, k: number, n: number, batchA: number[] = [], batchB: number[] = []) {
  const [ta, tb] = combo;
  const aShape = [...batchA, ...(ta ? [k, m] : [m, k])], bShape = [...batchB, ...(tb ? [n, k] : [k, n])];
  const A = seeded(aShape.reduce((p, d) => p * d, 1), 11), B = seeded(bShape.reduce((p, d) => p * d, 1), 12);
  return () => [tf.matMul(tf.tensor(A, aShape), tf.tensor(B, bShape), ta, tb)];
}

const SIZES: [m: number, k: number, n: number][] = [
  [33, 65, 17], // odd everywhere
  [1, 40, 9], // batch 1 (one row)
  [12, 16, 16], // whole tiles
  [7, 300, 13], // K past one 256-deep block
  [5, 1, 3], // K = 1
  [64, 20, 1] // one column
];

beforeAll(async () => {
  expect(await tf.setBackend("wasm")).toBe(true);
  numericsRoute("wasm");
});
afterAll(async () => {
  await tf.setBackend("wasm");
  removeFastMatMul();
});

describe("installing", () => {
  test("the wasm backend's internals are what the kernel expects, and it installs without a warning", async () => {
    await tf.setBackend("wasm");
    expect(fastMatMulProblem(tf.findBackend("wasm"))).toBeNull();
    const warn = vi.spyOn(console, "warn");
    const said = await installFastMatMul();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(said).toMatch(/BatchMatMul, _FusedMatMul: Lectern's register-blocked wasm kernel \((relaxed )?SIMD/);
    expect(fastMatMulInstalled()).toBe(true);
  });

  test("if the internals change, it warns and keeps tfjs's own kernels", async () => {
    await tf.setBackend("wasm");
    removeFastMatMul();
    const backend = tf.findBackend("wasm") as unknown as {wasm: {asm: unknown}};
    const asm = backend.wasm.asm;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      backend.wasm.asm = {};
      expect(fastMatMulProblem(backend)).toMatch(/memory/);
      expect(await installFastMatMul()).toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/fast matMul is off/));
      expect(fastMatMulInstalled()).toBe(false);
    } finally {
      backend.wasm.asm = asm;
      warn.mockRestore();
    }
    expect(fastMatMulProblem({wasm: {}})).not.toBeNull();
    expect(await installFastMatMul()).not.toBeNull();
  });
});

describe("matMul against cpu", () => {
  test("all four transpose combinations at odd sizes, batch 1, one column, K = 1, K > 256", async () => {
    for (const combo of COMBOS) {
      for (const [m, k, n] of SIZES) {
        expect(await worstError(product(combo, m, k, n)), `${name(combo)} ${m}×${k}×${n}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  test("batch dims: equal batches, a broadcast single matrix on either side, rank 4", async () => {
    for (const combo of COMBOS) {
      expect(await worstError(product(combo, 9, 10, 11, [3], [3])), `${name(combo)} [3]·[3]`).toBeLessThan(TOLERANCE);
      expect(await worstError(product(combo, 9, 10, 11, [3], [])), `${name(combo)} [3]·[]`).toBeLessThan(TOLERANCE);
      expect(await worstError(product(combo, 9, 10, 11, [1], [4])), `${name(combo)} [1]·[4]`).toBeLessThan(TOLERANCE);
      expect(await worstError(product(combo, 5, 7, 6, [2, 3], [2, 3])), `${name(combo)} [2,3]·[2,3]`).toBeLessThan(TOLERANCE);
    }
  });

  test("batch shapes that broadcast both ways go to tfjs's kernel, and agree", async () => {
    await tf.setBackend("wasm");
    const before = fastMatMulCalls.fallback;
    const f = product([false, false], 4, 5, 3, [2, 1], [1, 3]);
    const want = await on("cpu", f), got = await on("wasm", f);
    expect(fastMatMulCalls.fallback).toBeGreaterThan(before);
    expect(got.shapes).toEqual([[2, 3, 4, 3]]);
    expect(relativeError(got.values[0]!, want.values[0]!)).toBeLessThan(TOLERANCE);
  });

  test("a shape mismatch throws as tfjs's kernel does", async () => {
    await tf.setBackend("wasm");
    expect(() => tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 2])))).toThrow(/inner shapes/);
  });
});

describe("fused matMul (bias + activation) against cpu", () => {
  test("every activation, every transpose combination, odd sizes", async () => {
    const [m, k, n] = [33, 65, 17];
    for (const combo of COMBOS) {
      for (const activation of ACTIVATIONS) {
        const [ta, tb] = combo;
        const A = seeded(m * k, 1, 2), B = seeded(k * n, 2), bias = seeded(n, 3);
        const f = () => [tf.fused.matMul({
          a: tf.tensor2d(A, ta ? [k, m] : [m, k]), b: tf.tensor2d(B, tb ? [n, k] : [k, n]), transposeA: ta, transposeB: tb,
          bias: tf.tensor1d(bias), activation, leakyreluAlpha: 0.3
        })];
        expect(await worstError(f), `${name(combo)} ${activation}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  test("sigmoid saturates as cpu's does (inputs far past ±20)", async () => {
    const A = seeded(4 * 8, 5, 30), B = seeded(8 * 6, 6, 3);
    const f = () => [tf.fused.matMul({a: tf.tensor2d(A, [4, 8]), b: tf.tensor2d(B, [8, 6]), activation: "sigmoid"})];
    expect(await worstError(f)).toBeLessThan(TOLERANCE);
  });
});

describe("gradients and training", () => {
  /** Gradients of Σ r ⊙ act(op(a)·op(b) + bias) with respect to a, b and bias. */
  test("gradients through fused dense in every transpose combination", async () => {
    const [m, k, n] = [19, 23, 10];
    for (const combo of COMBOS) {
      const [ta, tb] = combo;
      const A = seeded(m * k, 1), B = seeded(k * n, 2), bias = seeded(n, 3), R = seeded(m * n, 4);
      for (const activation of ["linear", "relu", "sigmoid"] as const) {
        const f = () => {
          const r = tf.tensor2d(R, [m, n]);
          const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.fused.matMul({a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: c, activation}).mul(r).sum();
          return tf.grads(loss)([tf.tensor2d(A, ta ? [k, m] : [m, k]), tf.tensor2d(B, tb ? [n, k] : [k, n]), tf.tensor1d(bias)]);
        };
        expect(await worstError(f), `d ${name(combo)} ${activation}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  /** Losses of `steps` Adam steps of a small dense model (a 20-16-8-20 autoencoder, sigmoid + BCE). */
  /** The harness's loss: one wasm pass each way while the kernels are on, tfjs-layers' otherwise. */
  const loss = fastBinaryCrossentropy((t, p) => tfl.metrics.binaryCrossentropy(t, p));
  function lossCurve(steps: number): number[] {
    const x = tf.tensor2d(seeded(64 * 20, 5).map((v) => (v + 1) / 2), [64, 20]);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({units: 16, activation: "relu", inputShape: [20], kernelInitializer: tfl.initializers.glorotUniform({seed: 7})}),
        tfl.layers.dense({units: 8, activation: "relu", kernelInitializer: tfl.initializers.glorotUniform({seed: 8})}),
        tfl.layers.dense({units: 20, activation: "sigmoid", kernelInitializer: tfl.initializers.glorotUniform({seed: 9})})
      ]
    });
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const cost = optimizer.minimize(() => loss(x, model.apply(x, {training: true}) as tf.Tensor).mean() as tf.Scalar, true)!;
      losses.push(cost.dataSync()[0]!);
      cost.dispose();
    }
    model.dispose();
    optimizer.dispose();
    x.dispose();
    return losses;
  }

  test("a short Adam run gives the same loss curve with the kernel, with tfjs's kernels, and on cpu", async () => {
    await tf.setBackend("cpu");
    const cpu = lossCurve(30);
    await tf.setBackend("wasm");
    expect(await installFastMatMul()).not.toBeNull();
    const before = fastMatMulCalls.fast;
    const fast = lossCurve(30);
    expect(fastMatMulCalls.fast - before, "matMuls through the kernel: 3 forward, 5 backward per step").toBeGreaterThanOrEqual(30 * 8);
    removeFastMatMul();
    const stock = lossCurve(30);
    expect(await installFastMatMul()).not.toBeNull();
    expect(fast[29]!).toBeLessThan(fast[0]! * 0.95); // it trains
    for (let i = 0; i < 30; i++) {
      expect(Math.abs(fast[i]! - stock[i]!), `step ${i}: ${fast[i]} vs stock ${stock[i]}`).toBeLessThan(1e-5 * stock[i]! + 1e-7);
      expect(Math.abs(fast[i]! - cpu[i]!), `step ${i}: ${fast[i]} vs cpu ${cpu[i]}`).toBeLessThan(1e-5 * cpu[i]! + 1e-7);
    }
  });

  test("one-pass Adam: the same weights, moments and step count as tfjs's Adam, and no leak", async () => {
    await tf.setBackend("wasm");
    const shapes = [[33, 17], [17], [5, 3, 2]];
    const runAdam = () => {
      const vars = shapes.map((shape, i) => {
        const initial = tf.tensor(seeded(shape.reduce((p, d) => p * d, 1), 20 + i), shape);
        const variable = tf.variable(initial);
        initial.dispose();
        return variable;
      });
      const optimizer = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
      for (let step = 0; step < 6; step++) {
        const grads = vars.map((v, i) => ({name: v.name, tensor: tf.tensor(seeded(v.size, 100 * step + i, 3), v.shape)}));
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      }
      const weights = vars.map((v) => v.dataSync().slice() as Float32Array);
      const moments = [...(optimizer as any).accumulatedFirstMoment, ...(optimizer as any).accumulatedSecondMoment].map((m: any) => m.variable.dataSync().slice() as Float32Array);
      const iterations = optimizer.iterations;
      optimizer.dispose();
      tf.dispose(vars);
      return {weights, moments, iterations};
    };
    expect(await installFastMatMul()).toMatch(/Adam: one pass per variable/);
    const tensors = tf.memory().numTensors;
    const ours = runAdam();
    expect(tf.memory().numTensors).toBe(tensors);
    removeFastMatMul();
    const stock = runAdam();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await installFastMatMul()).not.toBeNull();
    expect(ours.iterations).toBe(stock.iterations);
    [...ours.weights, ...ours.moments].forEach((got, i) => {
      const want = [...stock.weights, ...stock.moments][i]!;
      expect(relativeError(got, want), `array ${i}`).toBeLessThan(1e-6);
    });
  });

  test("Identity (tf.clone, tensors saved for gradients) shares memory and keeps it alive past the original", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const data = tf.engine().backend.numDataIds();
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(data); // no copy
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const z = tf.add(y, 1);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([y, z]);
    expect(tf.engine().backend.numDataIds()).toBe(data - 1);
  });

  test("binary cross-entropy in one pass: tfjs-layers' values and gradients (predictions and targets), clipping included", async () => {
    const stock = (t: tf.Tensor, p: tf.Tensor) => tfl.metrics.binaryCrossentropy(t, p);
    const fast = fastBinaryCrossentropy(stock);
    await tf.setBackend("wasm");
    expect(await installFastMatMul()).not.toBeNull();
    for (const [rows, n] of [[33, 17], [4, 784], [1, 3]] as const) {
      // Predictions from logits in ±20, some past the clip at 1e-7; targets in [0, 1] like pixels.
      const P = seeded(rows * n, 31, 20).map((z) => 1 / (1 + Math.exp(-z))), T = seeded(rows * n, 32).map((v) => (v + 1) / 2), R = seeded(rows, 33);
      const run = (loss: typeof stock) => () => {
        const t = tf.tensor2d(T, [rows, n]), p = tf.tensor2d(P, [rows, n]), r = tf.tensor1d(R);
        return [loss(t, p), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a, b).mul(r).sum())([t, p])];
      };
      const want = await on("cpu", run(stock));
      const before = fastMatMulCalls.loss;
      const got = await on("wasm", run(fast));
      expect(fastMatMulCalls.loss, "the fused loss ran").toBeGreaterThan(before);
      expect(got.shapes).toEqual(want.shapes);
      want.values.forEach((w, i) => expect(relativeError(got.values[i]!, w), `${rows}×${n} output ${i}`).toBeLessThan(1e-5));
    }
  });

  test("Sum over leading axes (bias gradients) in one pass agrees with cpu; other reductions go to tfjs's kernel", async () => {
    await tf.setBackend("wasm");
    expect(await installFastMatMul()).not.toBeNull();
    const X = seeded(256 * 37, 41), Y = seeded(3 * 5 * 7, 42);
    const f = () => [
      tf.sum(tf.tensor2d(X, [256, 37]), 0), tf.sum(tf.tensor2d(X, [256, 37]), 0, true), tf.sum(tf.tensor2d(X, [37, 256]), 0),
      tf.sum(tf.tensor3d(Y, [3, 5, 7]), [0, 1]), tf.sum(tf.tensor3d(Y, [3, 5, 7]), [1, 0], true),
      tf.sum(tf.tensor2d(X, [256, 37]), 1), tf.sum(tf.tensor2d(X, [256, 37])), tf.sum(tf.tensor3d(Y, [3, 5, 7]), [0, 2]),
      tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), 0)
    ];
    const want = await on("cpu", f), got = await on("wasm", f);
    expect(got.shapes).toEqual(want.shapes);
    want.values.forEach((w, i) => expect(relativeError(got.values[i]!, w), `sum ${i}`).toBeLessThan(TOLERANCE));
  });

  test("relu and sigmoid gradients in one pass each agree with cpu, and our kernels run", async () => {
    await tf.setBackend("wasm");
    expect(await installFastMatMul()).not.toBeNull();
    const X = seeded(33 * 17, 51, 8), DY = seeded(33 * 17, 52);
    const f = () => {
      const x = tf.tensor2d(X, [33, 17]), dy = tf.tensor2d(DY, [33, 17]);
      return [...tf.grads((a: tf.Tensor) => tf.relu(a).mul(dy).sum())([x]), ...tf.grads((a: tf.Tensor) => tf.sigmoid(a).mul(dy).sum())([x])];
    };
    const spies = ["LecternReluGrad", "LecternSigmoidGrad"].map((name) => vi.spyOn(tf.getKernel(name, "wasm")!, "kernelFunc"));
    const want = await on("cpu", f), got = await on("wasm", f);
    want.values.forEach((w, i) => expect(relativeError(got.values[i]!, w), ["relu", "sigmoid"][i]).toBeLessThan(TOLERANCE));
    for (const spy of spies) {
      expect(spy).toHaveBeenCalled();
      spy.mockRestore();
    }
  });

  test("gather along axis 0 (a batch of rows) agrees with cpu for float32, int32 and bool; other gathers and bad indices go to tfjs", async () => {
    await tf.setBackend("wasm");
    expect(await installFastMatMul()).not.toBeNull();
    const X = seeded(50 * 7 * 3, 61);
    const f = () => {
      const x = tf.tensor3d(X, [50, 7, 3]), idx = tf.tensor1d([49, 0, 3, 3, 17], "int32");
      return [
        tf.gather(x, idx), tf.gather(x, tf.tensor2d([1, 2, 3, 4], [2, 2], "int32")), tf.gather(tf.tensor2d(X.slice(0, 40), [8, 5]), tf.tensor1d([], "int32")),
        tf.gather(x, tf.tensor1d([2, 1], "int32"), 1), tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32"), tf.tensor1d([2, 0], "int32")),
        tf.gather(tf.tensor1d([1, 0, 1], "bool"), tf.tensor1d([2, 1], "int32")).cast("float32")
      ];
    };
    const want = await on("cpu", f), got = await on("wasm", f);
    expect(got.shapes).toEqual(want.shapes);
    want.values.forEach((w, i) => expect(Array.from(got.values[i]!), `gather ${i}`).toEqual(Array.from(w)));
    await tf.setBackend("wasm");
    expect(() => tf.tidy(() => tf.gather(tf.ones([4, 2]), tf.tensor1d([4], "int32")))).toThrow(/index value 4/);
  });

  test("no tensor or backend data leaks from the kernel", async () => {
    await tf.setBackend("wasm");
    const tensors = tf.memory().numTensors, data = tf.engine().backend.numDataIds();
    for (const combo of COMBOS) tf.dispose(tf.tidy(product(combo, 9, 10, 11, [2], [2])));
    tf.tidy(() => void tf.fused.matMul({a: tf.ones([3, 4]), b: tf.ones([4, 5]), bias: tf.ones([5]), activation: "relu"}));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(data);
  });
});

test("removeNumericsRoutes (tfjs as shipped) also takes the kernel off", async () => {
  await tf.setBackend("wasm");
  expect(await installFastMatMul()).not.toBeNull();
  removeNumericsRoutes();
  expect(fastMatMulInstalled()).toBe(false);
  numericsRoute("wasm");
});
