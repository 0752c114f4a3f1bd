// Continuing a saved run: the weights a run reached, put into a fresh run, carry on from that
// loss and that step (cpu backend, one process), and weights of another model are refused with help.
import {beforeAll, describe, expect, test} from "vitest";
import {handshake, train, TrainerHost, type SavedProgress, type TrainingRun, type TrainingSnapshot} from "../../cells/train/client.js";
import type {DataSpec, FromTrainer, ToTrainer} from "../../cells/train/protocol.js";
import {dense, sequential} from "../../cells/train/spec.js";
import {serveTrainer} from "../../cells/train/trainer-core.js";
import {connectedPair} from "../../cells/train/transport.js";
import {mulberry32} from "../../cells/data/random.js";

let host: TrainerHost;
beforeAll(async () => {
  const [page, trainer] = connectedPair<ToTrainer, FromTrainer>();
  serveTrainer(trainer);
  host = new TrainerHost(async () => ({transport: page, backend: await handshake(page, "cpu")}));
  expect((await host.backend).name).toBe("cpu");
});

function points(n = 128): DataSpec {
  const random = mulberry32(5);
  const x = Float32Array.from({length: 2 * n}, () => 2 * random() - 1);
  const y = Float32Array.from({length: n}, (_, i) => 0.5 * x[2 * i]! - x[2 * i + 1]! + 0.2);
  return {kind: "inline", x, y, xShape: [2], yShape: [1]};
}
function model(hidden = 8) {
  const m = sequential({layers: [dense({units: hidden, activation: "tanh", inputShape: [2]}), dense({units: 1})]});
  m.compile({optimizer: "sgd", loss: "meanSquaredError", learningRate: 0.1});
  return m;
}
async function until(run: TrainingRun, done: (s: TrainingSnapshot) => boolean): Promise<TrainingSnapshot> {
  // next() by hand: leaving a for-await loop would stop the run.
  for (let r = await run.next(); !r.done; r = await run.next()) if (done(r.value)) return r.value;
  throw new Error("the run ended first");
}

describe("a saved run continues", () => {
  test("from its weights, step and loss history, not from fresh weights", async () => {
    const first = train(model(), {data: points(), batchSize: 32, seed: 3, host, startPaused: false});
    await until(first, (s) => s.step >= 60);
    first.pause();
    const saved = (await first.progress()) as SavedProgress;
    first.stop();
    expect(saved.step).toBeGreaterThanOrEqual(60);
    expect(saved.weights.map((w) => w.shape)).toEqual([[2, 8], [8], [8, 1], [1]]);
    const savedLoss = saved.history.at(-1)!.loss;

    const fresh = train(model(), {data: points(), batchSize: 32, seed: 3, host, steps: 1});
    const freshLoss = (await until(fresh, (s) => s.final === true)).loss;
    const resumed = train(model(), {data: points(), batchSize: 32, seed: 3, host, steps: saved.step + 1, resume: saved});
    const next = await until(resumed, (s) => s.final === true);
    expect(next.step).toBe(saved.step + 1);
    expect(next.history.length).toBe(saved.history.length + 1);
    // One more step from the saved weights: near the saved loss, far below a fresh model's.
    expect(next.loss).toBeLessThan(freshLoss / 2);
    expect(Math.abs(next.loss - savedLoss)).toBeLessThan(savedLoss + 0.02);
    expect((await resumed.ended).numTensors).toBe((await fresh.ended).numTensors);
  }, 60_000);

  test("weights saved from another model are refused with what to do", async () => {
    const first = train(model(8), {data: points(), batchSize: 32, seed: 1, host, startPaused: true});
    first.step();
    await until(first, (s) => s.step >= 1);
    const saved = (await first.progress())!;
    first.stop();
    const other = train(model(4), {data: points(), batchSize: 32, host, resume: saved});
    await expect(until(other, () => true)).rejects.toThrow(/do not fit this model.*Start over/);
  }, 60_000);
});
