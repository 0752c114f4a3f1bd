// Lesson 3's "when MAE or MSLE wins" section, on the tfjs cpu backend through the harness: each
// loss wins the error it is made for, on data made to tell them apart, from the lesson's seeds.
import {beforeAll, describe, expect, test} from "vitest";
import type {TrainerHost} from "../../cells/train/client.js";
import {cpuHost} from "./cpu-host.js";
import {finalCurve} from "../../cells/losses/curves.js";
import {OUTLIER_OFFSET, OUTLIER_SHARE, robustData, robustRun, robustScore, type RobustCase} from "../../cells/losses/robust.js";
import type {CheatsheetLoss} from "../../cells/losses.js";
import {dense, sequential} from "../../cells/train/spec.js";

let host: TrainerHost;
beforeAll(async () => {
  host = await cpuHost();
});

async function scored(which: RobustCase, loss: CheatsheetLoss, seed = 1) {
  const run = robustRun(which, loss, {seed});
  const curve = await finalCurve(run, {host, include: {predictions: {x: run.data.testX, shape: run.data.xShape}}});
  return {...robustScore(run.data, curve.predictions!), predictions: curve.predictions!};
}

describe("the data sets", () => {
  test("outliers: about 10 % of the training targets sit 6 above the curve; the held-out points are clean", () => {
    const data = robustData("outliers");
    const far = Array.from(data.y).filter((y, i) => Math.abs(y - (1 + 0.8 * Math.sin(3 * data.x[i]!))) > OUTLIER_OFFSET / 2).length;
    expect(far / data.y.length).toBeGreaterThan(OUTLIER_SHARE - 0.04);
    expect(far / data.y.length).toBeLessThan(OUTLIER_SHARE + 0.04);
    expect(Math.max(...data.testY)).toBeLessThan(1.81);
  });
  test("decades: targets span three decades, 1 to 1,000", () => {
    const {testY} = robustData("decades");
    expect(Math.min(...testY)).toBeLessThan(1.5);
    expect(Math.max(...testY)).toBeGreaterThan(700);
  });
  test("median and log errors on hand values", () => {
    const s = robustScore({testY: Float32Array.of(1, 2, 3)}, Float32Array.of(1, 2.5, 5));
    expect(s.medianError).toBeCloseTo(0.5, 6);
    expect(s.rmse).toBeCloseTo(Math.sqrt((0 + 0.25 + 4) / 3), 6);
    expect(s.logError).toBeCloseTo((0 + Math.log(3.5 / 3) + Math.log(6 / 4)) / 3, 6);
  });
});

describe("each loss wins the error it is made for", () => {
  test("10 % outliers: MAE's fit stays on the clean curve, MSE's is dragged up (seeds 1 and 2)", async () => {
    for (const seed of [1, 2]) {
      const mse = await scored("outliers", "meanSquaredError", seed), mae = await scored("outliers", "meanAbsoluteError", seed);
      expect(mae.rmse, `seed ${seed}`).toBeLessThan(0.1);
      expect(mse.rmse, `seed ${seed}`).toBeGreaterThan(5 * mae.rmse);
      // dragged up, toward the outliers: the mean residual is positive
      const run = robustData("outliers");
      const bias = mse.predictions.reduce((a, p, i) => a + p - run.testY[i]!, 0) / run.testY.length;
      expect(bias).toBeGreaterThan(0.3);
    }
  }, 60_000);

  test("three decades: MSLE wins the error in ratio, MSE the error in units (seeds 1 and 2)", async () => {
    for (const seed of [1, 2]) {
      const mse = await scored("decades", "meanSquaredError", seed), msle = await scored("decades", "meanSquaredLogarithmicError", seed);
      expect(msle.logError, `seed ${seed}`).toBeLessThan(mse.logError / 2);
      expect(mse.rmse, `seed ${seed}`).toBeLessThan(msle.rmse / 2);
    }
  }, 60_000);

  test("MSLE with a linear output that starts below 0 never learns: tfjs clips p at 1e-7, so no gradient (seed 3)", async () => {
    const stuck = await scored("decades", "meanSquaredLogarithmicError", 3);
    expect(Math.max(...stuck.predictions)).toBeLessThanOrEqual(0);
    expect(stuck.logError).toBeGreaterThan(3);
  }, 60_000);

  test("a ReLU output is stuck the same way from seed 3 (0 everywhere, no gradient); a softplus output learns (the lesson's way out)", async () => {
    const last = async (activation: "relu" | "softplus") => {
      const data = robustData("decades");
      const model = sequential({layers: [dense({units: 16, activation: "relu", inputShape: [1]}), dense({units: 16, activation: "relu"}), dense({units: 1, activation})]});
      model.compile({optimizer: "adam", loss: "meanSquaredLogarithmicError", learningRate: 0.05});
      const curve = await finalCurve({model, data, batchSize: 32, epochs: 80, seed: 3}, {host, include: {predictions: {x: data.testX, shape: data.xShape}}});
      return {...robustScore(data, curve.predictions!), predictions: curve.predictions!};
    };
    const relu = await last("relu");
    expect(Math.max(...relu.predictions)).toBe(0);
    expect(relu.logError).toBeGreaterThan(3);
    expect((await last("softplus")).logError).toBeLessThan(0.2);
  }, 60_000);

  test("MSE's fit sits about 0.6 above the clean curve: 10 % of the targets raised by 6 lift their mean by 0.6 (seed 1)", async () => {
    const mse = await scored("outliers", "meanSquaredError");
    const data = robustData("outliers");
    const bias = mse.predictions.reduce((a, p, i) => a + p - data.testY[i]!, 0) / data.testY.length;
    expect(OUTLIER_SHARE * OUTLIER_OFFSET).toBeCloseTo(0.6, 9);
    expect(Math.abs(bias - 0.6)).toBeLessThan(0.15);
  }, 60_000);
});
