// Lesson 4 numerics on the tfjs cpu backend: the slides' parameter counts, the error formulas
// against hand computation, the floors on real digits, the page's JavaScript decoder against
// tfjs, and short trainings that learn (and adadelta at 0.001 that does not).
import {beforeAll, describe, expect, test} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {autoencoder, autoencoderParams, bce, decode, floors, mse, nearestCentroidAccuracy, perClassMse, SLIDE_MODELS, type AutoencoderOptions} from "../../cells/autoencoder.js";
import {buildModel} from "../../cells/train/build-model.js";
import {modelData} from "../../cells/train/spec.js";
import {mnistSplit, type MnistSplit} from "../../cells/data/mnist.js";

let digits: MnistSplit;
beforeAll(async () => {
  await tf.setBackend("cpu");
  digits = await mnistSplit({train: 1000, test: 500, seed: 0});
}, 60_000);

/** Trains `steps` batches of 50 on the first 500 training digits; returns the mean loss of the first and last 5 steps. */
async function shortTraining(options: AutoencoderOptions, steps: number): Promise<{first: number; last: number}> {
  const built = await buildModel(modelData(autoencoder(options)), 1);
  const x = tf.tensor2d(digits.train.images.subarray(0, 500 * 784), [500, 784]);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const cost = tf.tidy(() => {
      const batch = x.slice([(s * 50) % 500, 0], [50, 784]);
      return built.optimizer.minimize(() => tf.mean(built.loss(batch, built.model.apply(batch, {training: true}) as tf.Tensor)) as tf.Scalar, true)!;
    });
    losses.push(cost.dataSync()[0]!);
    cost.dispose();
  }
  x.dispose();
  built.dispose();
  const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
  return {first: mean(losses.slice(0, 5)), last: mean(losses.slice(-5))};
}

describe("the slides' autoencoders", () => {
  test("784-128-64-128-784 has 218,192 parameters and 784-64-16-64-784 has 103,328, by hand, by spec and by tfjs", async () => {
    for (const {hidden, bottleneck, params} of Object.values(SLIDE_MODELS)) {
      expect(autoencoderParams(hidden, bottleneck)).toBe(params);
      const spec = autoencoder({hidden, bottleneck, output: "sigmoid + BCE", optimizer: "adam"});
      expect(spec.countParams()).toBe(params);
      const built = await buildModel(modelData(spec));
      expect(built.model.countParams()).toBe(params);
      built.dispose();
    }
    expect(autoencoderParams(64, 2)).toBe(784 * 64 + 64 + 64 * 2 + 2 + 2 * 64 + 64 + 64 * 784 + 784);
  });

  test("the output choice sets the last activation and the loss; adadelta defaults to learning rate 1.0", () => {
    const pick = (output: AutoencoderOptions["output"]) => autoencoder({hidden: 64, bottleneck: 16, output, optimizer: "adadelta"});
    expect(pick("linear + MSE").layers[3]!.args).toMatchObject({activation: "linear"});
    expect(pick("linear + MSE").compiled?.loss).toBe("meanSquaredError");
    expect(pick("sigmoid + MSE").layers[3]!.args).toMatchObject({activation: "sigmoid"});
    expect(pick("sigmoid + BCE").compiled?.loss).toBe("binaryCrossentropy");
    expect(pick("sigmoid + BCE").compiled?.learningRate).toBeUndefined(); // the harness's adadelta default, 1.0
  });
});

describe("reconstruction errors", () => {
  test("MSE and BCE match hand computation, with tfjs's clipping of BCE", () => {
    expect(mse([0, 1, 0.5], [0.5, 1, 0])).toBeCloseTo((0.25 + 0 + 0.25) / 3, 12);
    expect(bce([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    // A linear output of 2 or −1 is clipped to 1 − 1e-7 or 1e-7: a wrong pixel costs −log(1e-7) ≈ 16.1.
    expect(bce([0], [2])).toBeCloseTo(-Math.log(1e-7), 6);
    expect(bce([1], [-1])).toBeCloseTo(-Math.log(1e-7), 6);
  });

  test("the same formulas as tfjs's own losses", () => {
    const x = Float32Array.from({length: 40}, (_, i) => ((i * 37) % 11) / 10);
    // Away from 0 and 1: there tfjs clips in float32 (1 − 1e-7 rounds to 1 − 1.19e-7).
    const p = Float32Array.from({length: 40}, (_, i) => 0.05 + (0.9 * ((i * 13) % 9)) / 8);
    const byTf = tf.tidy(() => [tf.losses.meanSquaredError(tf.tensor(x), tf.tensor(p)).dataSync()[0]!, tfl.metrics.binaryCrossentropy(tf.tensor(x), tf.tensor(p)).dataSync()[0]!]);
    expect(mse(x, p)).toBeCloseTo(byTf[0]!, 5);
    expect(bce(x, p)).toBeCloseTo(byTf[1]!, 4);
  });

  test("floors on real digits: the mean image scores MSE ≈ 0.066 and BCE ≈ 0.26; a perfect copy still has BCE ≈ 0.058", () => {
    const f = floors(digits.train.images, digits.test.images);
    expect(f.meanMse).toBeGreaterThan(0.06);
    expect(f.meanMse).toBeLessThan(0.072);
    expect(f.meanBce).toBeGreaterThan(0.24);
    expect(f.meanBce).toBeLessThan(0.28);
    expect(f.perfectBce).toBeGreaterThan(0.05);
    expect(f.perfectBce).toBeLessThan(0.066);
    expect(mse(digits.test.images, digits.test.images)).toBe(0);
  });

  test("per-class MSE averages each class's images", () => {
    const originals = new Float32Array(3 * 4), outputs = new Float32Array(3 * 4).fill(0.5);
    const errors = perClassMse(originals, outputs, [2, 2, 7], 4);
    expect(errors[2]).toBeCloseTo(0.25, 12);
    expect(errors[7]).toBeCloseTo(0.25, 12);
    expect(errors[0]).toBeNaN();
  });

  test("nearest-centroid accuracy: separated clusters score 1, one swapped point scores below", () => {
    const codes = [0, 0, 0.1, 0, 5, 5, 5.1, 5];
    expect(nearestCentroidAccuracy(codes, [0, 0, 1, 1], 2)).toBe(1);
    expect(nearestCentroidAccuracy(codes, [0, 1, 1, 1], 2)).toBeLessThan(1);
  });
});

describe("the page's decoder and short trainings", () => {
  test("decode() in plain JavaScript equals the tfjs model's decoder layers", async () => {
    const built = await buildModel(modelData(autoencoder({hidden: 16, bottleneck: 2, output: "sigmoid + BCE", optimizer: "adam"})), 3);
    const weights = built.model.weights.map((w) => ({name: w.name, shape: [...w.shape] as number[], values: w.read().dataSync() as Float32Array}));
    const z = [0.7, -1.3];
    const byTf = tf.tidy(() => {
      let a: tf.Tensor = tf.tensor2d([z]);
      for (const layer of built.model.layers.slice(2)) a = layer.apply(a) as tf.Tensor;
      return a.dataSync();
    });
    const byJs = decode(weights, z, "sigmoid");
    let worst = 0;
    byJs.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - byTf[i]!))));
    expect(worst).toBeLessThan(1e-5);
    built.dispose();
  });

  test("20 steps of Adam lower a 784-32-16-32-784 model's BCE; the run frees every tensor", async () => {
    const before = tf.memory().numTensors;
    const {first, last} = await shortTraining({hidden: 32, bottleneck: 16, output: "sigmoid + BCE", optimizer: "adam"}, 20);
    expect(last).toBeLessThan(first * 0.75);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  test("adadelta learns at learning rate 1.0 and barely moves at tf.train.adadelta's default 0.001", async () => {
    const one = await shortTraining({hidden: 32, bottleneck: 16, output: "sigmoid + BCE", optimizer: "adadelta", learningRate: 1.0}, 20);
    const slow = await shortTraining({hidden: 32, bottleneck: 16, output: "sigmoid + BCE", optimizer: "adadelta", learningRate: 0.001}, 20);
    expect(first_drop(one)).toBeGreaterThan(0.1);
    expect(first_drop(slow)).toBeLessThan(0.01);
  }, 60_000);
});

const first_drop = ({first, last}: {first: number; last: number}) => (first - last) / first;
