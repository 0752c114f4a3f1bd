// What the autoencoder lesson claims of its choices, measured on 300 test digits. These claims need
// hundreds of steps, which the tfjs cpu backend takes minutes for; so this file trains on the wasm
// backend in Node, the same kernels the page's worker runs (the numerics files stay on cpu).
import {beforeAll, describe, expect, test} from "vitest";
import {setWasmPaths} from "@tensorflow/tfjs-backend-wasm";
import {tf} from "../../cells/tf/tfjs.js";
import {autoencoder, bce, mse, nearestCentroidAccuracy, type AutoencoderOptions} from "../../cells/autoencoder.js";
import {buildModel} from "../../cells/train/build-model.js";
import {modelData} from "../../cells/train/spec.js";
import {mnistSplit, type MnistSplit} from "../../cells/data/mnist.js";

let digits: MnistSplit;
beforeAll(async () => {
  setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  expect(await tf.setBackend("wasm")).toBe(true);
  digits = await mnistSplit({train: 1000, test: 300, seed: 0});
}, 60_000);

interface Judged { mse: number; bce: number; codes: number[] }

/** Trains `steps` batches of 50 of 1,000 training digits with Adam at `learningRate`; judges the model on the 300 test digits. */
async function trainAndJudge(options: AutoencoderOptions, steps: number, learningRate: number): Promise<Judged> {
  const spec = autoencoder(options);
  spec.compile({...spec.compiled!, learningRate});
  const built = await buildModel(modelData(spec), 1);
  const x = tf.tensor2d(digits.train.images.subarray(0, 1000 * 784), [1000, 784]);
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const batch = x.slice([(s * 50) % 1000, 0], [50, 784]);
      built.optimizer.minimize(() => tf.mean(built.loss(batch, built.model.apply(batch, {training: true}) as tf.Tensor)) as tf.Scalar);
    });
  }
  const judged = tf.tidy(() => {
    const test = tf.tensor2d(digits.test.images.subarray(0, 300 * 784), [300, 784]);
    const xs = Array.from(test.dataSync()), out = Array.from((built.model.predict(test) as tf.Tensor).dataSync());
    let codes: tf.Tensor = test;
    for (const layer of built.model.layers.slice(0, 2)) codes = layer.apply(codes) as tf.Tensor;
    return {mse: mse(xs, out), bce: bce(xs, out), codes: Array.from(codes.dataSync())};
  });
  x.dispose();
  built.dispose();
  return judged;
}

describe("the autoencoder lesson's claims, on the same 300 test digits", () => {
  test("same steps, same Adam: sigmoid + BCE reconstructs better than linear + MSE, by MSE and by BCE", async () => {
    const linear = await trainAndJudge({hidden: 32, bottleneck: 16, output: "linear + MSE", optimizer: "adam"}, 400, 0.003);
    const sigmoid = await trainAndJudge({hidden: 32, bottleneck: 16, output: "sigmoid + BCE", optimizer: "adam"}, 400, 0.003);
    console.log(`400 steps: linear + MSE has test MSE ${linear.mse.toFixed(4)}, BCE ${linear.bce.toFixed(4)}; sigmoid + BCE ${sigmoid.mse.toFixed(4)}, ${sigmoid.bce.toFixed(4)}`);
    expect(sigmoid.mse).toBeLessThan(linear.mse);
    expect(sigmoid.bce).toBeLessThan(linear.bce);
  }, 240_000);

  test("a 2-unit bottleneck's codes separate the digits: a nearest-centroid classifier far above chance (10 %)", async () => {
    const judged = await trainAndJudge({hidden: 32, bottleneck: 2, output: "sigmoid + BCE", optimizer: "adam"}, 300, 0.003);
    const accuracy = nearestCentroidAccuracy(judged.codes, Array.from(digits.test.labels.subarray(0, 300)), 2);
    console.log(`2-unit codes: nearest centroid ${(100 * accuracy).toFixed(1)} % on 300 test digits`);
    expect(accuracy).toBeGreaterThan(0.3);
  }, 240_000);
});
