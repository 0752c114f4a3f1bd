// A lesson's extra outputs in each snapshot: the model's output on fixed test samples
// (reconstructions), a layer's activations (latent codes), predictions on given inputs. Inputs are
// chosen once per run; outputs are computed only when a snapshot is made.
import {tf, tfl} from "../tf/tfjs.js";
import {size, type PreparedData} from "./data.js";
import type {FitOptions, RunInfo, Snapshot} from "./protocol.js";

/** The lesson's extra outputs: fixed inputs chosen once, outputs computed at each snapshot. */
export function makeExtras(model: tfl.LayersModel, data: PreparedData, fit: FitOptions, keep: <T extends tf.Tensor>(t: T) => T) {
  const info: Partial<RunInfo> = {};
  const jobs: ((snap: Partial<Snapshot>) => void)[] = [];
  const per = size(data.xShape);
  const source = data.testX ?? data.x;
  const sourceLabels = data.testX ? data.testLabels : undefined;
  const sourceCount = data.testX ? data.testCount : data.count;

  const k = Math.min(fit.include?.reconstructions ?? 0, sourceCount);
  if (k > 0) {
    const rows = sourceLabels ? oneOfEachFirst(sourceLabels, k) : Array.from({length: k}, (_, i) => i);
    const examples = new Float32Array(k * per);
    rows.forEach((row, i) => examples.set(source.subarray(row * per, (row + 1) * per), i * per));
    const inputs = keep(tf.tensor(examples, [k, ...data.xShape]));
    info.examples = {x: examples.slice(), ...(sourceLabels ? {labels: Uint8Array.from(rows, (r) => sourceLabels[r]!)} : {})};
    jobs.push((snap) => (snap.reconstructions = tf.tidy(() => (model.predict(inputs) as tf.Tensor).dataSync().slice() as Float32Array)));
  }
  const latent = fit.include?.latent;
  if (latent) {
    const layer = model.layers[latent.layer];
    if (layer === undefined) throw new Error(`include.latent.layer ${latent.layer}: the model has layers 0…${model.layers.length - 1}.`);
    const count = Math.min(latent.count ?? 500, sourceCount);
    // Shares the layers' weights; disposing the run's model frees them, so this is never disposed.
    const encoder = tfl.model({inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor});
    const inputs = keep(tf.tensor(source.subarray(0, count * per), [count, ...data.xShape]));
    info.latentSize = size((layer.outputShape as number[]).slice(1));
    if (sourceLabels) info.latentLabels = sourceLabels.slice(0, count);
    jobs.push((snap) => (snap.latent = tf.tidy(() => (encoder.predict(inputs) as tf.Tensor).dataSync().slice() as Float32Array)));
  }
  const predictions = fit.include?.predictions;
  if (predictions) {
    const inputs = keep(tf.tensor(predictions.x, [predictions.x.length / size(predictions.shape), ...predictions.shape]));
    // .slice(): the cpu backend's dataSync hands out its own storage, and snapshots are transferred.
    jobs.push((snap) => (snap.predictions = tf.tidy(() => (model.predict(inputs) as tf.Tensor).dataSync().slice() as Float32Array)));
  }
  return {
    info,
    compute(): Partial<Snapshot> {
      const snap: Partial<Snapshot> = {};
      for (const job of jobs) job(snap);
      return snap;
    }
  };
}

/** Rows ordered so the first ten show one of each digit (then the next of each, …). */
function oneOfEachFirst(labels: Uint8Array, k: number): number[] {
  const byDigit: number[][] = Array.from({length: 10}, () => []);
  labels.forEach((label, row) => byDigit[label]!.push(row));
  const rows: number[] = [];
  for (let round = 0; rows.length < k; round++) {
    for (const list of byDigit) if (list[round] !== undefined && rows.length < k) rows.push(list[round]!);
  }
  return rows;
}
