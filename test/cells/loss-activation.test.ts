// Numerics for the loss-activation lesson, on the tfjs cpu backend.
import {beforeAll, describe, expect, test} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {
  CHEATSHEET, batchLoss, mseToBceGradientRatio, recommended, sampleLoss, sigmoid, sigmoidLogitGradient, type CheatsheetLoss
} from "../../cells/losses.js";
import {mulberry32} from "../../cells/data/random.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** The loss exactly as `model.compile({loss})` computes it: a weightless model that passes its input through. */
function tfjsLoss(loss: CheatsheetLoss, ys: number[][], ps: number[][]): number {
  const n = ys[0]!.length;
  const model = tfl.sequential({layers: [tfl.layers.activation({activation: "linear", inputShape: [n]})]});
  model.compile({optimizer: "sgd", loss});
  const value = tf.tidy(() => {
    const result = model.evaluate(tf.tensor2d(ps), tf.tensor2d(ys), {batchSize: ys.length}) as tf.Scalar;
    return result.dataSync()[0]!;
  });
  model.dispose();
  return value;
}

describe("each loss matches its formula on hand-computed examples", () => {
  // [loss, targets, predictions, value worked out by hand]
  const cases: [CheatsheetLoss, number[][], number[][], number, string][] = [
    ["meanSquaredError", [[1], [2], [3]], [[1.5], [2], [2]], (0.25 + 0 + 1) / 3, "((0.5)² + 0² + 1²) / 3"],
    ["meanAbsoluteError", [[1], [2], [3]], [[1.5], [2], [2]], (0.5 + 0 + 1) / 3, "(0.5 + 0 + 1) / 3"],
    ["meanSquaredLogarithmicError", [[0], [Math.E - 1]], [[Math.E - 1], [Math.E - 1]], 0.5, "((ln e − ln 1)² + 0) / 2"],
    ["binaryCrossentropy", [[1], [0]], [[0.8], [0.4]], (-Math.log(0.8) - Math.log(0.6)) / 2, "(−ln 0.8 − ln 0.6) / 2"],
    ["categoricalCrossentropy", [[0, 1, 0]], [[0.2, 0.5, 0.3]], Math.log(2), "−ln 0.5"],
    ["kullbackLeiblerDivergence", [[0.5, 0.5]], [[0.25, 0.75]], 0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), "½ ln(0.5/0.25) + ½ ln(0.5/0.75)"]
  ];
  for (const [loss, ys, ps, byHand, working] of cases) {
    test(`${loss} = ${working}`, () => {
      expect(batchLoss(loss, ys, ps)).toBeCloseTo(byHand, 6);
      expect(tfjsLoss(loss, ys, ps)).toBeCloseTo(byHand, 5);
    });
  }

  test("on random batches every formula agrees with tfjs to 1e-5", () => {
    const random = mulberry32(7);
    for (const row of CHEATSHEET) {
      const n = row.size === "N nodes" ? 4 : 1;
      const rows = 16;
      const ys = Array.from({length: rows}, () => Array.from({length: n}, () => random()));
      const ps = Array.from({length: rows}, () => Array.from({length: n}, () => 0.01 + 0.98 * random()));
      if (row.task === "multiclass") {
        // distributions for targets and predictions, as a softmax layer would give
        for (const v of [...ys, ...ps]) {
          const s = v.reduce((a, b) => a + b, 0);
          v.forEach((x, j) => (v[j] = x / s));
        }
      }
      if (row.task === "binary") ys.forEach((y) => (y[0] = Math.round(y[0]!)));
      const ours = batchLoss(row.loss, ys, ps);
      expect(Math.abs(ours - tfjsLoss(row.loss, ys, ps)), row.loss).toBeLessThan(1e-5 * Math.max(1, ours));
    }
  });

  test("categorical cross-entropy renormalises a sigmoid layer's outputs; KL does not, and reaches 0 with every output at 1", () => {
    // Sigmoid outputs 0.4, 1.0, 0.6 sum to 2: CCE treats them as 0.2, 0.5, 0.3.
    expect(sampleLoss("categoricalCrossentropy", [0, 1, 0], [0.4, 1, 0.6])).toBeCloseTo(Math.log(2), 6);
    expect(tfjsLoss("categoricalCrossentropy", [[0, 1, 0]], [[0.4, 1, 0.6]])).toBeCloseTo(Math.log(2), 5);
    // A useless sigmoid layer that says "1" for every class has zero KL loss against any one-hot target.
    expect(sampleLoss("kullbackLeiblerDivergence", [0, 1, 0], [1, 1, 1])).toBe(0);
    expect(tfjsLoss("kullbackLeiblerDivergence", [[0, 1, 0]], [[1, 1, 1]])).toBeCloseTo(0, 6);
  });

  test("binary cross-entropy clips predictions to [1e-7, 1 − 1e-7]: a linear output saturates at −ln(1e-7)", () => {
    const ceiling = -Math.log(1e-7); // 16.118
    expect(sampleLoss("binaryCrossentropy", [1], [-3])).toBeCloseTo(ceiling, 4);
    expect(tfjsLoss("binaryCrossentropy", [[1]], [[-3]])).toBeCloseTo(ceiling, 2);
    expect(tfjsLoss("binaryCrossentropy", [[1]], [[-300]])).toBeCloseTo(ceiling, 2);
  });

  test("the corrected cheatsheet pairs both multiclass losses with softmax and names every loss as tfjs does", () => {
    expect(CHEATSHEET.filter((r) => r.task === "multiclass").map((r) => r.activation)).toEqual(["softmax", "softmax"]);
    expect(CHEATSHEET.filter((r) => r.slideActivation).map((r) => r.loss)).toEqual(["categoricalCrossentropy", "kullbackLeiblerDivergence"]);
    expect(recommended("binary")).toEqual({loss: "binaryCrossentropy", activation: "sigmoid"});
    for (const row of CHEATSHEET) {
      // the tfjs name is the Keras name in camelCase
      expect(row.keras.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())).toBe(row.loss);
    }
  });
});

describe("confidently wrong: MSE through a sigmoid barely pulls, cross-entropy pulls hard", () => {
  /** dL/dz through tfjs's own sigmoid and loss, for one output with logit z and target y. */
  function tfjsGradient(loss: "meanSquaredError" | "binaryCrossentropy", z: number, y: number): number {
    return tf.tidy(() => {
      const lossFn = tfl.metrics[loss];
      const grad = tf.grad((logit: tf.Tensor) => lossFn(tf.tensor2d([[y]]), tf.sigmoid(logit)).mean());
      return grad(tf.tensor2d([[z]])).dataSync()[0]!;
    });
  }

  test("tfjs gradients equal 2(p − y)·p(1 − p) for MSE and (p − y) for binary cross-entropy", () => {
    for (const [z, y] of [[-6, 1], [-2, 1], [0, 1], [1.5, 0], [4, 0], [0.3, 1]] as const) {
      const p = sigmoid(z);
      expect(tfjsGradient("meanSquaredError", z, y)).toBeCloseTo(2 * (p - y) * p * (1 - p), 5);
      expect(tfjsGradient("binaryCrossentropy", z, y)).toBeCloseTo(p - y, 5);
      expect(sigmoidLogitGradient("meanSquaredError", z, y)).toBeCloseTo(2 * (p - y) * p * (1 - p), 12);
      expect(sigmoidLogitGradient("binaryCrossentropy", z, y)).toBeCloseTo(p - y, 12);
    }
  });

  test("the ratio is 2p(1 − p) (not p(1 − p): tfjs's MSE has no ½), about 1/200 at z = −6 with y = 1", () => {
    const z = -6, y = 1, p = sigmoid(z);
    const ratio = tfjsGradient("meanSquaredError", z, y) / tfjsGradient("binaryCrossentropy", z, y);
    expect(ratio).toBeCloseTo(mseToBceGradientRatio(p), 5);
    expect(ratio).toBeCloseTo(0.004933, 5);
    expect(ratio / (p * (1 - p))).toBeCloseTo(2, 4);
    // cross-entropy still pulls with almost full strength
    expect(tfjsGradient("binaryCrossentropy", z, y)).toBeCloseTo(-0.99753, 4);
    // the ratio never exceeds ½ (at p = ½)
    expect(mseToBceGradientRatio(0.5)).toBe(0.5);
  });
});
