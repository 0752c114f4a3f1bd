// The lesson's measurement: train the same autoencoder on several mixes (one per share of the rare
// digit), each for the same number of steps in the page's training worker, and measure every
// digit's reconstruction error and the judge's reading of the rare digit after each. The judge
// (the matmul-shapes lesson's classifier) is trained first on balanced digits unless one is given.
import {autoencoder} from "../autoencoder/model.js";
import {classificationAccuracy, digitClassifier} from "../matmul/classifier.js";
import {train, type TrainerHost, type TrainingRun, type TrainingSnapshot} from "../train/client.js";
import type {WeightValues} from "../train/protocol.js";
import type {SequentialSpec} from "../train/spec.js";
import {measureMix, type MixResult} from "./measure.js";
import {mixData, SPLIT_SEED, SWEEP_SHARES, TEST_DIGITS, TRAIN_DIGITS, trainingMix} from "./mix.js";

/** The lesson's autoencoder: lesson 4's "more ambitious" 16-unit model with sigmoid + BCE and Adam. */
export function biasAutoencoder({hidden = 64, bottleneck = 16}: {hidden?: number; bottleneck?: number} = {}): SequentialSpec {
  return autoencoder({hidden, bottleneck, output: "sigmoid + BCE", optimizer: "adam"});
}

/** Where runs train: the page's worker by default; tests pass onMain or a host. */
export interface RunPlace {
  onMain?: boolean;
  host?: TrainerHost;
  signal?: AbortSignal;
}

export interface Judge {
  weights: WeightValues[];
  /** Accuracy on the balanced test digits (the autoencoder's test digits, never trained on). */
  accuracy: number;
}

/** Runs to the end; the last snapshot. Throws if the run failed, returns null if stopped. */
async function lastSnapshot(run: TrainingRun, onSnapshot?: (s: TrainingSnapshot) => void): Promise<TrainingSnapshot | null> {
  let last: TrainingSnapshot | null = null;
  for await (const s of run) {
    last = s;
    onSnapshot?.(s);
  }
  const end = await run.ended;
  if (end.reason === "stopped") return null;
  if (end.reason !== "finished" || last === null) throw new Error(`The run ended: ${end.reason}.`);
  return last;
}

/** The judge: 784-128-10, Adam, on `train` balanced digits that exclude the test digits. */
export async function trainJudge({steps = 220, trainCount = 7000, test = TEST_DIGITS, seed = 1, ...place}: {steps?: number; trainCount?: number; test?: number; seed?: number} & RunPlace = {}, onStep?: (step: number) => void): Promise<Judge | null> {
  const run = train(digitClassifier(), {
    data: {kind: "mnist", train: trainCount, test, seed: SPLIT_SEED, target: "onehot"},
    batchSize: 64, steps, seed, snapshotEvery: 500, validation: "none",
    include: {weights: true, reconstructions: test},
    ...place
  });
  const last = await lastSnapshot(run, (s) => onStep?.(s.step));
  if (last === null) return null;
  return {weights: last.weights!, accuracy: classificationAccuracy(last.reconstructions!, last.info.examples!.labels!)};
}

export interface SweepOptions extends RunPlace {
  rare: number;
  shares?: readonly number[];
  /** Training steps per mix (the same budget for every share). */
  steps?: number;
  batchSize?: number;
  hidden?: number;
  bottleneck?: number;
  total?: number;
  test?: number;
  seed?: number;
  /** A trained judge; otherwise one is trained first (judgeSteps). */
  judge?: Judge;
  judgeSteps?: number;
  judgeTrain?: number;
}

export interface SweepProgress {
  /** The rare digit of this sweep. */
  rare: number;
  phase: "judge" | "mix" | "done";
  /** The share training now (phase "mix"). */
  share?: number;
  /** Steps done in this phase, of `steps`. */
  step: number;
  steps: number;
  results: MixResult[];
  judge?: Judge;
  /** Seconds since the sweep started. */
  seconds: number;
}

/** Trains one autoencoder per share and yields progress; results in the order of `shares`. */
export async function* biasSweep(options: SweepOptions): AsyncGenerator<SweepProgress, void, undefined> {
  const {rare, shares = SWEEP_SHARES, steps = 1000, batchSize = 64, hidden = 64, bottleneck = 16, total = TRAIN_DIGITS, test = TEST_DIGITS, seed = 1, judgeSteps = 220, judgeTrain = 7000, onMain, host, signal} = options;
  const place: RunPlace = {...(onMain !== undefined ? {onMain} : {}), ...(host ? {host} : {}), ...(signal ? {signal} : {})};
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const results: MixResult[] = [];
  let judge = options.judge;
  // Progress from a run's callbacks, handed to the generator as it asks.
  let pending: SweepProgress | null = null;
  let wake: () => void = () => {};
  const report = (p: SweepProgress) => { pending = p; wake(); };
  const until = async <T>(work: Promise<T>): Promise<AsyncGenerator<SweepProgress, T>> => {
    let settled = false;
    const done = work.finally(() => { settled = true; wake(); });
    return (async function* () {
      for (;;) {
        if (pending) { const p = pending; pending = null; yield p; continue; }
        if (settled) return await done;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    })();
  };

  if (!judge) {
    yield {rare, phase: "judge", step: 0, steps: judgeSteps, results, seconds: seconds()};
    const trained = yield* await until(trainJudge({steps: judgeSteps, trainCount: judgeTrain, test, ...place}, (step) => report({rare, phase: "judge", step, steps: judgeSteps, results, seconds: seconds()})));
    if (trained === null) return;
    judge = trained;
  }
  for (const share of shares) {
    yield {rare, phase: "mix", share, step: 0, steps, results: results.slice(), judge, seconds: seconds()};
    const run = train(biasAutoencoder({hidden, bottleneck}), {
      data: mixData(rare, share, {total, test}),
      batchSize, steps, seed, snapshotEvery: 1000, validation: "none",
      include: {reconstructions: test},
      ...place
    });
    const last = yield* await until(lastSnapshot(run, (s) => report({rare, phase: "mix", share, step: s.step, steps, results: results.slice(), judge, seconds: seconds()})));
    if (last === null) return;
    const examples = last.info.examples!;
    results.push(measureMix({originals: examples.x, outputs: last.reconstructions!, labels: examples.labels!, rare, share, rareCount: trainingMix(rare, share, total)[rare]!, judge: judge.weights}));
  }
  yield {rare, phase: "done", step: steps, steps, results: results.slice(), judge, seconds: seconds()};
}
