// include: {weights: true}: snapshots carry the model's weights as plain data, equal to what plain
// SGD computes by hand, transferred (not copied) from the trainer, and no tensor is left behind.
import {beforeAll, describe, expect, test} from "vitest";
import {tf} from "../../cells/tf/tfjs.js";
import {handshake, train, TrainerHost, type TrainingSnapshot} from "../../cells/train/client.js";
import type {FromTrainer, Snapshot, ToTrainer} from "../../cells/train/protocol.js";
import {dense, sequential} from "../../cells/train/spec.js";
import {serveTrainer} from "../../cells/train/trainer-core.js";
import {connectedPair, type Transport} from "../../cells/train/transport.js";

/** The snapshots as the trainer posted them (their arrays are detached once transferred). */
const sent: Snapshot[] = [];
let host: TrainerHost;

beforeAll(async () => {
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  const traced: Transport<ToTrainer, FromTrainer> = {
    onmessage: null,
    post(message, transfer) {
      if (message.type === "snapshot") sent.push(message.snapshot);
      trainer.post(message, transfer);
    }
  };
  trainer.onmessage = (message) => traced.onmessage?.(message);
  serveTrainer(traced);
  host = new TrainerHost(async () => ({transport: page, backend: await handshake(page, "cpu")}));
  expect((await host.backend).name).toBe("cpu");
});

// y = 2 x₁ − x₂ + 0.5 on four points: a linear problem one dense unit can fit.
const X = [[1, 0], [0, 1], [1, 1], [-1, 2]];
const Y = X.map(([a, b]) => 2 * a! - b! + 0.5);
const data = {kind: "inline" as const, x: Float32Array.from(X.flat()), y: Float32Array.from(Y), xShape: [2], yShape: [1]};

function linear(learningRate: number) {
  const model = sequential({layers: [dense({units: 1, inputShape: [2], kernelInitializer: "zeros", biasInitializer: "zeros"})]});
  model.compile({optimizer: "sgd", loss: "meanSquaredError", learningRate});
  return model;
}

/** Full-batch gradient descent on the mean squared error, in plain numbers. */
function byHand(steps: number, eta: number): {w: [number, number]; b: number} {
  let w: [number, number] = [0, 0], b = 0;
  for (let s = 0; s < steps; s++) {
    const errors = X.map(([a, c], i) => w[0] * a! + w[1] * c! + b - Y[i]!);
    const n = X.length;
    const gw: [number, number] = [0, 1].map((k) => (2 / n) * errors.reduce((sum, e, i) => sum + e * X[i]![k]!, 0)) as [number, number];
    const gb = (2 / n) * errors.reduce((sum, e) => sum + e, 0);
    w = [w[0] - eta * gw[0], w[1] - eta * gw[1]];
    b -= eta * gb;
  }
  return {w, b};
}

describe("snapshot weights", () => {
  test("after each of N steps of plain SGD they equal the hand-computed weights, kernel then bias", async () => {
    const eta = 0.05;
    const run = train(linear(eta), {data, host, batchSize: 4, shuffle: false, steps: 12, snapshotEvery: 0, include: {weights: true}});
    const snapshots: TrainingSnapshot[] = [];
    for await (const s of run) snapshots.push(s);
    expect(snapshots.length).toBeGreaterThanOrEqual(12);
    for (const s of snapshots) {
      const [kernel, bias] = s.weights!;
      expect(s.weights).toHaveLength(2);
      expect(kernel!.name).toMatch(/kernel$/);
      expect(kernel!.shape).toEqual([2, 1]);
      expect(bias!.name).toMatch(/bias$/);
      expect(bias!.shape).toEqual([1]);
      expect(kernel!.values).toBeInstanceOf(Float32Array);
      const expected = byHand(s.step, eta);
      expect(kernel!.values[0]).toBeCloseTo(expected.w[0], 5);
      expect(kernel!.values[1]).toBeCloseTo(expected.w[1], 5);
      expect(bias!.values[0]).toBeCloseTo(expected.b, 5);
    }
    // and the weights did move toward (2, −1, 0.5)
    expect(snapshots.at(-1)!.weights![0]!.values[0]).toBeGreaterThan(0.5);
  });

  test("the weight arrays are transferred from the trainer, not copied", async () => {
    sent.length = 0;
    const run = train(linear(0.05), {data, host, batchSize: 4, steps: 3, snapshotEvery: 0, include: {weights: true}});
    const received: TrainingSnapshot[] = [];
    for await (const s of run) received.push(s);
    expect(sent.length).toBeGreaterThan(0);
    for (const s of sent) for (const w of s.weights!) expect(w.values.byteLength).toBe(0); // detached on the trainer's side
    for (const s of received) for (const w of s.weights!) expect(w.values.length).toBe(w.shape.reduce((a, b) => a * b, 1));
  });

  test("without include.weights a snapshot carries none", async () => {
    const run = train(linear(0.05), {data, host, batchSize: 4, steps: 2, snapshotEvery: 0});
    for await (const s of run) expect(s.weights).toBeUndefined();
  });

  test("asking for weights leaks no tensor: 20 runs, each read every step, end where one did", async () => {
    const once = async (seed: number) => {
      const model = sequential({layers: [dense({units: 3, activation: "tanh", inputShape: [2]}), dense({units: 1, activation: "sigmoid"})]});
      model.compile({optimizer: "sgd", loss: "binaryCrossentropy", learningRate: 0.5});
      const run = train(model, {data: {...data, y: Float32Array.from(Y, (y) => (y > 1 ? 1 : 0))}, host, batchSize: 2, steps: 10, snapshotEvery: 0, seed, include: {weights: true}});
      for await (const s of run) expect(s.weights!.map((w) => w.shape)).toEqual([[2, 3], [3], [3, 1], [1]]);
      return run.ended;
    };
    await once(0);
    const afterOne = (await host.memory()).numTensors;
    for (let seed = 1; seed < 20; seed++) expect((await once(seed)).numTensors).toBe(afterOne);
    expect(tf.memory().numTensors).toBe(afterOne);
  });
});
