import {beforeAll, describe, expect, test} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {buildModel, makeOptimizer} from "../../cells/train/build-model.js";
import {dense, dropout, fromTfjsModel, gru, modelData, sequential, simpleRNN, lstm} from "../../cells/train/spec.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const autoencoder = (bottleneck: number, hidden: number) =>
  sequential({
    layers: [
      dense({units: hidden, activation: "relu", inputShape: [784]}),
      dense({units: bottleneck, activation: "relu"}),
      dense({units: hidden, activation: "relu"}),
      dense({units: 784, activation: "sigmoid"})
    ]
  });

async function weightsOf(data: ReturnType<typeof modelData>, seed: number): Promise<Float32Array[]> {
  const built = await buildModel(data, seed);
  const values = built.model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  built.dispose();
  return values;
}

describe("model specs as plain data", () => {
  test("the slides' autoencoders count 218,192 and 103,328 parameters, as tfjs does", async () => {
    const big = autoencoder(64, 128), small = autoencoder(16, 64);
    expect(big.countParams()).toBe(218_192);
    expect(small.countParams()).toBe(103_328);
    big.compile({optimizer: "adam", loss: "meanSquaredError"});
    const built = await buildModel(modelData(big));
    expect(built.model.countParams()).toBe(218_192);
    built.dispose();
  });

  test("recurrent layer counts (simpleRNN, GRU, LSTM) agree with tfjs", async () => {
    const model = sequential({layers: [simpleRNN({units: 8, inputShape: [5, 3], returnSequences: true}), gru({units: 6, returnSequences: true}), lstm({units: 4}), dense({units: 1})]});
    model.compile({optimizer: "adam", loss: "meanSquaredError"});
    const built = await buildModel(modelData(model));
    expect(model.countParams()).toBe(built.model.countParams());
    built.dispose();
  });

  test("a spec survives structured cloning (what postMessage does) and builds the same model", async () => {
    const model = autoencoder(16, 64);
    model.compile({optimizer: "adam", loss: "binaryCrossentropy"});
    const cloned = structuredClone(modelData(model));
    expect(cloned).toEqual(modelData(model));
    const [a, b] = [await weightsOf(modelData(model), 1), await weightsOf(cloned, 1)];
    expect(b).toEqual(a);
  });

  test("a fixed seed gives identical weights; another seed, different ones", async () => {
    const model = sequential({layers: [dense({units: 5, inputShape: [3]}), dense({units: 2, activation: "tanh"})]});
    model.compile({optimizer: "sgd", loss: "meanSquaredError"});
    const first = await weightsOf(modelData(model), 7);
    expect(await weightsOf(modelData(model), 7)).toEqual(first);
    expect(await weightsOf(modelData(model), 8)).not.toEqual(first);
    expect(first[1]).toEqual(new Float32Array(5)); // biases start at zero, as in tfjs
  });

  test("no tensors outlive a built model's dispose()", async () => {
    const before = tf.memory().numTensors;
    const model = autoencoder(16, 64);
    model.compile({optimizer: "adam", loss: "meanSquaredError"});
    const built = await buildModel(modelData(model), 1);
    built.optimizer.minimize(() => tf.mean(built.loss(tf.ones([2, 784]), built.model.apply(tf.ones([2, 784])) as tf.Tensor)) as tf.Scalar);
    built.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test("compile checks names and explains Keras's snake_case", () => {
    const model = autoencoder(16, 64);
    expect(() => model.compile({optimizer: "adamw" as "adam", loss: "meanSquaredError"})).toThrow(/Unknown optimizer "adamw"/);
    expect(() => model.compile({optimizer: "adam", loss: "binary_crossentropy" as "binaryCrossentropy"})).toThrow(/binaryCrossentropy/);
    expect(() => model.compile({optimizer: "adam", loss: "meanSquaredError", learningRate: -1})).toThrow(/learningRate/);
  });

  test("layer mistakes read like help", () => {
    expect(() => sequential({layers: [dense({units: 4})]})).toThrow(/first layer needs inputShape/);
    expect(() => sequential({layers: [dense({units: 0, inputShape: [2]})]})).toThrow(/units must be a whole number/);
    expect(() => sequential({layers: []})).toThrow(/at least one layer/);
  });

  test("an uncompiled model cannot train, and says how to compile", async () => {
    await expect(buildModel(modelData(sequential({layers: [dense({units: 1, inputShape: [1]})]})))).rejects.toThrow(/model.compile\(/);
  });

  test("dropout is accepted (and left unseeded, so its masks change every step)", async () => {
    const model = sequential({layers: [dense({units: 4, inputShape: [2]}), dropout({rate: 0.5}), dense({units: 1})]});
    model.compile({optimizer: "sgd", loss: "meanSquaredError"});
    const built = await buildModel(modelData(model), 1);
    const outputs = tf.tidy(() => Array.from({length: 8}, () => (built.model.apply(tf.ones([64, 2]), {training: true}) as tf.Tensor).dataSync().join()));
    expect(new Set(outputs).size).toBeGreaterThan(1);
    built.dispose();
  });
});

describe("optimizers as tfjs's compile strings make them", () => {
  test("'adadelta' learns at rate 1.0 (tf.train.adadelta() alone would use 0.001)", () => {
    const adadelta = makeOptimizer({optimizer: "adadelta", loss: "meanSquaredError"});
    expect(adadelta.getConfig()).toMatchObject({learningRate: 1, rho: 0.95, epsilon: 1e-7});
    adadelta.dispose();
  });

  test("Adam gets epsilon 1e-7 on every backend, and Keras's defaults", () => {
    const adam = makeOptimizer({optimizer: "adam", loss: "meanSquaredError"});
    expect(adam.getConfig()).toMatchObject({learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7});
    adam.dispose();
    const sgd = makeOptimizer({optimizer: "sgd", loss: "meanSquaredError", learningRate: 0.5});
    expect(sgd.getConfig()).toMatchObject({learningRate: 0.5});
    sgd.dispose();
  });
});

describe("a real tfjs model handed to the harness", () => {
  test("fromTfjsModel keeps its topology, weights and compile settings", async () => {
    const real = tfl.sequential({layers: [tfl.layers.dense({units: 6, activation: "tanh", inputShape: [3]}), tfl.layers.dense({units: 2, activation: "softmax"})]});
    real.compile({optimizer: tf.train.rmsprop(0.01), loss: "categoricalCrossentropy"});
    const data = structuredClone(await fromTfjsModel(real));
    expect(data.compiled).toMatchObject({optimizer: "rmsprop", loss: "categoricalCrossentropy", learningRate: 0.01});
    const rebuilt = await buildModel(data);
    const x = tf.tensor2d([[0.1, -0.5, 2], [1, 1, 1]]);
    expect((rebuilt.model.predict(x) as tf.Tensor).dataSync()).toEqual((real.predict(x) as tf.Tensor).dataSync());
    expect(rebuilt.model.getWeights()[0]).not.toBe(real.getWeights()[0]);
    rebuilt.dispose();
    real.dispose();
  });

  test("compile settings given to fromTfjsModel win over the model's", async () => {
    const real = tfl.sequential({layers: [tfl.layers.dense({units: 1, inputShape: [1]})]});
    const data = await fromTfjsModel(real, {optimizer: "sgd", loss: "meanAbsoluteError", learningRate: 0.2});
    expect(data.compiled).toEqual({optimizer: "sgd", loss: "meanAbsoluteError", learningRate: 0.2});
    real.dispose();
  });
});
