// The training protocol end to end in one process: client ⇄ fake transport ⇄ trainer-core,
// on the tfjs cpu backend. Messages are structured-cloned and delivered on later tasks, as a
// worker's are.
import {beforeAll, describe, expect, test} from "vitest";
import {tf, tfl} from "../../cells/tf/tfjs.js";
import {handshake, train, TrainerHost, type TrainingRun, type TrainingSnapshot} from "../../cells/train/client.js";
import type {DataSpec, FromTrainer, ToTrainer} from "../../cells/train/protocol.js";
import {dense, sequential} from "../../cells/train/spec.js";
import {serveTrainer} from "../../cells/train/trainer-core.js";
import {connectedPair, type Transport} from "../../cells/train/transport.js";
import {mulberry32} from "../../cells/data/random.js";

/** What the trainer side saw: every message in and out, with the step count at that moment. */
interface Trace {
  stepsPosted: number;
  received: {message: ToTrainer; stepsPosted: number}[];
  posted: {message: FromTrainer; at: number}[];
}

function tracedHost(): {host: TrainerHost; trace: Trace} {
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  const trace: Trace = {stepsPosted: 0, received: [], posted: []};
  const traced: Transport<ToTrainer, FromTrainer> = {
    onmessage: null,
    post(message, transfer) {
      if (message.type === "snapshot") trace.stepsPosted = message.snapshot.step;
      trace.posted.push({message, at: performance.now()});
      trainer.post(message, transfer);
    }
  };
  trainer.onmessage = (message) => {
    trace.received.push({message, stepsPosted: trace.stepsPosted});
    traced.onmessage?.(message);
  };
  serveTrainer(traced);
  const host = new TrainerHost(async () => ({transport: page, backend: await handshake(page, "cpu")}));
  return {host, trace};
}

let host: TrainerHost;
let trace: Trace;
beforeAll(async () => {
  ({host, trace} = tracedHost());
  expect((await host.backend).name).toBe("cpu");
});

/** y = sin(3 x₁) + x₂ on 256 seeded points: small, learnable, not linear. */
function toyData(n = 256): DataSpec {
  const random = mulberry32(11);
  const x = Float32Array.from({length: 2 * n}, () => 2 * random() - 1);
  const y = Float32Array.from({length: n}, (_, i) => Math.sin(3 * x[2 * i]!) + x[2 * i + 1]!);
  return {kind: "inline", x, y, xShape: [2], yShape: [1], testX: x.slice(0, 64), testY: y.slice(0, 32)};
}

function toyModel(learningRate = 0.03, optimizer: "adam" | "sgd" = "adam") {
  const model = sequential({layers: [dense({units: 16, activation: "tanh", inputShape: [2]}), dense({units: 1})]});
  model.compile({optimizer, loss: "meanSquaredError", learningRate});
  return model;
}

async function collect(run: TrainingRun): Promise<TrainingSnapshot[]> {
  const all: TrainingSnapshot[] = [];
  for await (const snapshot of run) all.push(snapshot);
  return all;
}

const waitFor = async (condition: () => boolean, ms = 5000) => {
  const until = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("a run", () => {
  test("lowers the loss on a tiny problem and reports what it built", async () => {
    const run = train(toyModel(), {data: toyData(), host, batchSize: 32, steps: 300, snapshotEvery: 50, seed: 1});
    const snapshots = await collect(run);
    const info = await run.info;
    expect(info).toMatchObject({backend: "cpu", params: 2 * 16 + 16 + 16 + 1, trainCount: 256, stepsPerEpoch: 8, inputShape: [2], outputShape: [1]});
    const last = snapshots.at(-1)!;
    expect(last).toMatchObject({step: 300, final: true, epoch: 300 / 8});
    expect(last.history[0]!.step).toBe(1);
    expect(last.loss).toBeLessThan(last.history[0]!.loss / 10);
    expect(await run.ended).toMatchObject({reason: "finished", step: 300});
  });

  test("the same seed reproduces the run exactly; another seed does not", async () => {
    const losses = async (seed: number) => {
      const snapshots = await collect(train(toyModel(), {data: toyData(), host, batchSize: 16, steps: 40, snapshotEvery: 0, seed}));
      return snapshots.at(-1)!.history.map((p) => p.loss);
    };
    const a = await losses(5);
    expect(a).toHaveLength(40);
    expect(await losses(5)).toEqual(a);
    expect(await losses(6)).not.toEqual(a);
  });

  test("a validation loss comes each epoch, from the test set", async () => {
    const run = train(toyModel(), {data: toyData(), host, batchSize: 64, epochs: 3, snapshotEvery: 1e9, seed: 1});
    const last = (await collect(run)).at(-1)!;
    expect(last.valHistory.map((p) => p.step)).toEqual([4, 8, 12]);
    expect(last.valHistory.every((p) => p.loss > 0 && Number.isFinite(p.loss))).toBe(true);
  });

  test("stop halts it within one step of the trainer receiving it, and frees its tensors", async () => {
    const before = (await host.memory()).numTensors;
    const run = train(toyModel(), {data: toyData(), host, batchSize: 32, snapshotEvery: 0, seed: 2});
    for await (const snapshot of run) if (snapshot.step >= 20) break; // break calls return(), which stops
    const end = await run.ended;
    const stop = trace.received.find(({message}) => message.type === "stop" && "run" in message && end.reason === "stopped")!;
    expect(stop).toBeDefined();
    expect(end.reason).toBe("stopped");
    expect(end.step - stop.stepsPosted).toBeLessThanOrEqual(1);
    expect(end.numTensors).toBe(before);
  });

  test("a slow step still stops promptly: one step after the page said stop, not an epoch", async () => {
    const big = sequential({layers: [dense({units: 64, activation: "relu", inputShape: [784]}), dense({units: 784})]});
    big.compile({optimizer: "adam", loss: "meanSquaredError"});
    const random = mulberry32(3);
    const x = Float32Array.from({length: 1024 * 784}, random);
    const run = train(big, {data: {kind: "inline", x, y: x, xShape: [784], yShape: [784]}, host, batchSize: 128, snapshotEvery: 0});
    const arrivals: number[] = [];
    let seen = 0;
    for await (const snapshot of run) {
      arrivals.push(performance.now());
      seen = snapshot.step;
      if (seen >= 3) break; // return() → stop()
    }
    const stoppedAt = performance.now();
    const end = await run.ended;
    const stepMs = (arrivals.at(-1)! - arrivals[0]!) / (arrivals.length - 1);
    expect(end.step).toBeLessThanOrEqual(seen + 1); // the step already under way, no more
    expect(end.step).toBeLessThan(1024 / 128); // well before the epoch's end
    expect(performance.now() - stoppedAt).toBeLessThan(3 * stepMs + 200); // loose: the machine is shared
  });

  test("pause holds it, step() advances exactly one step, resume carries on", async () => {
    const run = train(toyModel(), {data: toyData(), host, batchSize: 32, snapshotEvery: 0, startPaused: true, seed: 3});
    await run.info;
    await new Promise((r) => setTimeout(r, 100));
    expect(run.latest).toBeUndefined();
    run.step();
    expect((await run.next()).value).toMatchObject({step: 1, paused: true});
    run.step();
    run.step();
    await waitFor(() => run.latest?.step === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(run.latest!.step).toBe(3);
    run.resume();
    await waitFor(() => run.latest!.step > 20);
    run.pause();
    await waitFor(() => run.latest!.paused);
    const held = run.latest!.step;
    await new Promise((r) => setTimeout(r, 100));
    expect(run.latest!.step).toBe(held);
    run.stop();
    expect((await run.ended).step).toBe(held);
  });

  test("a control sent the moment a run starts still reaches it (messages keep their order)", async () => {
    const run = train(toyModel(), {data: toyData(), host, batchSize: 32, snapshotEvery: 0, seed: 3});
    run.pause();
    await run.info;
    await new Promise((r) => setTimeout(r, 150));
    expect(run.latest?.step ?? 0).toBeLessThanOrEqual(1);
    run.stop();
    expect((await run.ended).step).toBeLessThanOrEqual(1);
  });

  test("a real tfjs model trains through the harness, and the page's copy is left as it was", async () => {
    const real = tfl.sequential({layers: [tfl.layers.dense({units: 16, activation: "tanh", inputShape: [2]}), tfl.layers.dense({units: 1})]});
    real.compile({optimizer: tf.train.adam(0.03), loss: "meanSquaredError"});
    const before = real.getWeights().map((w) => w.dataSync().slice());
    const run = train(real, {data: toyData(), host, batchSize: 32, steps: 200, snapshotEvery: 50});
    const snapshots = await collect(run);
    expect((await run.info).params).toBe(real.countParams());
    expect(snapshots.at(-1)!.loss).toBeLessThan(snapshots[0]!.loss / 5);
    expect(real.getWeights().map((w) => w.dataSync().slice())).toEqual(before);
    real.dispose();
  });

  test("a model that cannot be sent fails the run with the reason", async () => {
    const real = tfl.sequential({layers: [tfl.layers.dense({units: 1, inputShape: [2]})]});
    real.compile({optimizer: new (class extends tf.SGDOptimizer {
      override getClassName() {
        return "Lookahead";
      }
    })(0.1), loss: "meanSquaredError"});
    const run = train(real, {data: toyData(), host});
    await expect(run.next()).rejects.toThrow(/cannot rebuild a Lookahead optimizer/);
    expect((await run.ended).reason).toBe("failed");
    real.dispose();
  });

  test("speed caps the steps per second", async () => {
    const run = train(toyModel(), {data: toyData(), host, batchSize: 32, snapshotEvery: 100, stepsPerSecond: 50, seed: 4});
    await run.info;
    await new Promise((r) => setTimeout(r, 600));
    const slow = run.latest!.step;
    expect(slow).toBeGreaterThan(10);
    expect(slow).toBeLessThan(40);
    run.speed(null);
    await new Promise((r) => setTimeout(r, 300));
    expect(run.latest!.step - slow).toBeGreaterThan(60);
    run.stop();
    await run.ended;
  });

  test("snapshots come by the clock, not by the step", async () => {
    const from = trace.posted.length;
    const run = train(toyModel(), {data: toyData(), host, batchSize: 8, snapshotEvery: 100, validation: "none", seed: 5});
    await run.info;
    await new Promise((r) => setTimeout(r, 1200));
    run.stop();
    const end = await run.ended;
    const times = trace.posted.slice(from).filter(({message}) => message.type === "snapshot").map(({at}) => at);
    const gaps = times.slice(2, -1).map((t, i) => t - times[i + 1]!);
    expect(end.step).toBeGreaterThan(5 * times.length); // many steps per snapshot
    expect(times.length).toBeGreaterThanOrEqual(6);
    expect(times.length).toBeLessThanOrEqual(14);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(95);
  });

  test("a diverging run stops by itself and says so", async () => {
    const run = train(toyModel(1e4, "sgd"), {data: toyData(), host, batchSize: 32, snapshotEvery: 0, seed: 1});
    const snapshots = await collect(run);
    expect(Number.isFinite(snapshots.at(-1)!.loss)).toBe(false);
    expect((await run.ended).reason).toBe("diverged");
  });

  test("a trainer error rejects next() with its message and frees everything", async () => {
    const before = (await host.memory()).numTensors;
    const uncompiled = sequential({layers: [dense({units: 1, inputShape: [2]})]});
    const run = train(uncompiled, {data: toyData(), host});
    await expect(run.next()).rejects.toThrow(/Compile the model/);
    expect(await run.ended).toMatchObject({reason: "failed", numTensors: before});
    expect(await run.next()).toEqual({value: undefined, done: true});
  });

  test("invalidation and AbortSignal stop a run; an aborted signal never starts one", async () => {
    let invalidate!: () => void;
    const invalidation = new Promise<void>((r) => (invalidate = r));
    const a = train(toyModel(), {data: toyData(), host, invalidation});
    await a.next();
    invalidate();
    expect((await a.ended).reason).toBe("stopped");
    expect((await a.next()).done).toBe(true);

    const controller = new AbortController();
    const b = train(toyModel(), {data: toyData(), host, signal: controller.signal});
    await b.next();
    controller.abort();
    expect((await b.ended).reason).toBe("stopped");

    const c = train(toyModel(), {data: toyData(), host, signal: AbortSignal.abort()});
    expect((await c.next()).done).toBe(true);
  });

  test("reset() starts over from the same weights: the same losses again", async () => {
    const run = train(toyModel(), {data: toyData(), host, batchSize: 16, snapshotEvery: 0, seed: 9});
    const first: number[] = [];
    for await (const s of run) {
      if (s.run === 0) first[s.step - 1] = s.loss;
      if (s.run === 0 && s.step === 10) run.reset();
      if (s.run === 1 && s.step === 10) {
        expect(s.history.map((p) => p.loss)).toEqual(first);
        break;
      }
    }
    expect((await run.ended).reason).toBe("stopped");
  });
});

describe("no leaks", () => {
  test("tensors after 100 start/stop runs equal the count after 1", async () => {
    const random = mulberry32(1);
    const grid = Float32Array.from({length: 50 * 2}, random);
    const once = async (i: number) => {
      const run = train(toyModel(), {
        data: toyData(64),
        host,
        batchSize: 16,
        snapshotEvery: 0,
        seed: i,
        include: {reconstructions: 4, latent: {layer: 0, count: 8}, predictions: {x: grid, shape: [2]}}
      });
      if (i % 10 === 3) run.stop(); // stopped before it was even built
      else if (i % 10 === 7) {
        await run.next();
        run.reset(); // the replaced run must be freed too
        await run.next();
      } else await run.next();
      run.stop();
      return run.ended;
    };
    await once(0);
    const afterOne = (await host.memory()).numTensors;
    for (let i = 1; i < 100; i++) await once(i);
    const afterHundred = await host.memory();
    expect(afterHundred.numTensors).toBe(afterOne);
    expect(tf.memory().numTensors).toBe(afterOne); // same engine here: nothing held by the page side either
  });
});

describe("MNIST through the protocol", () => {
  test("an autoencoder run sends one of each digit, its reconstructions and latent codes", async () => {
    const model = sequential({layers: [dense({units: 16, activation: "relu", inputShape: [784]}), dense({units: 784, activation: "sigmoid"})]});
    model.compile({optimizer: "adam", loss: "meanSquaredError", learningRate: 0.01});
    const run = train(model, {
      data: {kind: "mnist", train: 500, test: 100, seed: 1},
      host,
      batchSize: 50,
      steps: 30,
      snapshotEvery: 0,
      include: {reconstructions: 12, latent: {layer: 0, count: 40}}
    });
    const snapshots = await collect(run);
    const info = await run.info;
    expect([...info.examples!.labels!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, expect.any(Number), expect.any(Number)]);
    expect(info.examples!.x).toHaveLength(12 * 784);
    expect(info.latentSize).toBe(16);
    expect(info.latentLabels).toHaveLength(40);
    const last = snapshots.at(-1)!;
    expect(last.reconstructions).toHaveLength(12 * 784);
    expect(last.latent).toHaveLength(40 * 16);
    expect(last.loss).toBeLessThan(snapshots[0]!.loss);
    // the reconstructions come from the model: closer to the examples at the end than at the start
    const mse = (r: Float32Array) => r.reduce((sum, v, i) => sum + (v - info.examples!.x[i]!) ** 2, 0) / r.length;
    expect(mse(last.reconstructions!)).toBeLessThan(mse(snapshots[0]!.reconstructions!));
  });
});
