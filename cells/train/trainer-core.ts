// The training loop behind every live model: serves the protocol (./protocol.ts) over a Transport,
// in a worker (./worker.ts) or on the page's main thread, and in Node for tests.
// One step at a time, yielding a task between steps so stop/pause get through (a stop lands
// within one step); snapshots by the clock (a few per second), not per step; every tensor a run
// makes is freed when it ends, and the done message says how many the engine still holds.
import {mulberry32, permutation, subSeed} from "../data/random.js";
import {initBackend, type BackendChoice} from "../tf/backend.js";
import {tf} from "../tf/tfjs.js";
import {steps as courseSteps} from "../steps.js";
import {buildModel, type BuiltModel} from "./build-model.js";
import {prepareData, size, type PreparedData} from "./data.js";
import {makeExtras} from "./extras.js";
import {snapshotTransfer, type DoneReason, type FitOptions, type FromTrainer, type RunInfo, type Snapshot, type ToTrainer, type WeightValues} from "./protocol.js";
import type {ModelData} from "./spec.js";
import type {LessonStep, StepData, StepExtras, StepRef, StepRegistry, StepRun} from "./step.js";
import type {Transport} from "./transport.js";
import {sleep, yieldToEventLoop} from "./yield.js";

interface Control {
  paused: boolean;
  stopped: boolean;
  /** Single steps asked for while paused. */
  steps: number;
  stepsPerSecond: number | null;
  /** Resolves the current wait (pause or speed limit) early. */
  wake: () => void;
  /** The run's weights now and its step (once the model is built). */
  readWeights?: () => {step: number; weights: WeightValues[]};
  /** Live settings not yet given to the step (they arrived before it was built). */
  patch: Record<string, unknown>;
  /** Hands live settings to the run's step (once it is built). */
  configure?: (patch: Record<string, unknown>) => void;
}

/** Answers a page's messages on `transport`; returns a function that stops every run. */
export function serveTrainer(transport: Transport<ToTrainer, FromTrainer>, defaults: {wasmPaths?: string; steps?: StepRegistry} = {}): () => void {
  const registry = defaults.steps ?? courseSteps;
  const runs = new Map<number, Control>();
  let backend: Promise<BackendChoice> | undefined;
  const post = (message: FromTrainer, transfer?: Transferable[]) => transport.post(message, transfer);
  const ready = (message?: Extract<ToTrainer, {type: "init"}>) => {
    backend ??= initBackend({preferred: message?.backend, wasmPaths: message?.wasmPaths ?? defaults.wasmPaths, ...(message?.kernels ? {kernels: message.kernels} : {}),
      ...(message?.threads ? {threads: message.threads} : {})});
    return backend;
  };

  transport.onmessage = (message) => {
    const control = "run" in message ? runs.get(message.run) : undefined;
    switch (message.type) {
      case "init":
        ready(message).then(
          (choice) => post({type: "ready", backend: choice}),
          (error) => post({type: "error", message: messageOf(error)})
        );
        break;
      case "start": {
        const run: Control = {paused: message.fit.startPaused ?? false, stopped: false, steps: 0, stepsPerSecond: message.fit.stepsPerSecond ?? null, wake: () => {}, patch: {}};
        runs.set(message.run, run);
        void train(message, run, ready, post, registry).finally(() => runs.delete(message.run));
        break;
      }
      case "pause":
      case "resume":
      case "step":
      case "stop":
        if (control === undefined) break;
        if (message.type === "pause") control.paused = true;
        if (message.type === "resume") control.paused = false;
        if (message.type === "step") control.steps += 1;
        if (message.type === "stop") control.stopped = true;
        control.wake();
        break;
      case "speed":
        if (control === undefined) break;
        control.stepsPerSecond = message.stepsPerSecond;
        control.wake();
        break;
      case "configure":
        if (control === undefined) break;
        if (control.configure) control.configure(message.patch);
        else Object.assign(control.patch, message.patch);
        break;
      case "weights": {
        const now = control?.readWeights?.();
        const answer: FromTrainer = {type: "weights", run: message.run, request: message.request, step: now?.step ?? 0, ...(now ? {weights: now.weights} : {})};
        post(answer, now?.weights.map((w) => w.values.buffer as ArrayBuffer));
        break;
      }
      case "memory": {
        const {numTensors, numBytes} = tf.memory();
        post({type: "memory", request: message.request, numTensors, numBytes});
        break;
      }
    }
  };
  return () => {
    for (const control of runs.values()) {
      control.stopped = true;
      control.wake();
    }
  };
}

/** What the loop trains: a model described as data (a Keras loss), or a lesson-defined step. */
interface Engine {
  params: number;
  outputShape: number[];
  info: Partial<RunInfo>;
  /** One step on the batch's rows (runs inside tf.tidy): named scalar losses, `loss` first. */
  step(xs: tf.Tensor, ys: tf.Tensor, step: number): Record<string, tf.Scalar>;
  /** Named test-set losses (undefined without a test set). */
  validate(): Record<string, number> | undefined;
  /** The snapshot's extra fields (reconstructions, weights, a step's extras…). */
  extras(): Partial<Snapshot>;
  /** Live settings for a lesson-defined step (absent for models as data). */
  configure?(patch: Record<string, unknown>): void;
  /** The weights now, to save a run; and weights put back, to continue one (models as data). */
  readWeights?(): WeightValues[];
  setWeights?(saved: WeightValues[]): void;
  dispose(): void;
}

/** Tensors the run owns; all freed in `finally`, whatever happens. */
interface Owned {
  engine?: Engine;
  tensors: tf.Tensor[];
}

async function train(
  start: Extract<ToTrainer, {type: "start"}>,
  control: Control,
  ready: () => Promise<BackendChoice>,
  post: (message: FromTrainer, transfer?: Transferable[]) => void,
  registry: StepRegistry
): Promise<void> {
  const {run, fit} = start;
  const owned: Owned = {tensors: []};
  let reason: DoneReason = "stopped";
  let step = 0;
  try {
    const backend = await ready();
    // A step's module is looked up first: a misspelt name fails before the digits download.
    const lessonStep = start.model.kind === "step" ? await loadStep(start.model.step, registry) : undefined;
    const data = await prepareData(start.data, (what, loaded, total) => post({type: "progress", run, what, loaded, ...(total ? {total} : {})}));
    if (control.stopped) return;
    const seed = fit.seed ?? 0;
    const keep = <T extends tf.Tensor>(t: T): T => (owned.tensors.push(t), t);
    const x = keep(tf.tensor(data.x, [data.count, ...data.xShape]));
    const y = keep(tf.tensor(data.y, [data.count, ...data.yShape]));
    const validationLimit = Math.min(data.testCount, fit.validationLimit ?? 1000);
    const testX = data.testX && validationLimit > 0 ? keep(tf.tensor(data.testX.subarray(0, validationLimit * size(data.xShape)), [validationLimit, ...data.xShape])) : undefined;
    const testY = data.testY && testX ? keep(tf.tensor(data.testY.subarray(0, validationLimit * size(data.yShape)), [validationLimit, ...data.yShape])) : undefined;
    const engine = (owned.engine =
      start.model.kind === "step"
        ? await stepEngine(lessonStep!, start.model.config, seed, {x, y, count: data.count, xShape: data.xShape, yShape: data.yShape, ...(testX ? {testX} : {}), ...(testY ? {testY} : {}), ...(data.testLabels && testX ? {testLabels: data.testLabels.slice(0, validationLimit)} : {})})
        : await modelEngine(start.model, seed, data, fit, keep, testX, testY));
    // A saved run continues from its weights and step (models given as data; ./saved-runs).
    if (fit.initialWeights) {
      if (!engine.setWeights) throw new Error("This model cannot continue a saved run: only models described as data can. Start over.");
      engine.setWeights(fit.initialWeights);
    }
    step = fit.initialStep ?? 0;
    if (engine.readWeights) control.readWeights = () => ({step, weights: engine.readWeights!()});
    if (engine.configure) {
      // Settings sent while the model was being built apply before the first step.
      if (Object.keys(control.patch).length > 0) engine.configure(control.patch);
      control.configure = (patch) => engine.configure!(patch);
    }

    const batchSize = Math.max(1, Math.min(fit.batchSize ?? 32, data.count));
    const stepsPerEpoch = Math.ceil(data.count / batchSize);
    const info: RunInfo = {
      backend: backend.name,
      params: engine.params,
      trainCount: data.count,
      testCount: data.testCount,
      stepsPerEpoch,
      inputShape: data.xShape,
      outputShape: engine.outputShape,
      ...engine.info
    };
    post({type: "started", run, info});

    // Losses since the last snapshot stay on the device until a snapshot reads them all at once.
    let pending: Record<string, tf.Scalar>[] = [];
    let lastLosses: Record<string, number> = {loss: NaN};
    let order: Uint32Array = new Uint32Array(0);
    // Wall time while not paused: the step, the snapshots (where an async backend like WebGL
    // actually waits for its queued work) and the yields between steps.
    let elapsed = 0;
    let iterationStart = performance.now();
    const elapsedNow = () => elapsed + (performance.now() - iterationStart);
    let lastSnapshot = -Infinity;
    let valLosses: Record<string, number> | undefined;
    const rate: [number, number][] = []; // (elapsed, step) samples for steps/sec
    const snapshotEvery = fit.snapshotEvery ?? 250;
    const maxSteps = Math.min(fit.steps ?? Infinity, (fit.epochs ?? Infinity) * stepsPerEpoch);

    const snapshot = (final: boolean): Snapshot => {
      if (pending.length > 0) {
        const names = Object.keys(pending[0]!);
        const flat = pending.flatMap((losses) => names.map((name) => losses[name]!));
        const values = tf.tidy(() => tf.stack(flat).dataSync() as Float32Array);
        tf.dispose(flat);
        lastLosses = Object.fromEntries(names.map((name, j) => {
          let sum = 0;
          for (let i = 0; i < pending.length; i++) sum += values[i * names.length + j]!;
          return [name, sum / pending.length];
        }));
        pending = [];
      }
      if (fit.validation === "snapshot") valLosses = engine.validate();
      const at = elapsedNow();
      rate.push([at, step]);
      while (rate.length > 2 && at - rate[0]![0] > 3000) rate.shift();
      const [t0, s0] = rate[0]!;
      const snap: Snapshot = {
        step,
        epoch: step / stepsPerEpoch,
        loss: lastLosses.loss ?? NaN,
        stepsPerSec: at > t0 ? ((step - s0) * 1000) / (at - t0) : 0,
        elapsed: at,
        paused: control.paused && !final,
        ...(final ? {final} : {}),
        ...(valLosses?.loss !== undefined ? {valLoss: valLosses.loss} : {}),
        losses: {...lastLosses},
        ...(valLosses ? {valLosses} : {}),
        ...engine.extras()
      };
      valLosses = undefined;
      return snap;
    };
    const send = (final = false) => {
      const snap = snapshot(final);
      post({type: "snapshot", run, snapshot: snap}, snapshotTransfer(snap));
      lastSnapshot = performance.now();
      return snap;
    };

    let sentPaused = false;
    while (!control.stopped && step < maxSteps) {
      if (control.paused && control.steps === 0) {
        if (!sentPaused && step > 0) send();
        sentPaused = true;
        await new Promise<void>((resolve) => (control.wake = resolve));
        continue;
      }
      sentPaused = false;
      const single = control.paused;
      if (single) control.steps -= 1;

      const began = (iterationStart = performance.now());
      const inEpoch = step % stepsPerEpoch;
      // A fresh seeded order each epoch (as fit's shuffle: true); an empty order means rows in turn.
      if (inEpoch === 0 && fit.shuffle !== false) order = permutation(data.count, mulberry32(subSeed(seed, 1000 + step / stepsPerEpoch)));
      const batch = batchIndices(order, inEpoch, batchSize, data.count);
      const taken = step;
      const losses = tf.tidy(() => {
        const indices = tf.tensor1d(batch, "int32");
        return engine.step(tf.gather(x, indices), tf.gather(y, indices), taken);
      });
      pending.push(losses);
      step += 1;
      // A fresh validation loss is news: it goes out at once (at most once an epoch).
      const epochEnd = fit.validation !== "snapshot" && fit.validation !== "none" && step % stepsPerEpoch === 0;
      if (epochEnd) valLosses = engine.validate();

      if (single || step === 1 || (epochEnd && valLosses !== undefined) || performance.now() - lastSnapshot >= snapshotEvery) {
        const snap = send();
        if ((fit.stopOnNaN ?? true) && !Number.isFinite(snap.loss)) {
          reason = "diverged";
          break;
        }
      }
      const cap = control.stepsPerSecond;
      if (cap && cap > 0) {
        const waitFor = 1000 / cap - (performance.now() - began);
        await (waitFor > 0 ? sleep(waitFor, new Promise<void>((resolve) => (control.wake = resolve))) : yieldToEventLoop());
      } else {
        await yieldToEventLoop();
      }
      elapsed += performance.now() - began;
      iterationStart = performance.now();
    }
    if (reason !== "diverged") {
      reason = control.stopped ? "stopped" : "finished";
      if (step > 0 && (pending.length > 0 || !control.stopped)) send(true);
    }
    for (const losses of pending) tf.dispose(Object.values(losses));
  } catch (error) {
    reason = "failed";
    post({type: "error", run, message: messageOf(error)});
  } finally {
    try {
      owned.engine?.dispose();
    } catch (error) {
      post({type: "error", run, message: `Freeing the run failed: ${messageOf(error)}`});
    }
    tf.dispose(owned.tensors);
    post({type: "done", run, reason, step, numTensors: tf.memory().numTensors});
  }
}

/** A model described as data, trained with its Keras loss (and regularizers) by its optimizer. */
async function modelEngine(spec: ModelData, seed: number, data: PreparedData, fit: FitOptions, keep: <T extends tf.Tensor>(t: T) => T, testX?: tf.Tensor, testY?: tf.Tensor): Promise<Engine> {
  const built = await buildModel(spec, seed);
  try {
    const {model, optimizer, loss} = built;
    const extras = makeExtras(model, data, fit, keep);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const regularizers = () => (model as unknown as {calculateLosses?: () => tf.Scalar[]}).calculateLosses?.() ?? [];
    const objective = (xs: tf.Tensor, ys: tf.Tensor) => {
      let total = tf.mean(loss(ys, model.apply(xs, {training: true}) as tf.Tensor));
      for (const penalty of regularizers()) total = tf.add(total, penalty);
      return total as tf.Scalar;
    };
    // include.weights: one read per weight tensor, only when a snapshot is made. A copy (.slice()):
    // the cpu backend's dataSync hands out its own storage, and snapshots are transferred.
    const weightsNow = fit.include?.weights
      ? () => model.weights.map((w) => ({name: w.name, shape: [...w.shape] as number[], values: (w.read().dataSync() as Float32Array).slice()}))
      : undefined;
    return {
      params: model.countParams(),
      outputShape: (model.outputs[0]!.shape as number[]).slice(1),
      info: extras.info,
      step: (xs, ys) => ({loss: optimizer.minimize(() => objective(xs, ys), true, variables)!}),
      validate: () => {
        if (!testX || !testY) return undefined;
        return {loss: tf.tidy(() => tf.mean(loss(testY, model.predict(testX) as tf.Tensor)).dataSync()[0]!)};
      },
      extras: () => ({...extras.compute(), ...(weightsNow ? {weights: weightsNow()} : {})}),
      readWeights: () => readWeightValues(model),
      setWeights: (saved) => setSavedWeights(model, saved),
      dispose: () => built.dispose()
    };
  } catch (error) {
    built.dispose();
    throw error;
  }
}

/** The step a page names, from the course's registry: a clear error for a name it does not hold. */
async function loadStep(ref: StepRef, registry: StepRegistry): Promise<LessonStep> {
  const loader = Object.hasOwn(registry, ref.module) ? registry[ref.module] : undefined;
  if (loader === undefined) {
    const known = Object.keys(registry);
    throw new Error(`No training step module "${ref.module}" in the course's step registry (cells/steps.ts)${known.length ? `; it holds ${known.map((k) => `"${k}"`).join(", ")}` : ", which is empty"}.`);
  }
  const exports = await loader();
  const found = exports[ref.export] as Partial<LessonStep> | undefined;
  if (found === undefined || typeof found.init !== "function") {
    throw new Error(`The step module "${ref.module}" has no export "${ref.export}" with an init() (its exports: ${Object.keys(exports).join(", ") || "none"}).`);
  }
  return found as LessonStep;
}

/** A lesson-defined step: its init builds the models; the harness does the rest. */
async function stepEngine(lessonStep: LessonStep, config: unknown, seed: number, data: StepData): Promise<Engine> {
  const before = tf.memory().numTensors;
  let stepRun: StepRun;
  try {
    stepRun = await lessonStep.init({config, seed, data, tf});
  } catch (error) {
    // What init made before it threw cannot be reached to free: say so, rather than leak quietly.
    const leaked = tf.memory().numTensors - before;
    throw new Error(`${messageOf(error)}${leaked > 0 ? ` (init left ${leaked} tensors behind)` : ""}`);
  }
  const current = stepRun;
  return {
    params: current.params,
    outputShape: data.yShape,
    info: data.testLabels ? {latentLabels: data.testLabels} : {},
    step: (xs, ys, step) => {
      const losses = current.step({x: xs, y: ys, step});
      if (!losses || !(losses.loss instanceof tf.Tensor)) throw new Error("A training step must return its losses as scalars, among them `loss`.");
      return {...losses};
    },
    validate: () => {
      if (!current.validate || !data.testX) return undefined;
      return tf.tidy(() => ({...current.validate!(data)}));
    },
    extras: () => {
      if (!current.snapshot) return {};
      const values = tf.tidy(() => current.snapshot!(data));
      // Copies: a step may hand out a backend's own storage (the cpu backend's dataSync), and
      // snapshots are transferred, which would detach it.
      const extras: StepExtras = {};
      for (const [key, value] of Object.entries(values)) extras[key] = ArrayBuffer.isView(value) ? value.slice() : Array.isArray(value) ? value.slice() : value;
      return {extras};
    },
    ...(current.configure ? {configure: (patch: Record<string, unknown>) => current.configure!(patch)} : {}),
    dispose: () => current.dispose()
  };
}

/** Row indices of one batch, as int32 for tf.gather. */
function batchIndices(order: Uint32Array, inEpoch: number, batchSize: number, count: number): Int32Array {
  const start = inEpoch * batchSize;
  const end = Math.min(start + batchSize, count);
  const batch = new Int32Array(end - start);
  for (let i = 0; i < batch.length; i++) batch[i] = order.length ? order[start + i]! : start + i;
  return batch;
}

/** Every weight tensor of the model, copied (the cpu backend's dataSync hands out its own storage). */
function readWeightValues(model: BuiltModel["model"]): WeightValues[] {
  return model.weights.map((w) => ({name: w.name, shape: [...w.shape] as number[], values: (w.read().dataSync() as Float32Array).slice()}));
}

/** Puts saved weights into a freshly built model, after checking they fit it. */
function setSavedWeights(model: BuiltModel["model"], saved: WeightValues[]): void {
  const shapes = (ws: {shape: readonly (number | null)[]}[]) => ws.map((w) => `[${w.shape.join(", ")}]`).join(" ");
  if (saved.length !== model.weights.length || shapes(saved) !== shapes(model.weights)) {
    throw new Error(`The saved weights do not fit this model: saved ${shapes(saved)}, model ${shapes(model.weights)}. Start over to train this model from fresh weights.`);
  }
  const tensors = saved.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
