// Loss curves, recorded through the live-model harness (../train/client.ts): every step's batch
// loss, the per-epoch mean that `fit` prints, and the validation loss after each epoch. Plain
// arrays out, so plots and checks need no tfjs. Also the two readings the lesson makes of a
// curve: which regime it is in, and where the validation loss turns up.
import {train, type TrainerHost, type TrainingSnapshot} from "../train/client.js";
import type {DataSpec, DoneReason, Extras} from "../train/protocol.js";
import type {ModelData, SequentialSpec} from "../train/spec.js";

export type InlineData = Extract<DataSpec, {kind: "inline"}>;

/** A seeded run to record: a model (compiled), its data, and fit's settings. */
export interface CurveRun {
  model: SequentialSpec | ModelData;
  data: InlineData;
  batchSize: number;
  epochs: number;
  seed: number;
}

export interface LossCurve {
  stepsPerEpoch: number;
  /** The batch loss of step 1, 2, …: index i is step i + 1. */
  steps: number[];
  /** The mean batch loss over each finished epoch: what `fit` prints as `loss`. */
  epochs: number[];
  /** The loss on the held-out set after each epoch (`val_loss`), when the data has one. */
  validation: number[];
  /** The model's outputs on `include.predictions` at the latest snapshot. */
  predictions?: Float32Array;
  /** Set once the run is over. */
  reason?: DoneReason;
}

export interface RecordOptions {
  signal?: AbortSignal;
  invalidation?: Promise<unknown>;
  /** Serve the run here (tests pass an in-process cpu trainer). */
  host?: TrainerHost;
  onMain?: boolean;
  include?: Extras;
  /** Milliseconds between the curves this yields (the run itself records every step). */
  every?: number;
}

/**
 * Trains `run` and yields its curve as it grows (every `every` ms, and once at the end with
 * `reason` set). Every step is recorded (`snapshotEvery: 0`), so the same seed gives the same
 * numbers whatever the machine's speed.
 */
export async function* recordCurve(run: CurveRun, options: RecordOptions = {}): AsyncGenerator<LossCurve, LossCurve, undefined> {
  const {signal, invalidation, host, onMain, include, every = 150} = options;
  const training = train(run.model, {
    data: run.data,
    batchSize: run.batchSize,
    epochs: run.epochs,
    seed: run.seed,
    snapshotEvery: 0,
    validation: run.data.testX ? "epoch" : "none",
    ...(include ? {include} : {}),
    ...(signal ? {signal} : {}),
    ...(invalidation ? {invalidation} : {}),
    ...(host ? {host} : {}),
    ...(onMain !== undefined ? {onMain} : {})
  });
  let last: TrainingSnapshot | undefined;
  let shown = -Infinity;
  try {
    for await (const snapshot of training) {
      last = snapshot;
      if (performance.now() - shown >= every) {
        shown = performance.now();
        yield curveOf(snapshot);
      }
    }
  } finally {
    // An early return (the cell was invalidated) stops the run; the trainer frees its tensors.
    training.stop();
  }
  const end = await training.ended;
  const curve = last ? curveOf(last) : {stepsPerEpoch: 1, steps: [], epochs: [], validation: []};
  curve.reason = end.reason;
  yield curve;
  return curve;
}

/** Runs to the end and returns the final curve. */
export async function finalCurve(run: CurveRun, options: RecordOptions = {}): Promise<LossCurve> {
  let curve: LossCurve | undefined;
  for await (const c of recordCurve(run, {...options, every: Infinity})) curve = c;
  return curve!;
}

function curveOf(snapshot: TrainingSnapshot): LossCurve {
  const stepsPerEpoch = snapshot.info.stepsPerEpoch;
  const steps: number[] = [];
  for (const point of snapshot.history) steps[point.step - 1] = point.loss;
  return {
    stepsPerEpoch,
    steps,
    epochs: epochMeans(steps, stepsPerEpoch),
    validation: snapshot.valHistory.map((p) => p.loss),
    ...(snapshot.predictions ? {predictions: snapshot.predictions} : {})
  };
}

/**
 * Trains several runs at once (the trainer interleaves their steps) and yields every run's latest
 * curve, `undefined` until its first, every `every` ms and once when all are over.
 */
export async function* recordMany(runs: CurveRun[], options: RecordOptions = {}): AsyncGenerator<(LossCurve | undefined)[], void, undefined> {
  const every = options.every ?? 250;
  const sources = runs.map((run) => recordCurve(run, {...options, every}));
  const latest: (LossCurve | undefined)[] = runs.map(() => undefined);
  const next = (i: number) => sources[i]!.next().then((result) => ({i, result}));
  const waiting = new Map(sources.map((_, i) => [i, next(i)]));
  let shown = -Infinity;
  try {
    while (waiting.size > 0) {
      const {i, result} = await Promise.race(waiting.values());
      if (result.done) waiting.delete(i);
      else {
        latest[i] = result.value;
        waiting.set(i, next(i));
      }
      if (waiting.size > 0 && performance.now() - shown >= every) {
        shown = performance.now();
        yield latest.slice();
      }
    }
    yield latest.slice();
  } finally {
    // Stops whatever is still training when the reader goes away.
    await Promise.all(sources.map((source) => source.return(undefined as never)));
  }
}

/** Mean batch loss per finished epoch; an epoch cut short by a non-finite loss counts as non-finite. */
export function epochMeans(steps: readonly number[], stepsPerEpoch: number): number[] {
  const means: number[] = [];
  for (let start = 0; start < steps.length; start += stepsPerEpoch) {
    const epoch = steps.slice(start, start + stepsPerEpoch);
    const broken = epoch.some((v) => !Number.isFinite(v));
    if (epoch.length < stepsPerEpoch && !broken) break;
    means.push(broken ? NaN : epoch.reduce((a, b) => a + b, 0) / epoch.length);
  }
  return means;
}

// --- Reading a curve -------------------------------------------------------------------------

/** What a training-loss curve looks like, in the words the lesson uses. */
export type CurveShape = "flat" | "barely moves" | "slow" | "good" | "noisy" | "oscillates" | "diverges";

export interface CurveReading {
  shape: CurveShape;
  /** First step's loss over the last epoch's mean: how far the loss came down (×). */
  reduction: number;
  /** Decades the loss rose, epoch to epoch, added up. */
  rises: number;
  /** Those rises over the decades it fell: 0 for a smooth descent, near 1 when it goes up as much as down. */
  wobble: number;
  /** Still coming down at the end: the last epoch is below 0.8× the epoch three quarters of the way in. */
  stillFalling: boolean;
  /** The step (1-based) where the loss first became NaN or infinite, if it did. */
  brokeAt?: number;
}

/**
 * Reads a training curve (its first step, then its epoch means) as a student should. In order:
 * diverges: the loss became NaN/∞, ended above where it started, or peaked above 10× that;
 * oscillates (or noisy, if it still came down 10×): its rises add up to more than 0.1 decade and
 *   to at least half its falls;
 * flat: less than a 1.25× reduction; barely moves: under 3×; slow: under 10×; else good.
 * Separately, whether it is still falling at the end (a curve that is not flat yet).
 */
export function readCurve(curve: Pick<LossCurve, "steps" | "epochs">): CurveReading {
  const initial = curve.steps[0] ?? NaN;
  const broke = curve.steps.findIndex((v) => !Number.isFinite(v));
  const last = curve.epochs.at(-1) ?? NaN;
  const reduction = initial / last;
  let rises = 0, falls = 0;
  const logs = [initial, ...curve.epochs].map(Math.log10);
  for (let i = 1; i < logs.length; i++) {
    const d = logs[i]! - logs[i - 1]!;
    if (d > 0) rises += d;
    else falls -= d;
  }
  const wobble = falls > 0 ? rises / falls : rises > 0 ? Infinity : 0;
  const n = curve.epochs.length;
  const stillFalling = n >= 2 && last < 0.8 * curve.epochs[Math.max(0, Math.ceil(0.75 * n) - 1)]!;
  const reading = (shape: CurveShape): CurveReading => ({shape, reduction, rises, wobble, stillFalling, ...(broke >= 0 ? {brokeAt: broke + 1} : {})});
  if (broke >= 0 || !Number.isFinite(last) || last > initial || Math.max(...curve.epochs) > 10 * initial) return reading("diverges");
  if (rises > 0.1 && wobble >= 0.5) return reading(reduction >= 10 ? "noisy" : "oscillates");
  if (reduction < 1.25) return reading("flat");
  if (reduction < 3) return reading("barely moves");
  if (reduction < 10) return reading("slow");
  return reading("good");
}

export interface Turn {
  /** The epoch (1-based) with the lowest validation loss: where it turns up. */
  epoch: number;
  best: number;
  /** Validation loss at the end over its minimum. */
  rise: number;
  /** Training loss at the end over training loss at the turn (< 1: it kept falling). */
  trainingAfter: number;
}

/** Where the validation loss turns up while training loss keeps falling; null if it does not (rise < 10 %). */
export function overfittingTurn(curve: Pick<LossCurve, "epochs" | "validation">): Turn | null {
  const v = curve.validation;
  if (v.length < 3 || !v.every(Number.isFinite)) return null;
  const at = v.indexOf(Math.min(...v));
  const rise = v.at(-1)! / v[at]!;
  const trainingAfter = curve.epochs.at(-1)! / curve.epochs[at]!;
  if (at === v.length - 1 || rise < 1.1 || !(trainingAfter < 1)) return null;
  return {epoch: at + 1, best: v[at]!, rise, trainingAfter};
}

/**
 * Yields `first` at once (so the cell shows a waiting state instead of staying pending), then
 * waits for `ready` (the cell's `visibility()`: its section has been scrolled to) before yielding
 * from `source()`. A page with several trainings thus starts each one only when it is reached.
 */
export async function* whenReached<T>(first: T, ready: () => Promise<unknown>, source: () => AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  yield first;
  await ready();
  yield* source();
}

/** An empty curve marked as waiting to be scrolled to. */
export const waitingCurve = (): LossCurve & {waiting: true} => ({stepsPerEpoch: 1, steps: [], epochs: [], validation: [], waiting: true});
