// Glue between training and a page: keeps the run's history (epoch 0 first), paces the epochs so
// a student can watch the boundary move, and stops when the cell that started it is invalidated.
// Fully connected networks train through the live-model harness (./harness.ts, on the page's main
// thread); a network with masked connections keeps the lesson's own SGD loop (./train.ts), because
// the harness builds dense layers and has no connection masks.
import type {TrainerHost} from "../train/client.js";
import {initBackend} from "../tf/backend.js";
import {measure, networkFrom, startRun} from "./harness.js";
import {trainNetwork, type TrainOptions, type TrainSnapshot} from "./train.js";

export interface LiveState {
  /** Every epoch so far, epoch 0 first. */
  history: TrainSnapshot[];
  latest: TrainSnapshot;
  done: boolean;
}

export type LiveOptions = TrainOptions & {
  /** Milliseconds per epoch at least, so the boundary's moves can be seen (0: as fast as it goes). */
  pause?: number;
  invalidation?: Promise<unknown>;
  /** Where the harness trains (tests); default the page's main thread. */
  host?: TrainerHost;
};

/** Trains the network from its given weights, one state per epoch; stops when `invalidation` resolves. */
export async function* trainLive(options: LiveOptions): AsyncGenerator<LiveState, void, unknown> {
  if (options.network.some((layer) => layer.mask)) {
    yield* trainMaskedLive(options);
    return;
  }
  const {pause = 60, invalidation, host, network, data, learningRate = 0.1, epochs = 50, batchSize = 10, seed = 1, signal} = options;
  if (!host) await initBackend(); // once per page, the choice the page shows (and the page's trainer uses): the cells that draw these states run tfjs
  const first = measure(network, data, 0);
  const history: TrainSnapshot[] = [first];
  yield {history: history.slice(), latest: first, done: epochs <= 0};
  if (epochs <= 0) return;
  const stepsPerEpoch = Math.ceil(data.count / Math.max(1, Math.min(batchSize, data.count)));
  const run = startRun({
    network, data, learningRate, epochs, batchSize, seed,
    stepsPerSecond: pause > 0 ? (1000 * stepsPerEpoch) / pause : null,
    ...(signal ? {signal} : {}),
    ...(invalidation ? {invalidation} : {}),
    ...(host ? {host} : {})
  });
  // Drain the run as its snapshots come (a reader waiting on the page must not make it skip an
  // epoch); the page is shown the newest state whenever it asks.
  let finished = false, failure: unknown;
  let wake = () => {};
  void (async () => {
    try {
      for await (const s of run) {
        const epoch = s.step / stepsPerEpoch;
        if (!Number.isInteger(epoch) || epoch <= history.at(-1)!.epoch || !s.weights) continue; // the first step's, or the last repeated
        history.push(measure(networkFrom(s.weights, network), data, epoch));
        wake();
      }
    } catch (error) {
      failure = error;
    } finally {
      finished = true;
      wake();
    }
  })();
  let shown = 1;
  try {
    for (;;) {
      if (history.length === shown && !finished) await new Promise<void>((resolve) => (wake = resolve));
      if (failure !== undefined) throw failure;
      if (history.length > shown) {
        shown = history.length;
        const latest = history.at(-1)!;
        yield {history: history.slice(), latest, done: latest.epoch >= epochs};
      } else if (finished) return;
    }
  } finally {
    run.stop(); // the page broke off (or the run is over: then a no-op)
  }
}

/** The lesson's own SGD loop (./train.ts) for masked networks, on the page's tfjs backend. */
async function* trainMaskedLive(options: LiveOptions): AsyncGenerator<LiveState, void, unknown> {
  const {pause = 60, invalidation, host: _host, ...train} = options;
  await initBackend(); // once per page: the same choice the page shows
  const controller = new AbortController();
  train.signal?.addEventListener("abort", () => controller.abort(), {once: true});
  void invalidation?.then(() => controller.abort());
  const history: TrainSnapshot[] = [];
  const epochs = train.epochs ?? 50;
  for await (const latest of trainNetwork({...train, signal: controller.signal})) {
    history.push(latest);
    yield {history: history.slice(), latest, done: latest.epoch >= epochs};
    if (latest.epoch < epochs && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Scales (w, b) together so every value fits in [−limit, limit]: the boundary z = 0 stays put. */
export function fitToSliders(values: number[], limit: number): {values: number[]; scaled: boolean} {
  const largest = Math.max(...values.map(Math.abs));
  if (largest <= limit) return {values, scaled: false};
  return {values: values.map((v) => (v * limit) / largest), scaled: true};
}

/** Sets an Observable input's value as a user's drag would, so the cells that view it re-run. */
export function setInput(input: EventTarget & {value: unknown}, value: unknown): void {
  input.value = value;
  input.dispatchEvent(new Event("input", {bubbles: true}));
}
