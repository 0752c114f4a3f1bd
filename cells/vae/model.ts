// Lesson 6's variational autoencoder as a lesson-defined training step (../train/step.ts):
// encoder 784 → 256 (ReLU) → μ, log σ² (2 each); z = μ + σ ⊙ ε with ε ~ N(0, I) (the
// reparameterisation trick); decoder 2 → 256 (ReLU) → 784 logits, a Bernoulli per pixel.
// Loss per digit, in nats: −ELBO = Σ_pixels BCE(x, sigmoid(logits)) + β · KL(N(μ, σ²) ‖ N(0, I)),
// averaged over the batch. Written with tf ops so every term is visible.
import type {tf as TF} from "../tf/tfjs.js";
import type {LessonStep, StepData, StepExtras} from "../train/step.js";

type Tf = typeof TF;

export interface VaeConfig {
  hidden?: number;
  latent?: number;
  learningRate?: number;
  /** Weight of the KL term (1: the ELBO; β-VAE otherwise). */
  beta?: number;
  /** Digits drawn from N(0, I) in each snapshot. */
  samples?: number;
  /** The latent-plane grid decoded in each snapshot: gridSize × gridSize digits over [−extent, extent]². */
  gridSize?: number;
  extent?: number;
  /** Test digits whose μ each snapshot reports (the latent scatter). */
  latentCount?: number;
  /** Test digits reconstructed in each snapshot. */
  reconstructions?: number;
}

export const VAE_DEFAULTS: Required<VaeConfig> = {hidden: 256, latent: 2, learningRate: 2e-3, beta: 1, samples: 16, gridSize: 9, extent: 2.5, latentCount: 500, reconstructions: 10};

/** Σ over pixels of the binary cross-entropy, from logits ℓ (stable form): softplus(ℓ) − x ℓ,
 *  which equals −[x log p + (1 − x) log(1 − p)] with p = sigmoid(ℓ). One value per digit. */
export function bceSum(tf: Tf, x: TF.Tensor2D, logits: TF.Tensor2D): TF.Tensor1D {
  return tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)), 1) as TF.Tensor1D;
}

/** KL(N(μ, σ²) ‖ N(0, I)) in closed form, summed over latent dimensions:
 *  ½ Σ (μ² + σ² − log σ² − 1). One value per digit. */
export function klNormal(tf: Tf, mu: TF.Tensor2D, logVar: TF.Tensor2D): TF.Tensor1D {
  return tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1)), 1)) as TF.Tensor1D;
}

/** The reparameterisation trick: z = μ + exp(½ log σ²) ⊙ ε; ε carries the randomness, so the
 *  gradient flows to μ and log σ² through ordinary arithmetic. */
export function reparameterise(tf: Tf, mu: TF.Tensor2D, logVar: TF.Tensor2D, eps: TF.Tensor2D): TF.Tensor2D {
  return tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps)) as TF.Tensor2D;
}

export interface VaeWeights {
  encW: TF.Variable; encB: TF.Variable;
  muW: TF.Variable; muB: TF.Variable;
  lvW: TF.Variable; lvB: TF.Variable;
  decW: TF.Variable; decB: TF.Variable;
  outW: TF.Variable; outB: TF.Variable;
}

/** Glorot-uniform kernels and zero biases, seeded. */
export function initWeights(tf: Tf, config: Required<VaeConfig>, seed: number): VaeWeights {
  const {hidden, latent} = config;
  let k = 0;
  const kernel = (inputs: number, outputs: number) => {
    const limit = Math.sqrt(6 / (inputs + outputs));
    const initial = tf.randomUniform([inputs, outputs], -limit, limit, "float32", seed * 101 + ++k);
    const v = tf.variable(initial, true);
    initial.dispose();
    return v;
  };
  const bias = (n: number) => {
    const initial = tf.zeros([n]);
    const v = tf.variable(initial, true);
    initial.dispose();
    return v;
  };
  return {
    encW: kernel(784, hidden), encB: bias(hidden),
    muW: kernel(hidden, latent), muB: bias(latent),
    lvW: kernel(hidden, latent), lvB: bias(latent),
    decW: kernel(latent, hidden), decB: bias(hidden),
    outW: kernel(hidden, 784), outB: bias(784)
  };
}

export function encode(tf: Tf, w: VaeWeights, x: TF.Tensor2D): {mu: TF.Tensor2D; logVar: TF.Tensor2D} {
  const h = tf.relu(tf.add(tf.matMul(x, w.encW), w.encB)) as TF.Tensor2D;
  return {mu: tf.add(tf.matMul(h, w.muW), w.muB) as TF.Tensor2D, logVar: tf.add(tf.matMul(h, w.lvW), w.lvB) as TF.Tensor2D};
}

/** Logits of each pixel's Bernoulli; sigmoid gives the pixel's probability of ink. */
export function decodeLogits(tf: Tf, w: VaeWeights, z: TF.Tensor2D): TF.Tensor2D {
  const h = tf.relu(tf.add(tf.matMul(z, w.decW), w.decB)) as TF.Tensor2D;
  return tf.add(tf.matMul(h, w.outW), w.outB) as TF.Tensor2D;
}

/** The batch means of the two terms and of −ELBO = recon + β KL (nats per digit). */
export function negativeElbo(tf: Tf, w: VaeWeights, x: TF.Tensor2D, eps: TF.Tensor2D, beta: number): {loss: TF.Scalar; recon: TF.Scalar; kl: TF.Scalar} {
  const {mu, logVar} = encode(tf, w, x);
  const z = reparameterise(tf, mu, logVar, eps);
  const recon = tf.mean(bceSum(tf, x, decodeLogits(tf, w, z))) as TF.Scalar;
  const kl = tf.mean(klNormal(tf, mu, logVar)) as TF.Scalar;
  return {loss: tf.add(recon, tf.mul(beta, kl)) as TF.Scalar, recon, kl};
}

/** Evenly spaced latent points, row by row from the top (y = +extent) down, x left to right. */
export function latentGrid(size: number, extent: number): Float32Array {
  const grid = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      grid[2 * (r * size + c)] = size === 1 ? 0 : -extent + (2 * extent * c) / (size - 1);
      grid[2 * (r * size + c) + 1] = size === 1 ? 0 : extent - (2 * extent * r) / (size - 1);
    }
  }
  return grid;
}

export const vaeStep: LessonStep<VaeConfig> = {
  init({config, seed, data, tf}) {
    const c: Required<VaeConfig> = {...VAE_DEFAULTS, ...config};
    if (data.xShape.length !== 1 || data.xShape[0] !== 784) throw new Error(`The VAE reads 784 pixels per digit; the data gives [${data.xShape}].`);
    const w = initWeights(tf, c, seed);
    const variables = Object.values(w) as TF.Variable[];
    const optimizer = tf.train.adam(c.learningRate);
    // Fixed noise for the snapshots: the same 16 samples, and the same ε for validation, so the
    // curves move because the model changes, not the dice.
    const keep: TF.Tensor[] = [];
    const held = <T extends TF.Tensor>(t: T) => (keep.push(t), t);
    const sampleZ = held(tf.randomNormal([c.samples, c.latent], 0, 1, "float32", seed + 7) as TF.Tensor2D);
    const gridZ = c.latent === 2 ? held(tf.tensor2d(latentGrid(c.gridSize, c.extent), [c.gridSize * c.gridSize, 2])) : undefined;
    const testCount = data.testX?.shape[0] ?? 0;
    const valEps = testCount > 0 ? held(tf.randomNormal([testCount, c.latent], 0, 1, "float32", seed + 11) as TF.Tensor2D) : undefined;
    const latentCount = Math.min(c.latentCount, testCount);
    const reconCount = Math.min(c.reconstructions, testCount);
    const probabilities = (z: TF.Tensor2D) => (tf.sigmoid(decodeLogits(tf, w, z)).dataSync() as Float32Array).slice();

    return {
      params: variables.reduce((n, v) => n + v.size, 0),
      step({x, step}) {
        const xs = x as TF.Tensor2D;
        const eps = tf.randomNormal([xs.shape[0], c.latent], 0, 1, "float32", seed * 1_000_003 + step + 1) as TF.Tensor2D;
        let terms: {recon: TF.Scalar; kl: TF.Scalar} | undefined;
        const loss = optimizer.minimize(() => {
          const result = negativeElbo(tf, w, xs, eps, c.beta);
          terms = {recon: tf.keep(result.recon), kl: tf.keep(result.kl)};
          return result.loss;
        }, true, variables)!;
        return {loss, recon: terms!.recon, kl: terms!.kl};
      },
      validate(d: StepData) {
        const x = d.testX as TF.Tensor2D;
        const {recon, kl} = negativeElbo(tf, w, x, valEps!, 1);
        const r = recon.dataSync()[0]!, k = kl.dataSync()[0]!;
        return {loss: r + k, recon: r, kl: k};
      },
      snapshot(d: StepData): StepExtras {
        const extras: StepExtras = {samples: probabilities(sampleZ as TF.Tensor2D)};
        if (gridZ) extras.grid = probabilities(gridZ as TF.Tensor2D);
        if (d.testX && latentCount > 0) {
          const {mu} = encode(tf, w, tf.slice(d.testX, [0, 0], [latentCount, 784]) as TF.Tensor2D);
          extras.latent = (mu.dataSync() as Float32Array).slice();
        }
        if (d.testX && reconCount > 0) {
          const {mu} = encode(tf, w, tf.slice(d.testX, [0, 0], [reconCount, 784]) as TF.Tensor2D);
          extras.reconstructions = probabilities(mu);
        }
        // The decoder's weights: small (2·256 + 256 + 256·784 + 784 numbers), so the page can
        // decode any latent point the student picks (interpolation) without asking the worker.
        extras.decW = (w.decW.dataSync() as Float32Array).slice();
        extras.decB = (w.decB.dataSync() as Float32Array).slice();
        extras.outW = (w.outW.dataSync() as Float32Array).slice();
        extras.outB = (w.outB.dataSync() as Float32Array).slice();
        return extras;
      },
      dispose() {
        optimizer.dispose();
        tf.dispose(variables);
        tf.dispose(keep);
      }
    };
  }
};

/** Decodes latent points on the page with the snapshot's decoder weights (plain arrays, no tfjs):
 *  the probability of ink of each of the 784 pixels, for each point. */
export function decodeOnPage(extras: StepExtras, points: number[][], hidden = VAE_DEFAULTS.hidden): Float32Array[] {
  const decW = extras.decW as Float32Array, decB = extras.decB as Float32Array, outW = extras.outW as Float32Array, outB = extras.outB as Float32Array;
  const latent = decW.length / hidden;
  return points.map((z) => {
    const h = new Float32Array(hidden);
    for (let j = 0; j < hidden; j++) {
      let s = decB[j]!;
      for (let i = 0; i < latent; i++) s += z[i]! * decW[i * hidden + j]!;
      h[j] = s > 0 ? s : 0;
    }
    const out = new Float32Array(784);
    for (let p = 0; p < 784; p++) out[p] = outB[p]!;
    for (let j = 0; j < hidden; j++) {
      const hj = h[j]!;
      if (hj === 0) continue;
      const row = j * 784;
      for (let p = 0; p < 784; p++) out[p]! += hj * outW[row + p]!;
    }
    for (let p = 0; p < 784; p++) out[p] = 1 / (1 + Math.exp(-out[p]!));
    return out;
  });
}
