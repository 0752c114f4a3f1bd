// The messages between a page (./client.ts) and a trainer (./trainer-core.ts, in a worker or on
// the main thread). Plain, structured-cloneable data only; big arrays travel as transferables.
// Every run-specific message carries the run's id, so one worker serves every run on a page.
import type {SplitOptions} from "../data/mnist.js";
import type {BackendChoice, BackendName, KernelChoice, ThreadChoice} from "../tf/backend-names.js";
import type {ModelData} from "./spec.js";
import type {StepExtras, StepModel} from "./step.js";

/** Where the training data comes from. */
export type DataSpec =
  | (SplitOptions & {
      kind: "mnist";
      /** What the model learns to output: the image itself (autoencoder), a one-hot label, or the
       *  label as a number (for sparseCategoricalCrossentropy). Default "self". */
      target?: "self" | "onehot" | "label";
    })
  | {
      kind: "inline";
      /** Samples, flattened; `xShape` is one sample's shape (e.g. [2] for points in the plane). */
      x: Float32Array;
      y: Float32Array;
      xShape: number[];
      yShape: number[];
      testX?: Float32Array;
      testY?: Float32Array;
      /** Class of each test sample, for colouring latent codes. */
      testLabels?: Uint8Array;
    };

/** Extra outputs a lesson wants in each snapshot (computed only when a snapshot is made). */
export interface Extras {
  /** The model's output for this many fixed test samples (one of each digit first, for MNIST). */
  reconstructions?: number;
  /** Activations of layer `layer` (index in the model) for the first `count` test samples. */
  latent?: {layer: number; count?: number};
  /** The model's output on these inputs (e.g. a grid over the plane for a decision boundary). */
  predictions?: {x: Float32Array; shape: number[]};
  /** The model's current weights (see Snapshot.weights): read once per snapshot, never per step. */
  weights?: boolean;
}

/** One weight tensor of the model as plain data, e.g. "dense_Dense1/kernel" [2, 1]. */
export interface WeightValues {
  name: string;
  shape: number[];
  /** Row-major, as tfjs stores it: a dense kernel is [inputs, units]. */
  values: Float32Array;
}

export interface FitOptions {
  /** Samples per step (tfjs's default 32). */
  batchSize?: number;
  /** Stop after this many passes over the training set (default: run until stopped). */
  epochs?: number;
  /** Stop after this many steps. */
  steps?: number;
  /** Reshuffle the training set each epoch (default true, as in tfjs's fit). */
  shuffle?: boolean;
  /** Seeds the weights and the batch order: the same seed gives the same run. */
  seed?: number;
  /** Milliseconds between snapshots (default 250): time-based, not every step. */
  snapshotEvery?: number;
  /** When to compute the test-set loss: each epoch (default), each snapshot, or never. */
  validation?: "epoch" | "snapshot" | "none";
  /** Test samples used for the validation loss (default 1,000). */
  validationLimit?: number;
  include?: Extras;
  /** Cap on steps per second (null: as fast as it goes). */
  stepsPerSecond?: number | null;
  /** Build everything, then wait for resume() or step(). */
  startPaused?: boolean;
  /** Stop when the loss becomes NaN or infinite (default true). */
  stopOnNaN?: boolean;
  /** Start from these weights (a saved run, in the model's weight order) instead of fresh ones. */
  initialWeights?: WeightValues[];
  /** The step count the weights above were reached at: the run counts on from it. */
  initialStep?: number;
}

export interface Snapshot {
  step: number;
  /** Passes over the training set so far (fractional). */
  epoch: number;
  /** Mean training loss over the steps since the previous snapshot. */
  loss: number;
  /** Test-set loss, present in the snapshot right after it was computed. */
  valLoss?: number;
  /** Training speed over the last few seconds. */
  stepsPerSec: number;
  /** Milliseconds spent training (pauses excluded). */
  elapsed: number;
  paused: boolean;
  /** The last snapshot of a run. */
  final?: boolean;
  reconstructions?: Float32Array;
  latent?: Float32Array;
  predictions?: Float32Array;
  /** With include.weights: every weight tensor in layer order (a dense layer's kernel, then its bias). */
  weights?: WeightValues[];
  /** Every named loss, averaged over the steps since the previous snapshot (`loss` among them;
   *  a lesson-defined step adds its own, e.g. `recon` and `kl`). */
  losses?: Record<string, number>;
  /** Every named test-set loss, present with valLoss. */
  valLosses?: Record<string, number>;
  /** A lesson-defined step's snapshot() values (samples, a decoded grid…), transferred. */
  extras?: StepExtras;
}

/** What a run settled on once built (sent once, before the first snapshot). */
export interface RunInfo {
  backend: string;
  params: number;
  trainCount: number;
  testCount: number;
  stepsPerEpoch: number;
  inputShape: number[];
  outputShape: number[];
  /** The fixed inputs behind `reconstructions`, and their labels when known. */
  examples?: {x: Float32Array; labels?: Uint8Array};
  /** Labels of the samples behind `latent`, when known. */
  latentLabels?: Uint8Array;
  latentSize?: number;
}

export type DoneReason = "finished" | "stopped" | "diverged" | "failed";

export type ToTrainer =
  | {type: "init"; backend?: BackendName; wasmPaths?: string; kernels?: KernelChoice; threads?: ThreadChoice}
  | {type: "start"; run: number; model: ModelData | StepModel; data: DataSpec; fit: FitOptions}
  | {type: "pause" | "resume" | "step" | "stop"; run: number}
  | {type: "speed"; run: number; stepsPerSecond: number | null}
  /** Live settings for a lesson-defined step (StepRun.configure), applied between steps. */
  | {type: "configure"; run: number; patch: Record<string, unknown>}
  | {type: "memory"; request: number}
  /** The run's current weights, to save them (answered by a "weights" message). */
  | {type: "weights"; run: number; request: number};

export type FromTrainer =
  | {type: "ready"; backend: BackendChoice}
  | {type: "progress"; run: number; what: string; loaded: number; total?: number}
  | {type: "started"; run: number; info: RunInfo}
  | {type: "snapshot"; run: number; snapshot: Snapshot}
  | {type: "done"; run: number; reason: DoneReason; step: number; numTensors: number}
  | {type: "error"; run?: number; message: string}
  | {type: "memory"; request: number; numTensors: number; numBytes: number}
  | {type: "weights"; run: number; request: number; step: number; weights?: WeightValues[]};

/** The arrays of a snapshot, to transfer rather than copy. */
export function snapshotTransfer(snapshot: Snapshot): Transferable[] {
  const extras = Object.values(snapshot.extras ?? {}).filter((v): v is Float32Array | Uint8Array | Int32Array => ArrayBuffer.isView(v));
  const buffers = [snapshot.reconstructions, snapshot.latent, snapshot.predictions, ...(snapshot.weights ?? []).map((w) => w.values), ...extras]
    .filter((a) => a !== undefined)
    .map((a) => a.buffer as ArrayBuffer);
  return [...new Set(buffers)]; // a buffer listed twice would fail the post
}
