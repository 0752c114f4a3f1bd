// The page side of live training: `train(model, options)` starts a run on the page's trainer
// (./host.ts: its worker, or the main thread with onMain: true) and returns an async generator of
// snapshots with controls attached. This module imports no tfjs: a worker run loads none in the page.
import type {BackendChoice} from "../tf/backend-names.js";
import type {DataSpec, DoneReason, FitOptions, FromTrainer, RunInfo, Snapshot, ToTrainer, WeightValues} from "./protocol.js";
import {fromTfjsModel, modelData, type ModelData, type SequentialSpec, type TfjsModelLike} from "./spec.js";
import {trainerHost, type TrainerHost} from "./host.js";
import type {StepModel} from "./step.js";

export {TrainerHost, trainerHost, connectInProcess, handshake, type Connection} from "./host.js";

export interface LossPoint {
  step: number;
  epoch: number;
  loss: number;
}

/** A snapshot as the page sees it: the trainer's, plus the run's loss history so far. */
export interface TrainingSnapshot extends Snapshot {
  /** 0 for the first run, then 1, 2, … after each reset(). */
  run: number;
  info: RunInfo;
  history: LossPoint[];
  valHistory: LossPoint[];
  /** Every named loss over the run (`loss`, and a step's own: `recon`, `kl`, …). */
  lossHistory: Record<string, LossPoint[]>;
  /** Every named test-set loss over the run. */
  valLossHistory: Record<string, LossPoint[]>;
}

export interface RunEnd {
  reason: DoneReason;
  step: number;
  /** Tensors the trainer still held after freeing this run's. */
  numTensors: number;
}

export interface TrainOptions extends FitOptions {
  data: DataSpec;
  /** Stops the run when aborted. */
  signal?: AbortSignal;
  /** Stops the run when it resolves (Observable's `invalidation`). */
  invalidation?: Promise<unknown>;
  /** Train on the page's main thread (small models) instead of the worker. */
  onMain?: boolean;
  /** Serve the run here instead of the page's trainer (tests). */
  host?: TrainerHost;
  /** Loading progress (the digits' download, …). */
  onProgress?: (progress: {what: string; loaded: number; total?: number}) => void;
  /** Continue a saved run (./saved-runs in cells/widgets): its weights, step and loss history. */
  resume?: SavedProgress;
}

/** What a run needs to continue where it was saved. */
export interface SavedProgress {
  step: number;
  weights: WeightValues[];
  history: LossPoint[];
  valHistory: LossPoint[];
}

/** A live run: iterate it for snapshots (only the newest unread one is kept), steer it with the
 *  methods. In a notebook a cell whose value is the run becomes its snapshots; keep the handle
 *  in the same cell, or use the trainer widget. */
export interface TrainingRun extends AsyncGenerator<TrainingSnapshot, void, undefined> {
  /** The run's settings once built (backend, parameter count, sizes, example inputs). */
  readonly info: Promise<RunInfo>;
  readonly backend: Promise<BackendChoice>;
  /** Resolves when the run is over for good, after the trainer freed its tensors. */
  readonly ended: Promise<RunEnd>;
  readonly latest: TrainingSnapshot | undefined;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  /** One step (pauses first if running). */
  step(): void;
  /** Steps per second at most (null: as fast as it goes). */
  speed(stepsPerSecond: number | null): void;
  /** Live settings for a lesson-defined step (its StepRun.configure), applied between two steps
   *  without restarting; they stay in force after a reset(). */
  configure(patch: Record<string, unknown>): void;
  stop(): void;
  /** Starts over from fresh weights: same seed unless given, same data and settings. */
  reset(options?: {seed?: number}): void;
  /** The run's weights, step and loss history now, to save them (undefined before the model is built). */
  progress(): Promise<SavedProgress | undefined>;
}

/** Trains a model given as data (sequential(…) after compile), as ModelData, as a real tfjs
 *  model (its topology, weights and compile settings are sent; the page's copy is not changed),
 *  or a lesson-defined step named from the course's registry (stepModel(…), ./step.ts). */
export function train(model: SequentialSpec | ModelData | TfjsModelLike | StepModel, options: TrainOptions): TrainingRun {
  if ((model as StepModel).kind === "step") return new Run(Promise.resolve(model as StepModel), options);
  const isTfjs = typeof (model as TfjsModelLike).getWeights === "function" && typeof (model as TfjsModelLike).toJSON === "function";
  return new Run(isTfjs ? fromTfjsModel(model as TfjsModelLike) : Promise.resolve(modelData(model as SequentialSpec | ModelData)), options);
}

/** Appends a point to a named series unless the step is already there. */
function record(histories: Record<string, LossPoint[]>, values: Record<string, number> | undefined, at: {step: number; epoch: number}): void {
  for (const [name, loss] of Object.entries(values ?? {})) {
    const series = (histories[name] ??= []);
    if (series.at(-1)?.step !== at.step) series.push({step: at.step, epoch: at.epoch, loss});
  }
}

const copyHistories = (histories: Record<string, LossPoint[]>) => Object.fromEntries(Object.entries(histories).map(([name, points]) => [name, points.slice()]));

class Run implements TrainingRun {
  latest: TrainingSnapshot | undefined;
  paused: boolean;
  readonly ended: Promise<RunEnd>;
  readonly backend: Promise<BackendChoice>;
  info!: Promise<RunInfo>;

  private readonly host: TrainerHost;
  private readonly fit: FitOptions;
  private id = 0;
  private generation = -1;
  private resolveInfo: (info: RunInfo) => void = () => {};
  private resolveEnded!: (end: RunEnd) => void;
  private unread: TrainingSnapshot | undefined;
  private error: Error | undefined;
  private finished = false;
  private waiter: {resolve(result: IteratorResult<TrainingSnapshot, void>): void; reject(error: Error): void} | undefined;
  private history: LossPoint[] = [];
  private valHistory: LossPoint[] = [];
  private lossHistory: Record<string, LossPoint[]> = {};
  private valLossHistory: Record<string, LossPoint[]> = {};
  private currentInfo: RunInfo | undefined;
  /** A saved run to continue; used by the first start only (reset() starts afresh). */
  private resumeFrom: SavedProgress | undefined;
  /** Live settings given so far: a reset() starts with them. */
  private patch: Record<string, unknown> = {};
  private weightRequests = new Map<number, (message: Extract<FromTrainer, {type: "weights"}>) => void>();
  private nextRequest = 1;

  /** Messages for the trainer go out in order, after the model data is ready. */
  private queue: Promise<void>;

  constructor(private readonly model: Promise<ModelData | StepModel>, private readonly options: TrainOptions) {
    const {data: _data, signal, invalidation, onMain, host, onProgress: _onProgress, resume, ...fit} = options;
    this.fit = fit;
    this.resumeFrom = resume;
    this.paused = fit.startPaused ?? false;
    this.host = host ?? trainerHost({onMain: onMain ?? false});
    this.backend = this.host.backend;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.queue = model.then(
      () => {},
      (error: Error) => {
        this.error = error;
        this.finished = true;
        this.resolveEnded({reason: "failed", step: 0, numTensors: NaN});
        this.flush();
      }
    );
    if (signal?.aborted) {
      this.info = new Promise(() => {});
      this.finished = true;
      this.resolveEnded({reason: "stopped", step: 0, numTensors: NaN});
      return;
    }
    signal?.addEventListener("abort", () => this.stop(), {once: true});
    void invalidation?.then(() => this.stop());
    this.start(fit.seed);
  }

  private start(seed: number | undefined): void {
    this.generation += 1;
    this.history = [];
    this.valHistory = [];
    this.lossHistory = {};
    this.valLossHistory = {};
    this.currentInfo = undefined;
    this.unread = undefined;
    this.info = new Promise((resolve) => (this.resolveInfo = resolve));
    const generation = this.generation;
    const id = this.host.open((message) => this.receive(message, generation));
    this.id = id;
    const resume = this.resumeFrom;
    this.resumeFrom = undefined;
    if (resume) {
      this.history = resume.history.slice();
      this.valHistory = resume.valHistory.slice();
    }
    const fit = {...this.fit, startPaused: this.paused, ...(seed !== undefined ? {seed} : {}), ...(resume ? {initialWeights: resume.weights, initialStep: resume.step} : {})};
    const patch = this.patch;
    const withPatch = (model: ModelData | StepModel) => (model.kind === "step" && Object.keys(patch).length > 0 ? {...model, config: {...(model.config as object), ...patch}} : model);
    this.post((model) => ({type: "start", run: id, model: withPatch(model), data: this.options.data, fit}));
  }

  private receive(message: FromTrainer, generation: number): void {
    const current = generation === this.generation;
    if (message.type === "done") {
      this.host.close(message.run);
      if (!current) return; // a run replaced by reset() ending: the new one carries on
      this.finished = true;
      this.resolveEnded({reason: message.reason, step: message.step, numTensors: message.numTensors});
      this.flush();
      return;
    }
    if (!current || this.finished) return;
    switch (message.type) {
      case "weights":
        this.weightRequests.get(message.request)?.(message);
        this.weightRequests.delete(message.request);
        break;
      case "progress":
        this.options.onProgress?.(message);
        break;
      case "started":
        this.currentInfo = message.info;
        this.resolveInfo(message.info);
        break;
      case "error":
        this.error = new Error(message.message);
        this.flush();
        break;
      case "snapshot": {
        const s = message.snapshot;
        if (s.step > 0 && s.step !== this.history.at(-1)?.step) this.history.push({step: s.step, epoch: s.epoch, loss: s.loss});
        if (s.valLoss !== undefined) this.valHistory.push({step: s.step, epoch: s.epoch, loss: s.valLoss});
        if (s.step > 0) record(this.lossHistory, s.losses, s);
        record(this.valLossHistory, s.valLosses, s);
        const snapshot: TrainingSnapshot = {
          ...s,
          run: this.generation,
          info: this.currentInfo!,
          history: this.history.slice(),
          valHistory: this.valHistory.slice(),
          lossHistory: copyHistories(this.lossHistory),
          valLossHistory: copyHistories(this.valLossHistory)
        };
        this.latest = snapshot;
        this.unread = snapshot; // latest wins: a slow reader skips to the newest
        this.flush();
        break;
      }
    }
  }

  /** Hands the newest news to a waiting next(). */
  private flush(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    if (this.unread) {
      this.waiter = undefined;
      const value = this.unread;
      this.unread = undefined;
      waiter.resolve({value, done: false});
    } else if (this.error) {
      this.waiter = undefined;
      waiter.reject(this.error);
      this.error = undefined;
      this.finished = true;
    } else if (this.finished) {
      this.waiter = undefined;
      waiter.resolve({value: undefined, done: true});
    }
  }

  next(): Promise<IteratorResult<TrainingSnapshot, void>> {
    if (this.waiter) return Promise.reject(new Error("Wait for the previous next() before calling it again."));
    return new Promise((resolve, reject) => {
      this.waiter = {resolve, reject};
      this.flush();
    });
  }

  return(): Promise<IteratorResult<TrainingSnapshot, void>> {
    this.stop();
    return Promise.resolve({value: undefined, done: true});
  }

  throw(error: unknown): Promise<IteratorResult<TrainingSnapshot, void>> {
    this.stop();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // Controls: the trainer applies them between steps.
  pause(): void {
    this.paused = true;
    this.command("pause");
  }
  resume(): void {
    this.paused = false;
    this.command("resume");
  }
  step(): void {
    if (!this.paused) this.pause();
    this.command("step");
  }
  speed(stepsPerSecond: number | null): void {
    this.fit.stepsPerSecond = stepsPerSecond;
    if (!this.finished) this.post({type: "speed", run: this.id, stepsPerSecond});
  }
  configure(patch: Record<string, unknown>): void {
    this.patch = {...this.patch, ...patch};
    if (!this.finished) this.post({type: "configure", run: this.id, patch});
  }
  stop(): void {
    if (this.finished) return;
    this.command("stop");
    this.finished = true; // the reader is done now; `ended` waits for the trainer's cleanup
    this.unread = undefined;
    this.flush();
  }
  reset(options: {seed?: number} = {}): void {
    if (this.finished) throw new Error("This run is over; start a new one with train().");
    this.command("stop");
    this.start(options.seed ?? this.fit.seed);
  }

  progress(): Promise<SavedProgress | undefined> {
    if (this.finished) return Promise.resolve(undefined); // the trainer freed its weights with the run
    const request = this.nextRequest++;
    const history = this.history.slice(), valHistory = this.valHistory.slice();
    return new Promise((resolve) => {
      this.weightRequests.set(request, (m) => resolve(m.weights ? {step: m.step, weights: m.weights, history, valHistory} : undefined));
      this.post({type: "weights", run: this.id, request});
    });
  }

  private post(message: ToTrainer | ((model: ModelData | StepModel) => ToTrainer)): void {
    this.queue = this.queue
      .then(async () => {
        const model = await this.model;
        this.host.send(typeof message === "function" ? message(model) : message);
      })
      .catch(() => {}); // a model that failed to serialise was reported once, above
  }

  private command(type: "pause" | "resume" | "step" | "stop"): void {
    if (!this.finished) this.post({type, run: this.id});
  }
}
export {stepModel, type StepModel, type StepRef} from "./step.js";
