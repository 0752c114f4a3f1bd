// Numerics for the loss-activation lesson, on the tfjs cpu backend: the losses against tfjs's own,
// then every curve the lesson shows, trained through the live-model harness in this process.
import {beforeAll, describe, expect, test} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {
  CHEATSHEET, batchLoss, maeToBceGradientRatio, mseToBceGradientRatio, recommended, sampleLoss, sigmoid, sigmoidLogitGradient, softmax,
  type CheatsheetLoss, type LastActivation, type Task
} from "../../cells/losses.js";
import {mulberry32} from "../../cells/data/random.js";
import {handshake, TrainerHost} from "../../cells/train/client.js";
import type {Extras, FromTrainer, ToTrainer} from "../../cells/train/protocol.js";
import {serveTrainer} from "../../cells/train/trainer-core.js";
import {connectedPair} from "../../cells/train/transport.js";
import {epochMeans, finalCurve, overfittingTurn, readCurve, type CurveRun, type LossCurve} from "../../cells/losses/curves.js";
import {REGIMES, blobsNet, deadReluNet, dropoutRun, explorerRun, galleryPanels, overfittingRun, tabularSplit, waveData} from "../../cells/regimes.js";
import {train} from "../../cells/train/client.js";
import {chanceScore, pairNote, scoreTask, taskData, taskNet} from "../../cells/losses/tasks.js";

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

describe("softmax, defined where the lesson offers it", () => {
  test("softmax(z)_j = e^{z_j} / Σ e^{z_k}: positive, sums to 1, equals tf.softmax; the lesson's example (2, 1, 0) gives 0.665, 0.245, 0.090", () => {
    const z = [2, 1, 0];
    const p = softmax(z);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p.map((v) => Number(v.toFixed(3)))).toEqual([0.665, 0.245, 0.09]);
    const byTf = tf.tidy(() => Array.from(tf.softmax(tf.tensor1d(z)).dataSync()));
    p.forEach((v, j) => expect(v).toBeCloseTo(byTf[j]!, 6));
    // one node: e^z / e^z = 1 whatever z is
    expect(softmax([-3])).toEqual([1]);
  });

  test("softmax + categorical cross-entropy: ∂L/∂z = p − y (tf.grad)", () => {
    const z = [2, 1, 0], y = [0, 1, 0], p = softmax(z);
    const grad = tf.tidy(() => Array.from(tf.grad((logits: tf.Tensor) => tfl.metrics.categoricalCrossentropy(tf.tensor2d([y]), tf.softmax(logits)).sum())(tf.tensor2d([z])).dataSync()));
    grad.forEach((g, j) => expect(g).toBeCloseTo(p[j]! - y[j]!, 5));
  });
});

describe("confidently wrong: MSE through a sigmoid barely pulls, cross-entropy pulls hard", () => {
  /** dL/dz through tfjs's own sigmoid and loss, for one output with logit z and target y. */
  function tfjsGradient(loss: "meanSquaredError" | "meanAbsoluteError" | "binaryCrossentropy", z: number, y: number): number {
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

  test("MAE through a sigmoid pulls with sign(p − y)·p(1 − p): cross-entropy's pull times p(1 − p)/|p − y|", () => {
    for (const [z, y] of [[-6, 1], [-2, 1], [0, 1], [1.5, 0], [4, 0]] as const) {
      const p = sigmoid(z);
      expect(tfjsGradient("meanAbsoluteError", z, y)).toBeCloseTo(Math.sign(p - y) * p * (1 - p), 5);
      expect(sigmoidLogitGradient("meanAbsoluteError", z, y)).toBeCloseTo(Math.sign(p - y) * p * (1 - p), 12);
      expect(tfjsGradient("meanAbsoluteError", z, y) / tfjsGradient("binaryCrossentropy", z, y)).toBeCloseTo(maeToBceGradientRatio(p, y), 4);
    }
  });

  test("the pair note for a sigmoid with squared or absolute error states the right factors", () => {
    const note = pairNote("binary", "sigmoid", "meanSquaredError")!;
    expect(note).toContain("2p(1 − p)");
    expect(note).toContain("p(1 − p)/|p − y|");
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

// --- Curves trained through the harness, in process, on the cpu backend ----------------------

let host: TrainerHost;
beforeAll(async () => {
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  serveTrainer(trainer);
  host = new TrainerHost(async () => ({transport: page, backend: await handshake(page, "cpu")}));
  expect((await host.backend).name).toBe("cpu");
});
const curveOf = (run: CurveRun, include?: Extras) => finalCurve(run, {host, ...(include ? {include} : {})});

describe("reading a curve", () => {
  test("epoch means average each finished epoch; an epoch with a NaN is NaN and ends the list", () => {
    expect(epochMeans([4, 2, 3, 1, 9], 2)).toEqual([3, 2]);
    expect(epochMeans([4, 2, NaN], 2)).toEqual([3, NaN]);
  });

  test("each shape on a made-up curve", () => {
    const read = (steps0: number, epochs: number[]) => readCurve({steps: [steps0], epochs}).shape;
    expect(read(1, [0.5, 0.2, 0.05, 0.02])).toBe("good");
    expect(read(1, [0.8, 0.6, 0.4, 0.2])).toBe("slow");
    expect(read(1, [0.9, 0.8, 0.7, 0.6])).toBe("barely moves");
    expect(read(1, [0.99, 1.0, 0.98, 0.99])).toBe("flat");
    expect(read(1, [0.3, 0.6, 0.2, 0.5, 0.3, 0.6])).toBe("oscillates");
    expect(read(1, [0.05, 0.02, 0.06, 0.01, 0.04, 0.02, 0.05])).toBe("noisy");
    expect(read(1, [2, 5, 30])).toBe("diverges");
    expect(readCurve({steps: [1, 3, NaN], epochs: [NaN]})).toMatchObject({shape: "diverges", brokeAt: 3});
  });

  test("a turn needs validation to rise ≥ 10 % after its minimum while training still falls", () => {
    expect(overfittingTurn({epochs: [1, 0.8, 0.6, 0.5, 0.4], validation: [1, 0.7, 0.75, 0.8, 0.9]})).toMatchObject({epoch: 2, best: 0.7});
    expect(overfittingTurn({epochs: [1, 0.8, 0.6, 0.5, 0.4], validation: [1, 0.8, 0.7, 0.65, 0.6]})).toBeNull();
    expect(overfittingTurn({epochs: [1, 0.8, 0.9, 1.0, 1.1], validation: [1, 0.7, 0.75, 0.8, 0.9]})).toBeNull();
  });
});

describe("learning rate: four regimes from fixed seeds", () => {
  test("too low barely moves, good is good, too high oscillates, diverging diverges — four distinct shapes, seeds 1 and 2", async () => {
    expect(new Set(REGIMES.map((r) => r.shape)).size).toBe(4);
    for (const seed of [1, 2]) {
      for (const regime of REGIMES) {
        const curve = await curveOf(explorerRun({learningRate: regime.learningRate, seed}));
        expect(readCurve(curve).shape, `${regime.name}, seed ${seed}`).toBe(regime.shape);
      }
    }
  });

  test("the same seed gives the same curve, step for step", async () => {
    const a = await curveOf(explorerRun({learningRate: 0.5}));
    const b = await curveOf(explorerRun({learningRate: 0.5}));
    expect(a.steps).toHaveLength(40 * 8);
    expect(b.steps).toEqual(a.steps);
    const other = await curveOf(explorerRun({learningRate: 0.5, seed: 2}));
    expect(other.steps).not.toEqual(a.steps);
  });

  test("100× the good rate diverges (NaN within a few steps, the run stops itself); 1/100 of it barely moves", async () => {
    const good = REGIMES.find((r) => r.name === "good")!.learningRate;
    const [tooHigh, goodCurve, tooLow] = [await curveOf(explorerRun({learningRate: 100 * good})), await curveOf(explorerRun({learningRate: good})), await curveOf(explorerRun({learningRate: good / 100}))];
    expect(tooHigh.reason).toBe("diverged");
    expect(readCurve(tooHigh).brokeAt).toBeLessThanOrEqual(8);
    expect(readCurve(goodCurve).reduction).toBeGreaterThan(10);
    const low = readCurve(tooLow);
    expect(low.reduction).toBeLessThan(3); // after 320 steps the loss has not even fallen to a third
    expect(low.wobble).toBeLessThan(0.1); // and not because it jumps: it creeps
  });
});

describe("the explorer's claims, as the lesson states them", () => {
  test("the right learning rate depends on the optimizer: at 0.001 SGD barely moves while Adam learns; Adam at 1 blows up", async () => {
    expect(readCurve(await curveOf(explorerRun({learningRate: 0.001}))).shape).toBe("barely moves");
    expect(readCurve(await curveOf(explorerRun({learningRate: 0.001, optimizer: "adam"}))).shape).toBe("good");
    expect(readCurve(await curveOf(explorerRun({learningRate: 0.1, optimizer: "adam"}))).shape).toBe("good");
    expect(readCurve(await curveOf(explorerRun({learningRate: 1, optimizer: "adam"}))).shape).toBe("diverges");
  });

  test("Adam from about 0.3: its first steps throw the loss far up (the first epoch's mean is over 10× the starting loss)", async () => {
    const curve = await curveOf(explorerRun({learningRate: 0.3, optimizer: "adam"}));
    expect(curve.epochs[0]!).toBeGreaterThan(10 * curve.steps[0]!);
    expect(readCurve(curve).shape).toBe("diverges");
  });

  test("SGD at 0.1: a batch of 256 stalls near 0.09; a batch of 4 ends over 20× lower (the lesson says so)", async () => {
    const big = await curveOf(explorerRun({learningRate: 0.1, batchSize: 256}));
    const small = await curveOf(explorerRun({learningRate: 0.1, batchSize: 4}));
    expect(big.steps).toHaveLength(40);
    expect(big.epochs.at(-1)!).toBeGreaterThan(0.07);
    expect(big.epochs.at(-1)!).toBeLessThan(0.11);
    console.log(`batch 256: ${big.epochs.at(-1)}, batch 4: ${small.epochs.at(-1)}, ratio ${big.epochs.at(-1)! / small.epochs.at(-1)!}`);
    expect(small.epochs.at(-1)! * 20).toBeLessThan(big.epochs.at(-1)!);
  });
});

describe("validation", () => {
  test("60 points: validation loss turns up while training loss keeps falling", async () => {
    const curve = await curveOf(overfittingRun());
    const turn = overfittingTurn(curve)!;
    expect(turn).not.toBeNull();
    expect(turn.epoch).toBeGreaterThanOrEqual(3);
    expect(turn.epoch).toBeLessThanOrEqual(40);
    expect(turn.rise).toBeGreaterThan(1.25);
    expect(turn.trainingAfter).toBeLessThan(0.8);
    // from the turn on, the training loss is lower at the end than at any earlier tenth of the run
    expect(curve.epochs.at(-1)!).toBeLessThan(Math.min(...curve.epochs.slice(0, 135)));
  });

  test("the network has 1,185 parameters; with 400 training points instead of 60 its validation loss does not turn up", async () => {
    expect(blobsNet().countParams()).toBe(1185);
    expect(overfittingTurn(await curveOf(overfittingRun({train: 400})))).toBeNull();
  });

  test("dropout 0.5: the validation loss sits below the reported training loss; without dropout it does not", async () => {
    const share = (curve: LossCurve) => curve.validation.filter((v, e) => v < curve.epochs[e]!).length / curve.validation.length;
    // dropout masks are not seeded, so this run varies a little: measured 52–60 of 60 epochs
    expect(share(await curveOf(dropoutRun({rate: 0.5})))).toBeGreaterThan(0.75);
    expect(share(await curveOf(dropoutRun({rate: 0})))).toBeLessThan(0.25);
  });

  test("the first epoch's reported training loss is above the validation loss measured after it (averaging over an improving model)", async () => {
    const curve = await curveOf(overfittingRun({epochs: 3}));
    expect(curve.epochs[0]!).toBeGreaterThan(curve.validation[0]!);
  });
});

describe("the gallery of horrors", () => {
  test("each panel's curve has the shape its caption claims", async () => {
    for (const panel of galleryPanels()) {
      for (const [i, {run, label}] of panel.runs.entries()) {
        const expected = panel.expect[i]!;
        if (expected === "overfits") continue; // the validation tests above train this run
        const curve = await curveOf(run);
        const reading = readCurve(curve);
        if (expected.shape !== undefined) expect(reading.shape, `${panel.id} ${label}`).toBe(expected.shape);
        if (expected.stillFalling !== undefined) expect(reading.stillFalling, `${panel.id} ${label} still falling`).toBe(expected.stillFalling);
        // "down to near the noise in the data (0.05² = 0.0025)": it ends between that floor and twice it
        if (panel.id === "healthy") {
          expect(curve.epochs.at(-1)!).toBeGreaterThan(0.0025);
          expect(curve.epochs.at(-1)!).toBeLessThan(0.005);
        }
        // "until the numbers overflow to NaN"
        if (panel.id === "diverging") expect(reading.brokeAt).toBeDefined();
      }
    }
  });
});

describe("dead ReLUs", () => {
  test("only the output bias learns: every hidden weight stays put, and the loss flattens at the targets' variance (predicting the mean)", async () => {
    const data = waveData();
    const run = train(deadReluNet(), {data, batchSize: 32, epochs: 20, seed: 1, snapshotEvery: 0, validation: "none", include: {weights: true}, host});
    let first: Float32Array[] | undefined, last: Float32Array[] | undefined, loss = NaN;
    for await (const s of run) {
      first ??= s.weights!.map((w) => w.values.slice());
      last = s.weights!.map((w) => w.values);
      loss = s.history.at(-1)!.loss;
    }
    const changed = last!.map((w, k) => w.some((v, i) => Math.abs(v - first![k]![i]!) > 1e-7));
    expect(changed).toEqual([false, false, false, false, false, true]); // kernel, bias × 3 layers: only the output bias
    const mean = data.y.reduce((a, b) => a + b, 0) / data.y.length;
    const variance = data.y.reduce((a, b) => a + (b - mean) ** 2, 0) / data.y.length;
    expect(loss).toBeGreaterThan(0.8 * variance);
    expect(loss).toBeLessThan(1.25 * variance);
  });
});

describe("the cheatsheet, trained", () => {
  const score = async (task: Task, activation: LastActivation, loss: CheatsheetLoss) => {
    const data = taskData(task);
    const curve = await curveOf({model: taskNet(data, {activation, loss}), data, batchSize: 32, epochs: 40, seed: 1}, {predictions: {x: data.testX, shape: data.xShape}});
    return {curve, ...scoreTask(data, curve.predictions!), chance: chanceScore(data)};
  };

  test("the recommended pairs learn their tasks", async () => {
    const multiclass = await score("multiclass", "softmax", "categoricalCrossentropy");
    expect(multiclass.value).toBeGreaterThan(0.8);
    expect(multiclass.outputSum).toBeCloseTo(1, 4);
    expect((await score("binary", "sigmoid", "binaryCrossentropy")).value).toBeGreaterThan(0.9);
    const regression = await score("regression", "linear", "meanSquaredError");
    expect(regression.value).toBeLessThan(0.25 * regression.chance);
  });

  test("sigmoid + KL on three classes: the loss falls to ~0 while accuracy stays far below softmax's", async () => {
    const r = await score("multiclass", "sigmoid", "kullbackLeiblerDivergence");
    expect(r.curve.epochs.at(-1)!).toBeLessThan(1e-3);
    expect(r.value).toBeLessThan(0.7);
    expect(r.outputSum).toBeGreaterThan(2.9); // every output pinned near 1
    expect(pairNote("multiclass", "sigmoid", "kullbackLeiblerDivergence")).toMatch(/loss near zero, from a model that has learned little/);
  });

  test("sigmoid + categorical cross-entropy (the slide's pair) learns, but its outputs do not add up to 1", async () => {
    const r = await score("multiclass", "sigmoid", "categoricalCrossentropy");
    expect(r.value).toBeGreaterThan(0.8);
    expect(Math.abs(r.outputSum - 1)).toBeGreaterThan(0.05);
  });

  test("one output node: softmax, or categorical cross-entropy, learns nothing", async () => {
    const softmax = await score("binary", "softmax", "binaryCrossentropy");
    expect(softmax.value).toBeCloseTo(softmax.chance, 6);
    const cce = await score("binary", "sigmoid", "categoricalCrossentropy");
    expect(cce.value).toBeLessThan(0.6);
    expect(Math.max(...cce.curve.steps)).toBeLessThan(1e-6); // the loss is ~0 from the first step
  });
});

test("the Keras example's split is 600 / 200 / 200 rows of 8 features", () => {
  const split = tabularSplit();
  expect([split.train.x.length, split.validation.x.length, split.test.x.length]).toEqual([600, 200, 200]);
  expect(split.train.x[0]).toHaveLength(8);
  expect(split.test.y[0]).toHaveLength(1);
});
