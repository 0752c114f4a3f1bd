// The workloads of bench/workloads.mjs beyond the autoencoder, as the lessons train them: which
// lesson-defined step (cells/steps.ts) with which config, on which data, in which batches. The tfjs
// pages train them through the lessons' worker (train(stepModel(…)) from cells/train/client.ts);
// bench/jax-workloads.ts writes the same models in jax-js and takes its data and sizes from here.
// Where a setting differs from the lesson's page, the note says what and why.
import type {DataSpec} from "../cells/train/protocol.js";
import type {StepRef} from "../cells/train/step.js";
import {toyPoints} from "../cells/diffusion/data.js";
import {ring, sampleTarget} from "../cells/gan/data.js";
import {RECALL_DEFAULTS, recallData, recallInputs, type RecallTask} from "../cells/lstm/task.js";

export type WorkloadName = "ddpm" | "gan" | "lstm";

export interface Workload {
  title: string;
  step: StepRef;
  config: Record<string, unknown>;
  batchSize: number;
  /** The lesson's snapshot period (ms): snapshots are part of the harness's time per step. */
  snapshotEvery: number;
  /** Steps after the warm-up in one measurement (about 1–3 s on this machine; the harness reports
   *  every snapshotEvery ms, so a measurement runs from one report to the first at least this far on). */
  steps: number;
  warm: number;
  data(): Extract<DataSpec, {kind: "inline"}>;
  /** What differs from the lesson's page or from the sizes. */
  note: string;
}

/** The recall task of lesson 11 at the length: 50 steps, 4 symbols, 4 noise channels. */
export const LSTM_TASK: RecallTask = {...RECALL_DEFAULTS, length: 50};

export const WORKLOADS: Record<WorkloadName, Workload> = {
  ddpm: {
    title: "DDPM denoiser (x_t 2 + sin/cos(t) 16 → 128 → 128 → 128 → 2, ReLU), batch 256, MSE on ε, Adam 1e-3",
    step: {module: "diffusion/model", export: "diffusionStep"},
    // The lesson's model and settings (ring of 8 Gaussians); samples: 200 (the page draws 1,000)
    // only shortens init's one sampling; sampleEvery: 1e6 keeps the lesson's sampling through all
    // 1,000 reverse steps (every 10 s on the page) out of the timed steps.
    config: {ring: true, samples: 200, sampleEvery: 1e6},
    batchSize: 256,
    snapshotEvery: 250,
    steps: 600,
    warm: 10,
    data: () => {
      const train = toyPoints("ring", 4000, 1), test = toyPoints("ring", 1000, 2);
      return {kind: "inline", x: train, y: train, xShape: [2], yShape: [2], testX: test, testY: test};
    },
    note: "the lesson's denoiser takes x_t and a 16-number sinusoidal embedding of t (18 inputs), not the issue's 3 (x_t, t): its first layer is 18→128; the rest is the issue's 128→128→128→2"
  },
  gan: {
    title: "GAN on the ring (G 2→64→64→2, D 2→64→64→1, LeakyReLU 0.2), batch 128, one D step + one G step, Adam β₁ 0.5",
    step: {module: "gan/model", export: "ganStep"},
    config: {hidden: 64, noise: 2, learningRateD: 1e-3, learningRateG: 1e-3, beta1: 0.5, generatorLoss: "non-saturating", freezeGenerator: false, generatorOptimizer: "adam"},
    batchSize: 128,
    snapshotEvery: 400,
    steps: 600,
    warm: 10,
    data: () => ({kind: "inline", x: sampleTarget(ring(), 4000, 5), y: new Float32Array(4000), xShape: [2], yShape: [1]}),
    note: "the lesson's GAN and settings as on its page"
  },
  lstm: {
    title: "LSTM race (LSTM 32 units + vanilla RNN 32 units, 50 steps, 8 inputs, 4 classes), batch 64, forward + backward, Adam 0.01, norm clip 1",
    step: {module: "lstm/model", export: "raceStep"},
    // The lesson's step trains an LSTM and a vanilla RNN of the same size on each batch (the race);
    // scored: 0 leaves out the accuracy on 256 test sequences that each snapshot adds (1/s on the page).
    config: {units: 32, forgetBias: 3, learningRate: 0.01, scored: 0},
    batchSize: 64,
    snapshotEvery: 1000,
    steps: 300,
    warm: 3,
    data: () => {
      const train = recallData(LSTM_TASK, 2000, 1), test = recallData(LSTM_TASK, 256, 2);
      const m = recallInputs(LSTM_TASK);
      return {kind: "inline", x: train.x, y: train.y, xShape: [LSTM_TASK.length, m], yShape: [LSTM_TASK.symbols], testX: test.x, testY: test.y, testLabels: test.labels};
    },
    note: "the lesson's step (units 32, T 50, batch 64, the page's 16/40/32) trains an LSTM AND a vanilla RNN per step, each with its gradient norm read back for clipping: one step is both models' forward + backward"
  }
};
