// Every backend the lessons use must match the cpu backend on the ops dense models are made of:
// matMul in all four transpose combinations, fused dense (bias + activation), and their gradients.
// Tolerance: max |backend − cpu| ≤ 1e-5 × max |cpu| over each result. Measured with the routes:
// ≤ 3.2e-7 everywhere; without them the wasm _FusedMatMul with a transposed operand is off by up
// to 0.36 of the result's scale.
import {beforeAll, describe, expect, test, vi} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {numericsRoute, removeNumericsRoutes} from "../../cells/tf/numerics.js";
import {mulberry32} from "../../cells/data/random.js";
import {relativeError} from "./compare.js";

const TOLERANCE = 1e-5;
const M = 33, K = 65, N = 17; // odd sizes so no kernel takes a lucky aligned path
type Combo = [transposeA: boolean, transposeB: boolean];
const COMBOS: Combo[] = [[false, false], [true, false], [false, true], [true, true]];
const ACTIVATIONS = ["linear", "relu", "sigmoid"] as const;

function seeded(shape: number[], seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({length: shape.reduce((n, d) => n * d, 1)}, () => 2 * random() - 1);
}
const A = seeded([M, K], 1), B = seeded([K, N], 2), BIAS = seeded([N], 3), R = seeded([M, N], 4);

/** The operands laid out as each transpose combination expects them. */
function operands([ta, tb]: Combo) {
  const a = tf.tensor2d(A, [M, K]), b = tf.tensor2d(B, [K, N]);
  return {a: ta ? a.transpose() : a, b: tb ? b.transpose() : b};
}

/** Runs `f` on a backend and returns every output's values, tensors freed. */
async function on(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(f).map((t) => {
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  });
}

function matMul(combo: Combo) {
  return () => {
    const {a, b} = operands(combo);
    return [tf.matMul(a, b, combo[0], combo[1])];
  };
}
function fusedDense(combo: Combo, activation: (typeof ACTIVATIONS)[number]) {
  return () => {
    const {a, b} = operands(combo);
    return [tf.fused.matMul({a, b, transposeA: combo[0], transposeB: combo[1], bias: tf.tensor1d(BIAS), activation})];
  };
}
/** Gradients of Σ r ⊙ f(a, b, bias) with respect to every operand. */
function gradients(combo: Combo, activation: (typeof ACTIVATIONS)[number] | null) {
  return () => {
    const {a, b} = operands(combo);
    const bias = tf.tensor1d(BIAS), r = tf.tensor2d(R, [M, N]);
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      (activation === null
        ? tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, combo[0], combo[1])
        : tf.fused.matMul({a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeA: combo[0], transposeB: combo[1], bias: z, activation})
      ).mul(r).sum();
    return activation === null ? tf.grads((x: tf.Tensor, y: tf.Tensor) => f(x, y, bias))([a, b]) : tf.grads(f)([a, b, bias]);
  };
}

async function worstError(f: () => tf.Tensor[]): Promise<number> {
  const want = await on("cpu", f), got = await on("wasm", f);
  return Math.max(...want.map((w, i) => relativeError(got[i]!, w)));
}

const name = ([ta, tb]: Combo) => `${ta ? "Aᵀ" : "A"}·${tb ? "Bᵀ" : "B"}`;

beforeAll(async () => {
  expect(await tf.setBackend("wasm")).toBe(true);
});

describe("the wasm backend as shipped (tfjs-backend-wasm 4.22.0, no routes)", () => {
  test("its _FusedMatMul is wrong whenever an operand is transposed (the bug the route avoids)", async () => {
    removeNumericsRoutes();
    expect(await worstError(fusedDense([false, false], "relu"))).toBeLessThan(TOLERANCE);
    for (const combo of COMBOS.slice(1)) {
      for (const activation of ACTIVATIONS) {
        expect(await worstError(fusedDense(combo, activation)), `${name(combo)} + bias, ${activation}`).toBeGreaterThan(0.05);
      }
    }
  });

  test("its plain matMul is right in all four transpose combinations, only slow", async () => {
    removeNumericsRoutes();
    for (const combo of COMBOS) expect(await worstError(matMul(combo)), name(combo)).toBeLessThan(TOLERANCE);
  });
});

describe("the wasm backend with numericsRoute('wasm')", () => {
  test("matMul agrees with cpu in all four transpose combinations", async () => {
    numericsRoute("wasm");
    for (const combo of COMBOS) expect(await worstError(matMul(combo)), name(combo)).toBeLessThan(TOLERANCE);
  });

  test("fused dense (bias + linear, relu, sigmoid) agrees with cpu in all four combinations", async () => {
    numericsRoute("wasm");
    for (const combo of COMBOS) {
      for (const activation of ACTIVATIONS) {
        expect(await worstError(fusedDense(combo, activation)), `${name(combo)} ${activation}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  test("gradients of matMul and of fused dense agree with cpu", async () => {
    numericsRoute("wasm");
    for (const combo of COMBOS) {
      expect(await worstError(gradients(combo, null)), `d ${name(combo)}`).toBeLessThan(TOLERANCE);
      for (const activation of ACTIVATIONS) {
        expect(await worstError(gradients(combo, activation)), `d ${name(combo)} ${activation}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  test("a transposed operand is transposed by the native Transpose kernel first, and the copy freed", async () => {
    numericsRoute("wasm");
    await tf.setBackend("wasm");
    const transpose = tf.getKernel("Transpose", "wasm")!;
    const spy = vi.spyOn(transpose, "kernelFunc");
    for (const combo of COMBOS) {
      const {a, b} = operands(combo);
      const bias = tf.tensor1d(BIAS);
      const dataBefore = tf.engine().backend.numDataIds();
      spy.mockClear();
      tf.matMul(a, b, combo[0], combo[1]).dispose();
      tf.fused.matMul({a, b, transposeA: combo[0], transposeB: combo[1], bias, activation: "relu"}).dispose();
      expect(spy, name(combo)).toHaveBeenCalledTimes(2 * (Number(combo[0]) + Number(combo[1])));
      expect(tf.engine().backend.numDataIds(), name(combo)).toBe(dataBefore);
      tf.dispose([a, b, bias]);
    }
    spy.mockRestore();
  });

  test("a dense model's prediction and one Adam step agree with cpu", async () => {
    numericsRoute("wasm");
    const x = seeded([64, 20], 5), y = seeded([64, 4], 6);
    const step = () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({units: 16, activation: "relu", inputShape: [20], kernelInitializer: tfl.initializers.glorotUniform({seed: 7})}),
          tfl.layers.dense({units: 4, activation: "sigmoid", kernelInitializer: tfl.initializers.glorotUniform({seed: 8})})
        ]
      });
      const optimizer = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
      const xs = tf.tensor2d(x, [64, 20]), ys = tf.tensor2d(y, [64, 4]);
      const before = model.predict(xs) as tf.Tensor;
      const cost = optimizer.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs, {training: true}) as tf.Tensor) as tf.Scalar, true)!;
      const after = model.predict(xs) as tf.Tensor;
      const weights = model.getWeights().map((w) => w.clone());
      model.dispose();
      optimizer.dispose();
      return [before, cost, after, ...weights];
    };
    expect(await worstError(step)).toBeLessThan(TOLERANCE);
  });
});
