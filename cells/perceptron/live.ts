// Glue between trainNetwork and a page: keeps the run's history, paces the epochs so a student can
// watch the boundary move, and stops when the cell that started it is invalidated.
import {initBackend} from "../tf/backend.js";
import {trainNetwork, type TrainOptions, type TrainSnapshot} from "./train.js";

export interface LiveState {
  /** Every snapshot so far, epoch 0 first. */
  history: TrainSnapshot[];
  latest: TrainSnapshot;
  done: boolean;
}

/** trainNetwork on the page's tfjs backend, one snapshot every `pause` ms at most; stops when `invalidation` resolves. */
export async function* trainLive(options: TrainOptions & {pause?: number; invalidation?: Promise<unknown>}): AsyncGenerator<LiveState, void, unknown> {
  const {pause = 60, invalidation, ...train} = options;
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
