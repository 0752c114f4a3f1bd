// Lesson-defined training steps through the harness (cells/train/step.ts): client ⇄ in-process
// transport ⇄ trainer-core, on the tfjs cpu backend, with a test registry holding a linear
// regression written with tf ops. The trainer finds the step by name, batches, snapshots,
// stops within a step, and frees every tensor the step made.
import {beforeAll, describe, expect, test} from "vitest";
import {mulberry32} from "../../cells/data/random.js";
import {handshake, stepModel, train, TrainerHost, type TrainingRun, type TrainingSnapshot} from "../../cells/train/client.js";
import type {DataSpec, FromTrainer, ToTrainer} from "../../cells/train/protocol.js";
import type {LessonStep, StepRegistry} from "../../cells/train/step.js";
import {serveTrainer} from "../../cells/train/trainer-core.js";
import {connectedPair, type Transport} from "../../cells/train/transport.js";
import {tf} from "../../cells/tf/tfjs.js";

interface LinearConfig {
  learningRate: number;
  /** Makes init throw after creating a tensor (to test the error path). */
  failInit?: boolean;
}

/** A variable starting at `initial`; the initial tensor is freed (the variable keeps its own). */
function owned(engine: typeof tf, initial: tf.Tensor): tf.Variable {
  const v = engine.variable(initial, true, `v${Math.random()}`);
  initial.dispose();
  return v;
}

/** y ≈ x·w + b by SGD, with a second named loss (the weights' squared norm) and snapshot extras. */
const linearStep: LessonStep<LinearConfig> = {
  init({config, seed, data, tf}) {
    const inputs = data.xShape[0]!;
    const w = owned(tf, tf.randomNormal([inputs, 1], 0, 0.1, "float32", seed));
    const b = owned(tf, tf.zeros([1]));
    if (config.failInit) throw new Error("init failed on purpose");
    const optimizer = tf.train.sgd(config.learningRate);
    const mse = (x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x as tf.Tensor2D, w), b), y))) as tf.Scalar;
    return {
      params: inputs + 1,
      step({x, y}) {
        const loss = optimizer.minimize(() => mse(x, y), true, [w, b])!;
        return {loss, norm: tf.sum(tf.square(w)) as tf.Scalar};
      },
      validate(d) {
        return {loss: mse(d.testX!, d.testY!).dataSync()[0]!, norm: tf.sum(tf.square(w)).dataSync()[0]!};
      },
      snapshot() {
        // dataSync's own storage on the cpu backend: the harness must copy before transferring.
        return {w: w.dataSync() as Float32Array, bias: b.dataSync()[0]!, pair: [1, 2]};
      },
      dispose() {
        optimizer.dispose();
        w.dispose();
        b.dispose();
      }
    };
  }
};

/** Allocates a tensor per step that it never frees: the harness's tidy must catch it. */
const leakyStep: LessonStep = {
  init({tf}) {
    const w = owned(tf, tf.scalar(1));
    return {
      params: 1,
      step() {
        tf.ones([10]); // dropped on the floor
        return {loss: tf.mul(w, 2) as tf.Scalar};
      },
      dispose: () => w.dispose()
    };
  }
};

const registry: StepRegistry = {
  "test/linear": async () => ({linearStep, notAStep: 42}),
  "test/leaky": async () => ({leakyStep})
};

interface Trace {
  stepsPosted: number;
  received: {message: ToTrainer; stepsPosted: number}[];
}

let host: TrainerHost;
const trace: Trace = {stepsPosted: 0, received: []};
beforeAll(async () => {
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  const traced: Transport<ToTrainer, FromTrainer> = {
    onmessage: null,
    post(message, transfer) {
      if (message.type === "snapshot") trace.stepsPosted = message.snapshot.step;
      trainer.post(message, transfer);
    }
  };
  trainer.onmessage = (message) => {
    trace.received.push({message, stepsPosted: trace.stepsPosted});
    traced.onmessage?.(message);
  };
  serveTrainer(traced, {steps: registry});
  host = new TrainerHost(async () => ({transport: page, backend: await handshake(page, "cpu")}));
  expect((await host.backend).name).toBe("cpu");
});

/** y = 2 x₁ − x₂ + 0.5 + small noise on 256 seeded points. */
function lineData(n = 256): DataSpec {
  const random = mulberry32(5);
  const x = Float32Array.from({length: 2 * n}, () => 2 * random() - 1);
  const y = Float32Array.from({length: n}, (_, i) => 2 * x[2 * i]! - x[2 * i + 1]! + 0.5 + 0.01 * (random() - 0.5));
  return {kind: "inline", x, y, xShape: [2], yShape: [1], testX: x.slice(0, 128), testY: y.slice(0, 64)};
}

const linear = (config: LinearConfig = {learningRate: 0.1}) => stepModel({module: "test/linear", export: "linearStep"}, config);

async function collect(run: TrainingRun): Promise<TrainingSnapshot[]> {
  const all: TrainingSnapshot[] = [];
  for await (const snapshot of run) all.push(snapshot);
  return all;
}

describe("a lesson-defined step", () => {
  test("lowers its loss, reports every named loss and the validation losses", async () => {
    const run = train(linear(), {data: lineData(), host, batchSize: 32, epochs: 10, snapshotEvery: 0, seed: 1});
    const snapshots = await collect(run);
    const info = await run.info;
    expect(info).toMatchObject({backend: "cpu", params: 3, trainCount: 256, stepsPerEpoch: 8, inputShape: [2], outputShape: [1]});
    const first = snapshots[0]!, last = snapshots.at(-1)!;
    expect(last.final).toBe(true);
    expect(last.step).toBe(80);
    expect(first.losses).toMatchObject({loss: first.loss, norm: expect.any(Number)});
    expect(last.loss).toBeLessThan(first.loss / 20);
    // The norm of w approaches |(2, −1)|² = 5.
    expect(last.losses!.norm).toBeGreaterThan(3.5);
    expect(Object.keys(last.lossHistory).sort()).toEqual(["loss", "norm"]);
    expect(last.lossHistory.loss!.map((p) => p.loss)).toEqual(last.history.map((p) => p.loss));
    expect(last.valLossHistory.loss!.map((p) => p.step)).toEqual([8, 16, 24, 32, 40, 48, 56, 64, 72, 80]);
    expect(last.valLossHistory.norm).toHaveLength(10);
    expect(last.valHistory.at(-1)!.loss).toBe(last.valLossHistory.loss!.at(-1)!.loss);
    expect(last.valHistory.at(-1)!.loss).toBeLessThan(0.05);
    expect((await run.ended).reason).toBe("finished");
  });

  test("the same seed gives the same run", async () => {
    const losses = async (seed: number) => (await collect(train(linear(), {data: lineData(), host, batchSize: 16, steps: 20, snapshotEvery: 0, seed}))).at(-1)!.history.map((p) => p.loss);
    const a = await losses(4);
    expect(await losses(4)).toEqual(a);
    expect(await losses(5)).not.toEqual(a);
  });

  test("the step's snapshot() values arrive in the snapshot, copied off the backend", async () => {
    const run = train(linear(), {data: lineData(), host, batchSize: 32, steps: 40, snapshotEvery: 0, seed: 2});
    const snapshots = await collect(run);
    const last = snapshots.at(-1)!;
    expect(last.extras!.w).toBeInstanceOf(Float32Array);
    expect((last.extras!.w as Float32Array).length).toBe(2);
    expect(last.extras!.pair).toEqual([1, 2]);
    expect(typeof last.extras!.bias).toBe("number");
    // Each snapshot carries its own values (a transferred backend buffer would have broken the run).
    const w0 = snapshots[0]!.extras!.w as Float32Array, w1 = last.extras!.w as Float32Array;
    expect(w0.length).toBe(2);
    expect(Math.abs(w1[0]! - 2)).toBeLessThan(Math.abs(w0[0]! - 2));
  });

  test("stop lands within one step of the trainer receiving it, and leaves no tensor behind", async () => {
    const before = (await host.memory()).numTensors;
    const run = train(linear(), {data: lineData(), host, batchSize: 8, snapshotEvery: 0, seed: 3});
    for await (const snapshot of run) if (snapshot.step >= 25) break;
    const end = await run.ended;
    const stop = trace.received.filter(({message}) => message.type === "stop").at(-1)!;
    expect(end.reason).toBe("stopped");
    expect(end.step - stop.stepsPosted).toBeLessThanOrEqual(1);
    expect(end.numTensors).toBe(before);
    expect((await host.memory()).numTensors).toBe(before);
  });

  test("pause, single steps and reset work as for any model", async () => {
    const run = train(linear(), {data: lineData(), host, batchSize: 32, snapshotEvery: 0, startPaused: true, seed: 6});
    await run.info;
    run.step();
    expect((await run.next()).value).toMatchObject({step: 1, paused: true});
    const firstLoss = run.latest!.loss;
    run.reset();
    run.step();
    const again = (await run.next()).value!;
    expect(again).toMatchObject({run: 1, step: 1});
    expect(again.loss).toBe(firstLoss);
    run.stop();
    expect((await run.ended).reason).toBe("stopped");
  });

  test("a step's stray tensors are freed by the harness's tidy; many runs leak nothing", async () => {
    const before = (await host.memory()).numTensors;
    for (let i = 0; i < 5; i++) {
      const leaky = await collect(train(stepModel({module: "test/leaky", export: "leakyStep"}, {}), {data: lineData(64), host, steps: 20, snapshotEvery: 0}));
      expect(leaky.at(-1)!.loss).toBe(2);
      await collect(train(linear(), {data: lineData(64), host, batchSize: 16, steps: 10, snapshotEvery: 0, seed: i, validation: "snapshot"}));
    }
    expect((await host.memory()).numTensors).toBe(before);
    expect(tf.memory().numTensors).toBe(before); // the same engine in this process
  });

  test("an unknown module or export fails with a clear message naming what exists", async () => {
    const unknown = train(stepModel({module: "vae/modle", export: "vaeStep"}, {}), {data: lineData(), host});
    await expect(collect(unknown)).rejects.toThrow(/No training step module "vae\/modle".*"test\/linear", "test\/leaky"/);
    expect((await unknown.ended).reason).toBe("failed");

    const noExport = train(stepModel({module: "test/linear", export: "notAStep"}, {}), {data: lineData(), host});
    await expect(collect(noExport)).rejects.toThrow(/"test\/linear" has no export "notAStep" with an init\(\).*linearStep/);
  });

  test("an init that throws fails the run and says what it left behind", async () => {
    const run = train(linear({learningRate: 0.1, failInit: true}), {data: lineData(), host});
    await expect(collect(run)).rejects.toThrow(/init failed on purpose \(init left \d+ tensors behind\)/);
    expect((await run.ended).reason).toBe("failed");
    // The two stray variables are this test step's own fault; free them so later counts hold.
    tf.disposeVariables();
  });
});
