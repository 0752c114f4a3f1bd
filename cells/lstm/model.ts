// Lesson 11's training step (../train/step.ts): an LSTM and a vanilla RNN, the same size, trained
// on the same batches of the recall task (./task.ts) by one step, so the page can race them.
// Loss of each, per sequence: softmax cross-entropy of the final output, log Σ_k e^{y_k} − y_label,
// averaged over the batch (chance: log(symbols)). Both use Adam at the same learning rate.
import type {tf as TF} from "../tf/tfjs.js";
import type {LessonStep, StepData, StepExtras} from "../train/step.js";
import {cellTensors, initCell, logits, type CellSizes, type CellTensors} from "./cell.js";

type Tf = typeof TF;

export interface RaceConfig {
  units?: number;
  /** The LSTM's forget-gate bias at the start (Keras's unit_forget_bias gives 1). */
  forgetBias?: number;
  learningRate?: number;
  /** Clip each gradient's global norm at this (both models), as Pascanu et al. (2013) advise. */
  clipNorm?: number;
  /** Test sequences scored for accuracy in each snapshot. */
  scored?: number;
}

export const RACE_DEFAULTS: Required<RaceConfig> = {units: 16, forgetBias: 3, learningRate: 0.01, clipNorm: 1, scored: 256};

/** Mean softmax cross-entropy from logits: mean over the batch of logsumexp(y) − Σ target·y. */
export function crossEntropy(tf: Tf, y: TF.Tensor2D, target: TF.Tensor2D): TF.Scalar {
  return tf.mean(tf.sub(tf.logSumExp(y, 1), tf.sum(tf.mul(target, y), 1))) as TF.Scalar;
}

/** Fraction of rows whose largest logit is the target's class. */
export function accuracy(tf: Tf, y: TF.Tensor2D, target: TF.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(y, 1), tf.argMax(target, 1)), "float32")).dataSync()[0]!);
}

/** Adam on one model's variables, with its gradient's global norm clipped. */
function trainer(tf: Tf, cell: CellTensors, learningRate: number, clipNorm: number) {
  const variables = [cell.W, cell.b, cell.Wy, cell.by] as unknown as TF.Variable[];
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
  return {
    variables,
    optimizer,
    step(xs: TF.Tensor3D, target: TF.Tensor2D): TF.Scalar {
      const {value, grads} = tf.variableGrads(() => crossEntropy(tf, logits(tf, cell, xs), target), variables);
      const list = variables.map((v) => grads[v.name]!);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
      const scale = norm > clipNorm ? clipNorm / norm : 1;
      optimizer.applyGradients(variables.map((v, k) => ({name: v.name, tensor: scale === 1 ? list[k]! : tf.mul(list[k]!, scale)})));
      return value;
    }
  };
}

export const raceStep: LessonStep<RaceConfig> = {
  init({config, seed, data, tf}) {
    const c: Required<RaceConfig> = {...RACE_DEFAULTS, ...config};
    const [T, m] = data.xShape as [number, number];
    if (data.xShape.length !== 2) throw new Error(`The race reads sequences T × inputs; the data gives [${data.xShape}].`);
    const sizes: CellSizes = {inputs: m, units: c.units, classes: data.yShape[0]!};
    const lstm = cellTensors(tf, initCell("lstm", sizes, {seed, forgetBias: c.forgetBias}), true);
    const rnn = cellTensors(tf, initCell("rnn", sizes, {seed}), true);
    const lstmTrainer = trainer(tf, lstm, c.learningRate, c.clipNorm), rnnTrainer = trainer(tf, rnn, c.learningRate, c.clipNorm);
    const scored = Math.min(c.scored, data.testX?.shape[0] ?? 0);
    const testSlice = () => ({
      x: tf.slice(data.testX!, [0, 0, 0], [scored, T, m]) as TF.Tensor3D,
      y: tf.slice(data.testY!, [0, 0], [scored, sizes.classes]) as TF.Tensor2D
    });
    return {
      params: [...lstmTrainer.variables, ...rnnTrainer.variables].reduce((n, v) => n + v.size, 0),
      step({x, y}) {
        const xs = x as TF.Tensor3D, target = y as TF.Tensor2D;
        const lstmLoss = lstmTrainer.step(xs, target);
        const rnnLoss = rnnTrainer.step(xs, target);
        return {loss: lstmLoss, rnn: rnnLoss};
      },
      validate(d: StepData) {
        const {x, y} = testSlice();
        void d;
        return {loss: crossEntropy(tf, logits(tf, lstm, x), y).dataSync()[0]!, rnn: crossEntropy(tf, logits(tf, rnn, x), y).dataSync()[0]!};
      },
      snapshot(): StepExtras {
        const extras: StepExtras = {};
        if (scored > 0) {
          const {x, y} = testSlice();
          extras.lstmAccuracy = accuracy(tf, logits(tf, lstm, x), y);
          extras.rnnAccuracy = accuracy(tf, logits(tf, rnn, x), y);
        }
        // The LSTM's weights (a few thousand numbers): the page runs the cell on the student's sequence.
        extras.W = (lstm.W.dataSync() as Float32Array).slice();
        extras.b = (lstm.b.dataSync() as Float32Array).slice();
        extras.Wy = (lstm.Wy.dataSync() as Float32Array).slice();
        extras.by = (lstm.by.dataSync() as Float32Array).slice();
        return extras;
      },
      dispose() {
        lstmTrainer.optimizer.dispose();
        rnnTrainer.optimizer.dispose();
        tf.dispose([...lstmTrainer.variables, ...rnnTrainer.variables]);
      }
    };
  }
};
