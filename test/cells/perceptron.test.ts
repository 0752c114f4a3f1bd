// Lesson 1's models on the tfjs cpu backend: the neuron's formula, the XOR limits, SGD that learns.
import {beforeAll, describe, expect, test} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {
  ACTIVATIONS, accuracy, bestLinearAccuracy, blobs, countParameters, forward, forwardPoint, initNetwork, neuron,
  trainNetwork, xorData, xorTruthTable, type Network, type PlaneData, type TrainSnapshot
} from "../../cells/perceptron.js";
import {boundarySegment, contourSegments, planeGrid} from "../../cells/perceptron/plots.js";
import {fitToSliders, trainLive, type LiveOptions} from "../../cells/perceptron/live.js";
import {modelOf} from "../../cells/perceptron/harness.js";
import type {TrainerHost} from "../../cells/train/client.js";
import {cpuHost} from "./cpu-host.js";

/** The live-model harness in this process, on the cpu backend: what the page's main thread runs. */
let host: TrainerHost;
beforeAll(async () => {
  host = await cpuHost();
});

/** The lesson's training (trainLive, through the harness) unpaced: every epoch's state, epoch 0 first. */
async function live(options: LiveOptions): Promise<TrainSnapshot[]> {
  let last: TrainSnapshot[] = [];
  for await (const state of trainLive({pause: 0, host, ...options})) last = state.history;
  return last;
}

async function run(options: Parameters<typeof trainNetwork>[0]): Promise<TrainSnapshot[]> {
  const snapshots: TrainSnapshot[] = [];
  for await (const s of trainNetwork(options)) snapshots.push(s);
  return snapshots;
}

describe("one neuron computes f(w·x + b)", () => {
  // w = (0.5, −1.2), b = 0.3: at (1, 2) z = −1.6; at (2, −1) z = 2.5. Values worked out by hand.
  const expected: Record<string, [number, number]> = {
    step: [0, 1],
    sigmoid: [1 / (1 + Math.exp(1.6)), 1 / (1 + Math.exp(-2.5))], // 0.167982, 0.924142
    tanh: [-0.921669, 0.986614],
    relu: [0, 2.5],
    linear: [-1.6, 2.5]
  };
  test.each(ACTIVATIONS.map((a) => a.name))("%s: tfjs forward matches the hand-computed values", (name) => {
    const out = forward(neuron(0.5, -1.2, 0.3, name), [1, 2, 2, -1]);
    expect(out[0]).toBeCloseTo(expected[name]![0], 5);
    expect(out[1]).toBeCloseTo(expected[name]![1], 5);
  });

  test.each(ACTIVATIONS.map((a) => a.name))("%s: tfjs forward equals the formula on 200 random points", (name) => {
    const points = Float32Array.from({length: 400}, (_, i) => Math.sin(i * 12.9898) * 4);
    const net = neuron(1.7, -0.4, -0.25, name);
    const out = forward(net, points);
    const f = ACTIVATIONS.find((a) => a.name === name)!.f;
    for (let k = 0; k < 200; k++) {
      const z = 1.7 * points[2 * k]! - 0.4 * points[2 * k + 1]! - 0.25;
      expect(out[k]).toBeCloseTo(f(z), 5);
      expect(forwardPoint(net, [points[2 * k]!, points[2 * k + 1]!])[0]).toBeCloseTo(f(z), 5);
    }
  });

  test.each(["sigmoid", "tanh", "relu", "linear"] as const)("%s: same outputs as tf.layers.dense with the same weights", (name) => {
    const layer = tfl.layers.dense({units: 1, inputShape: [2], activation: name, weights: [tf.tensor2d([[0.8], [-1.3]]), tf.tensor1d([0.2])]});
    const points = [0.3, -2, 1.5, 0.5, -1, -1];
    const byLayer = tf.tidy(() => (layer.apply(tf.tensor2d(points, [3, 2])) as tf.Tensor).dataSync());
    const ours = forward(neuron(0.8, -1.3, 0.2, name), points);
    for (let k = 0; k < 3; k++) expect(ours[k]).toBeCloseTo(byLayer[k]!, 6);
    layer.dispose();
  });

  test("the forward pass frees every tensor it makes", () => {
    const before = tf.memory().numTensors;
    forward(initNetwork([2, 2, 1], ["tanh", "sigmoid"]), [0, 0, 1, 1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("a layer of perceptrons", () => {
  // OR and AND neurons feeding "OR and not AND": the textbook hand-wired XOR network.
  const handWiredXor: Network = [
    {weights: [[1, 1], [1, 1]], biases: [-0.5, -1.5], activation: "step"},
    {weights: [[1], [-1]], biases: [-0.5], activation: "step"}
  ];

  test("a hand-wired 2-2-1 network of step neurons computes XOR exactly", () => {
    expect(Array.from(forward(handWiredXor, xorTruthTable().points))).toEqual([0, 1, 1, 0]);
  });

  test("the lesson's hand-set answer, h₁ = step(x₁ − x₂ − 1), h₂ = step(−x₁ + x₂ − 1), ŷ = step(h₁ + h₂ − 0.5), gets every XOR point right", () => {
    const handSet: Network = [
      {weights: [[1, -1], [-1, 1]], biases: [-1, -1], activation: "step"},
      {weights: [[1], [1]], biases: [-0.5], activation: "step"}
    ];
    const data = xorData();
    expect(accuracy(forward(handSet, data.points), data.labels)).toBe(1);
    expect(Array.from(forward(handSet, [1, 1, 1, -1, -1, 1, -1, -1]))).toEqual([0, 1, 1, 0]);
    expect(countParameters(handSet).total).toBe(9);
  });

  test("counts weights and biases, and a removed connection is one parameter fewer", () => {
    expect(countParameters(handWiredXor)).toEqual({weights: 6, biases: 3, total: 9});
    const sparse = initNetwork([2, 2, 1], ["tanh", "sigmoid"], {masks: [[[1, 0], [0, 1]]]});
    expect(countParameters(sparse)).toEqual({weights: 4, biases: 3, total: 7});
    expect(sparse[0]!.weights[0]![1]).toBe(0);
  });
});

describe("what one straight line can do", () => {
  test("no single neuron gets more than 3 of XOR's 4 cases right (exhaustive search and a parameter grid)", () => {
    expect(bestLinearAccuracy(xorTruthTable())).toBe(0.75);
    const {points, labels} = xorTruthTable();
    let best = 0;
    const values = Array.from({length: 41}, (_, i) => -2 + i / 10);
    for (const w1 of values) for (const w2 of values) for (const b of values) {
      const net = neuron(w1, w2, b, "step");
      best = Math.max(best, accuracy([0, 1, 2, 3].map((k) => forwardPoint(net, [points[2 * k]!, points[2 * k + 1]!])[0]!), labels));
    }
    expect(best).toBe(0.75);
  });

  test("the lesson's by-hand answer for the blobs, w = (2.2, −1.6), b = 0.1, puts every point on its side", () => {
    const data = blobs();
    expect(accuracy(forward(neuron(2.2, -1.6, 0.1, "step"), data.points), data.labels)).toBe(1);
  });

  test("the lesson's XOR clouds cap a line at 75 %; the blobs are separable", () => {
    expect(bestLinearAccuracy(xorData())).toBe(0.75);
    expect(bestLinearAccuracy(blobs())).toBe(1);
    // The search is exact, not optimistic: two well-mixed classes stay near a coin flip.
    const mixed: PlaneData = {points: Float32Array.from({length: 80}, (_, i) => Math.sin(i * 78.233) * 3), labels: Uint8Array.from({length: 40}, (_, i) => i % 2), count: 40};
    expect(bestLinearAccuracy(mixed)).toBeLessThan(0.9);
  });
});

describe("SGD", () => {
  test("one step moves the weights by −η (σ(z) − y) x, the logistic loss's gradient", async () => {
    const data: PlaneData = {points: Float32Array.from([2, -1]), labels: Uint8Array.from([1]), count: 1};
    const [w1, w2, b, eta] = [0.5, 0.25, -0.1, 0.3];
    const [, after] = await live({network: neuron(w1, w2, b, "sigmoid"), data, learningRate: eta, epochs: 1, batchSize: 1});
    const z = 2 * w1 - 1 * w2 + b;
    const error = 1 / (1 + Math.exp(-z)) - 1;
    const layer = after!.network[0]!;
    expect(layer.weights[0]![0]).toBeCloseTo(w1 - eta * error * 2, 6);
    expect(layer.weights[1]![0]).toBeCloseTo(w2 - eta * error * -1, 6);
    expect(layer.biases[0]).toBeCloseTo(b - eta * error, 6);
    expect(after!.loss).toBeCloseTo(Math.log(1 + Math.exp(-(2 * layer.weights[0]![0]! - layer.weights[1]![0]! + layer.biases[0]!))), 5);
  });

  test("fits the separable blobs to 100 % training accuracy from a wrong start, loss falling", async () => {
    const started = performance.now();
    let reached = NaN;
    let snapshots: TrainSnapshot[] = [];
    for await (const state of trainLive({network: neuron(-1, -1, 0.5, "sigmoid"), data: blobs(), learningRate: 0.1, epochs: 30, pause: 0, host})) {
      snapshots = state.history;
      if (state.latest.accuracy === 1 && Number.isNaN(reached)) reached = performance.now() - started;
    }
    expect(snapshots.map((s) => s.epoch)).toEqual(Array.from({length: 31}, (_, i) => i));
    const first = snapshots.findIndex((s) => s.accuracy === 1);
    console.log(`blobs: 100 % at epoch ${first} (10 SGD steps of 10 points each per epoch), ${reached.toFixed(0)} ms after the start through the harness on the cpu backend`);
    expect(snapshots[0]!.accuracy).toBeLessThan(0.5);
    expect(first).toBeGreaterThan(0);
    expect(snapshots.at(-1)!.accuracy).toBe(1);
    expect(snapshots.at(-1)!.loss).toBeLessThan(snapshots[0]!.loss / 5);
  });

  test("from the sliders' start (w = (1, 1), b = 0) on the blobs: η = 1 is at 100 % after one epoch, η = 0.1 after eight, η = 0.01 is at 96 % after thirty (the lesson says so)", async () => {
    const firstPerfect = async (learningRate: number) => {
      const history = await live({network: neuron(1, 1, 0, "sigmoid"), data: blobs(), learningRate, epochs: 30, batchSize: 10, seed: 1});
      return {first: history.findIndex((s) => s.accuracy === 1), last: history.at(-1)!.accuracy};
    };
    expect((await firstPerfect(1)).first).toBe(1);
    expect((await firstPerfect(0.1)).first).toBe(8);
    const slow = await firstPerfect(0.01);
    expect(slow.first).toBe(-1);
    expect(slow.last).toBeCloseTo(0.96, 6);
  });

  test("one neuron on XOR never beats 75 %", async () => {
    for (const seed of [1, 2, 3]) {
      const snapshots = await live({network: initNetwork([2, 1], ["sigmoid"], {seed}), data: xorData(), learningRate: 0.5, epochs: 40, seed});
      expect(Math.max(...snapshots.map((s) => s.accuracy))).toBeLessThanOrEqual(0.75);
    }
  });

  test("a 2-2-1 network (tanh hidden layer) learns XOR to 100 %", async () => {
    const snapshots = await live({network: initNetwork([2, 2, 1], ["tanh", "sigmoid"], {seed: 2}), data: xorData(), learningRate: 0.5, epochs: 60, seed: 2});
    expect(snapshots).toHaveLength(61);
    expect(snapshots[0]!.accuracy).toBeLessThan(1);
    expect(snapshots.at(-1)!.accuracy).toBe(1);
    expect(snapshots.at(-1)!.loss).toBeLessThan(0.1);
  });

  test("the harness starts from exactly the given weights: its model's output equals the network's", async () => {
    const network = initNetwork([2, 3, 1], ["tanh", "sigmoid"], {seed: 5});
    const data = modelOf(network, 0.1);
    if (data.kind !== "topology") throw new Error("expected a topology");
    const model = await tfl.models.modelFromJSON(data.topology as Parameters<typeof tfl.models.modelFromJSON>[0]);
    const tensors = data.weights!.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(tensors);
    const points = [0.3, -2, 1.5, 0.5, -1, -1];
    const byModel = tf.tidy(() => (model.predict(tf.tensor2d(points, [3, 2])) as tf.Tensor).dataSync());
    const ours = forward(network, points);
    for (let k = 0; k < 3; k++) expect(byModel[k]).toBeCloseTo(ours[k]!, 6);
    tf.dispose(tensors);
    model.dispose();
  });

  test("the sliders' neuron trains through the harness and stops when invalidated, freeing every tensor", async () => {
    const before = tf.memory().numTensors;
    let resolve = () => {};
    const invalidation = new Promise<void>((r) => (resolve = r));
    let seen = 0;
    for await (const state of trainLive({network: initNetwork([2, 2, 1], ["tanh", "sigmoid"]), data: xorData(), epochs: 100, pause: 5, host, invalidation})) {
      if (++seen === 3) resolve();
      expect(state.latest.epoch).toBeLessThan(10);
    }
    for await (const state of trainLive({network: neuron(1, 1, 0, "sigmoid"), data: blobs(), epochs: 100, pause: 0, host})) if (state.latest.epoch === 2) break;
    await new Promise((r) => setTimeout(r, 100)); // the trainer frees the run's tensors once it sees the stop
    expect((await host.memory()).numTensors).toBe(before);
  });

  test("sparsely connected (the lesson's own loop: the harness has no masks), each hidden neuron seeing one input: XOR stays at ≤ 75 %, removed weights stay 0", async () => {
    const masks = [[[1, 0], [0, 1]]];
    const snapshots = await run({network: initNetwork([2, 2, 1], ["tanh", "sigmoid"], {seed: 2, masks}), data: xorData(), learningRate: 0.5, epochs: 60, seed: 2});
    expect(Math.max(...snapshots.map((s) => s.accuracy))).toBeLessThanOrEqual(0.75);
    const w = snapshots.at(-1)!.network[0]!.weights;
    expect([w[0]![1], w[1]![0]]).toEqual([0, 0]);
  });

  test("the lesson's sparse run (seed 2, η = 0.5, 100 epochs): both cross connections cut, it settles at 50 %; all four kept, it reaches 100 %", async () => {
    const final = async (mask: number[][]) => (await run({network: initNetwork([2, 2, 1], ["tanh", "sigmoid"], {seed: 2, masks: [mask]}), data: xorData(), learningRate: 0.5, epochs: 100, batchSize: 10, seed: 2})).at(-1)!.accuracy;
    expect(await final([[1, 0], [0, 1]])).toBe(0.5);
    expect(await final([[1, 1], [1, 1]])).toBe(1);
  });

  test("the seeds the lesson names: with 2 hidden neurons seeds 3, 4 and 5 are stuck at or near 75 % after 100 epochs; with 4, seed 3 reaches 100 %", async () => {
    const final = async (hidden: number, seed: number) => (await live({network: initNetwork([2, hidden, 1], ["tanh", "sigmoid"], {seed}), data: xorData(), learningRate: 0.5, epochs: 100, batchSize: 10, seed})).at(-1)!.accuracy;
    for (const seed of [3, 4, 5]) {
      const stuck = await final(2, seed);
      expect(stuck, `seed ${seed}, 2 hidden`).toBeGreaterThanOrEqual(0.7);
      expect(stuck, `seed ${seed}, 2 hidden`).toBeLessThanOrEqual(0.75);
    }
    expect(await final(4, 3), "seed 3, 4 hidden").toBe(1);
  }, 120_000);

  test("stops on abort and when the consumer breaks off, freeing every tensor", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let seen = 0;
    for await (const s of trainNetwork({network: initNetwork([2, 2, 1], ["tanh", "sigmoid"]), data: xorData(), epochs: 100, signal: controller.signal})) {
      if (++seen === 3) controller.abort();
      expect(s.epoch).toBeLessThan(3);
    }
    expect(seen).toBe(3);
    for await (const s of trainNetwork({network: initNetwork([2, 1], ["sigmoid"]), data: blobs(), epochs: 100})) if (s.epoch === 2) break;
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("what the page draws", () => {
  test("the boundary segment lies on w1 x1 + w2 x2 + b = 0 and spans the square", () => {
    const segment = boundarySegment(1, 2, -1)!;
    for (const [x, y] of segment) expect(x + 2 * y - 1).toBeCloseTo(0, 9);
    expect(segment.some(([x, y]) => Math.abs(x) === 3 || Math.abs(y) === 3)).toBe(true);
    expect(boundarySegment(0, 0, 1)).toBeNull(); // no weights: no line
    expect(boundarySegment(1, 1, 10)).toBeNull(); // line outside the square
  });

  test("doubling the weights alone halves the line's distance |b|/‖w‖ from the origin; doubling b too keeps the line", () => {
    const distance = (w1: number, w2: number, b: number) => {
      const [[x0, y0], [x1, y1]] = boundarySegment(w1, w2, b)!;
      return Math.abs(x0 * y1 - x1 * y0) / Math.hypot(x1 - x0, y1 - y0); // origin to the segment's line
    };
    expect(distance(1, 1, 1)).toBeCloseTo(1 / Math.SQRT2, 6);
    expect(distance(2, 2, 1)).toBeCloseTo(1 / Math.sqrt(8), 6);
    expect(distance(2, 2, 1) / distance(1, 1, 1)).toBeCloseTo(0.5, 6);
    expect(boundarySegment(2, 2, 2)).toEqual(boundarySegment(1, 1, 1));
    expect(distance(2, 2, 0)).toBeCloseTo(0, 9);
  });

  test("the grid's pixel centres run left to right, top row first", () => {
    const grid = planeGrid(4, 2);
    expect(Array.from(grid.subarray(0, 4))).toEqual([-1.5, 1.5, -0.5, 1.5]);
    expect(Array.from(grid.subarray(-2))).toEqual([1.5, -1.5]);
  });

  test("contour segments of a network's output sit where it crosses the threshold", () => {
    const n = 32, grid = planeGrid(n);
    const values = Float32Array.from({length: n * n}, (_, k) => grid[2 * k]! - 0.4); // crosses 0 at x1 = 0.4
    const segments = contourSegments(values, n, 0);
    expect(segments.length).toBe(n - 1);
    for (const [x1, , x2] of segments) {
      expect(x1).toBeCloseTo(0.4, 5);
      expect(x2).toBeCloseTo(0.4, 5);
    }
  });

  test("trained weights too big for the sliders are scaled together, keeping the boundary", () => {
    expect(fitToSliders([1, -2, 0.5], 5)).toEqual({values: [1, -2, 0.5], scaled: false});
    const {values, scaled} = fitToSliders([8, -4, 2], 5);
    expect(scaled).toBe(true);
    expect(values).toEqual([5, -2.5, 1.25]);
  });
});
