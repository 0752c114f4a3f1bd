// The contract for a lesson-defined training step: models whose loss is not a Keras loss (the VAE's
// ELBO, a GAN's two players, a diffusion model's noise prediction, a hand-written LSTM) give the
// harness a step written with tfjs ops in a cells/ module. The page names it as plain data
// ({module, export} plus a JSON-able config), never as code; the trainer (worker or main thread)
// looks the module up in the course's step registry (./steps.ts) and calls it per batch.
// Everything else is the harness's, as for models described as data: batches, snapshots by the
// clock, pause/step/reset, stop within a step, ?backend=, and freeing every tensor.
import type {tf} from "../tf/tfjs.js";

/** How a page names a step: a module in the course's step registry and one of its exports. */
export interface StepRef {
  /** The registry's key, the module's path under cells/ without extension, e.g. "vae/model". */
  module: string;
  /** The export of that module holding a LessonStep, e.g. "vaeStep". */
  export: string;
}

/** What a page sends instead of a model described as data. */
export interface StepModel<Config = unknown> {
  kind: "step";
  step: StepRef;
  /** Plain, structured-cloneable settings (layer sizes, learning rates, β…), given to init. */
  config: Config;
}

/** The run's data as tensors the harness owns (never dispose them in a step). */
export interface StepData {
  x: tf.Tensor;
  y: tf.Tensor;
  count: number;
  xShape: number[];
  yShape: number[];
  testX?: tf.Tensor;
  testY?: tf.Tensor;
  testLabels?: Uint8Array;
}

/** One batch: rows of the training set (harness-owned, freed after the step). */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
  /** Steps taken before this one. */
  step: number;
}

/** Plain values a step adds to a snapshot (arrays are transferred, not copied). */
export type StepExtras = Record<string, number | number[] | Float32Array | Uint8Array | Int32Array>;

export interface StepRun {
  /** Trainable parameters, for the page's parameter count. */
  params: number;
  /** One training step. Runs inside tf.tidy; returns named scalar losses (kept until the next
   *  snapshot, then averaged): `loss` is the headline the trainer plots; others (e.g. `recon`,
   *  `kl`, `discriminator`, `generator`) appear in Snapshot.losses. */
  step(batch: Batch): Record<string, tf.Scalar> & {loss: tf.Scalar};
  /** Test-set losses, when the data has a test set; called as the harness validates (runs in tf.tidy). */
  validate?(data: StepData): Record<string, number> & {loss: number};
  /** Values for a snapshot (samples, a latent grid, D(x) on a grid, gate activations…); called
   *  only when a snapshot is made, never per step. */
  snapshot?(data: StepData): StepExtras;
  /** Settings the page changes while the run goes on (a GAN's loss switch): the trainer applies
   *  them between two steps, without restarting; what a patch may hold is the step's to decide. */
  configure?(patch: Record<string, unknown>): void;
  /** Frees every tensor and variable init made (models, optimizers' state). */
  dispose(): void;
}

export interface LessonStep<Config = unknown> {
  /** Builds the run's models and optimizers from the config; weights seeded by `seed`. */
  init(args: {config: Config; seed: number; data: StepData; tf: typeof tf}): StepRun | Promise<StepRun>;
}

/** A registry: module name → loader of that module's exports. */
export type StepRegistry = Record<string, () => Promise<Record<string, unknown>>>;

/** Names a step for the harness: `stepModel({module: "vae/model", export: "vaeStep"}, {latent: 2})`. */
export function stepModel<Config>(step: StepRef, config: Config): StepModel<Config> {
  return {kind: "step", step, config};
}
