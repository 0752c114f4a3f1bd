// Lesson 7's GAN as a lesson-defined training step (../train/step.ts): two small MLPs trained at
// once, each with its own Adam. Generator G: noise z ~ N(0, I) → 2-D point; discriminator D:
// 2-D point → logit a, D(x) = sigmoid(a), the probability that x is real.
// Per batch: one step of D on  L_D = −E[log D(x)] − E[log(1 − D(G(z)))]   (= −V(D, G)),
// then one step of G on either the minimax loss  E[log(1 − D(G(z)))]  or the non-saturating
// −E[log D(G(z))] (Goodfellow et al. 2014). The loss, and freezing G, can change mid-run (configure).
import type {tf as TF} from "../tf/tfjs.js";
import type {LessonStep, StepExtras} from "../train/step.js";

type Tf = typeof TF;

export type GeneratorLoss = "minimax" | "non-saturating";

export interface GanConfig {
  /** Dimensions of the generator's noise z. */
  noise?: number;
  /** Units in each of the two hidden layers, in both networks. */
  hidden?: number;
  learningRateD?: number;
  learningRateG?: number;
  /** Adam's β₁ (0.5, as in most GAN code since Radford et al. 2016). */
  beta1?: number;
  generatorLoss?: GeneratorLoss;
  /** The generator's optimizer: Adam rescales each step by the gradient's running size, which
   *  hides a vanishing gradient; plain SGD steps in proportion to it, which shows it. */
  generatorOptimizer?: "adam" | "sgd";
  /** SGD's learning rate for the generator. */
  learningRateSgd?: number;
  /** Only D learns (G's weights stay put): what D converges to then is D*. */
  freezeGenerator?: boolean;
  /** Generated points in each snapshot (the same z every time). */
  samples?: number;
  /** D(x) on a gridSize × gridSize grid over [−extent, extent]² in each snapshot. */
  gridSize?: number;
  extent?: number;
}

export const GAN_DEFAULTS: Required<GanConfig> = {noise: 2, hidden: 64, learningRateD: 1e-3, learningRateG: 1e-3, beta1: 0.5, generatorLoss: "non-saturating", generatorOptimizer: "adam", learningRateSgd: 0.05, freezeGenerator: false, samples: 1000, gridSize: 40, extent: 3};

/** The settings a page may change while a run goes on. */
export type GanLiveSettings = Pick<GanConfig, "generatorLoss" | "freezeGenerator" | "generatorOptimizer">;

export interface Mlp {
  w1: TF.Variable; b1: TF.Variable;
  w2: TF.Variable; b2: TF.Variable;
  w3: TF.Variable; b3: TF.Variable;
}

/** An MLP inputs → hidden → hidden → outputs with Glorot-uniform kernels and zero biases, seeded. */
export function initMlp(tf: Tf, sizes: [number, number, number], seed: number): Mlp {
  const [inputs, hidden, outputs] = sizes;
  let k = 0;
  const kernel = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const initial = tf.randomUniform([fanIn, fanOut], -limit, limit, "float32", seed * 101 + ++k);
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
  const w1 = kernel(inputs, hidden), b1 = bias(hidden);
  const w2 = kernel(hidden, hidden), b2 = bias(hidden);
  const w3 = kernel(hidden, outputs), b3 = bias(outputs);
  return {w1, b1, w2, b2, w3, b3};
}

/** LeakyReLU (slope 0.2) hidden layers, linear output. */
export function mlp(tf: Tf, m: Mlp, x: TF.Tensor2D): TF.Tensor2D {
  const h1 = tf.leakyRelu(tf.add(tf.matMul(x, m.w1), m.b1), 0.2);
  const h2 = tf.leakyRelu(tf.add(tf.matMul(h1, m.w2), m.b2), 0.2);
  return tf.add(tf.matMul(h2, m.w3), m.b3) as TF.Tensor2D;
}

// With D = sigmoid(a): log D = −softplus(−a) and log(1 − D) = −softplus(a), never log(0).

/** L_D = −E[log D(x)] − E[log(1 − D(G(z)))], from D's logits on real and on generated points.
 *  Its minimum over D is −V(D*, G); at p_g = p_data, D* = ½ and L_D = log 4. */
export function discriminatorLoss(tf: Tf, realLogits: TF.Tensor, fakeLogits: TF.Tensor): TF.Scalar {
  return tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))) as TF.Scalar;
}

/** The generator's loss from D's logits on generated points:
 *  minimax E[log(1 − D(G(z)))] (G minimises what D maximises), or non-saturating −E[log D(G(z))]. */
export function generatorLoss(tf: Tf, fakeLogits: TF.Tensor, kind: GeneratorLoss): TF.Scalar {
  return (kind === "minimax" ? tf.neg(tf.mean(tf.softplus(fakeLogits))) : tf.mean(tf.softplus(tf.neg(fakeLogits)))) as TF.Scalar;
}

/** √(Σ g²) over a set of gradients. */
export function globalNorm(tf: Tf, grads: TF.Tensor[]): TF.Scalar {
  return tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as TF.Scalar;
}

/** Evenly spaced points over [−extent, extent]², row by row from the top (y = +extent), x left to right. */
export function planeGrid(size: number, extent: number): Float32Array {
  const grid = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      grid[2 * (r * size + c)] = -extent + (2 * extent * (c + 0.5)) / size;
      grid[2 * (r * size + c) + 1] = extent - (2 * extent * (r + 0.5)) / size;
    }
  }
  return grid;
}

export interface GanRun {
  d: Mlp;
  g: Mlp;
  settings: Required<GanConfig>;
  /** One step of D, then (unless frozen) one of G; named scalars for the harness. */
  step(real: TF.Tensor2D, step: number): Record<string, TF.Scalar> & {loss: TF.Scalar};
  /** D's logit a(x) for points x. */
  logits(x: TF.Tensor2D): TF.Tensor2D;
  /** D(x) = sigmoid(a(x)) for points x. */
  discriminate(x: TF.Tensor2D): TF.Tensor2D;
  generate(z: TF.Tensor2D): TF.Tensor2D;
  configure(patch: GanLiveSettings): void;
  dispose(): void;
}

/** Builds both networks and their optimizers; used by the harness's step and by the tests. */
export function makeGan(tf: Tf, config: GanConfig, seed: number, dimensions = 2): GanRun {
  const s: Required<GanConfig> = {...GAN_DEFAULTS, ...config};
  const g = initMlp(tf, [s.noise, s.hidden, dimensions], seed * 7 + 1);
  const d = initMlp(tf, [dimensions, s.hidden, 1], seed * 7 + 2);
  const gVars = Object.values(g) as TF.Variable[], dVars = Object.values(d) as TF.Variable[];
  // Two players, two optimizers: each Adam keeps its own moments for its own network.
  const optD = tf.train.adam(s.learningRateD, s.beta1, 0.999, 1e-7);
  const optG = tf.train.adam(s.learningRateG, s.beta1, 0.999, 1e-7);
  const sgdG = tf.train.sgd(s.learningRateSgd);
  const noise = (n: number, salt: number) => tf.randomNormal([n, s.noise], 0, 1, "float32", (seed * 1_000_003 + salt) % 2_147_483_647) as TF.Tensor2D;

  const run: GanRun = {
    d, g, settings: s,
    step(real, step) {
      const n = real.shape[0];
      // D's step: G's output is a constant here (only D's variables get gradients).
      const fake = mlp(tf, g, noise(n, 2 * step + 1));
      const dStep = tf.variableGrads(() => discriminatorLoss(tf, mlp(tf, d, real), mlp(tf, d, fake)), dVars);
      optD.applyGradients(dStep.grads as unknown as Record<string, TF.Variable>);
      // G's step, against the D just updated, on fresh noise.
      const z = noise(n, 2 * step + 2);
      const kind = s.generatorLoss;
      let fakeLogits!: TF.Tensor;
      const gStep = tf.variableGrads(() => {
        fakeLogits = tf.keep(mlp(tf, d, mlp(tf, g, z)));
        return generatorLoss(tf, fakeLogits, kind);
      }, gVars);
      const gradNorm = globalNorm(tf, Object.values(gStep.grads));
      if (!s.freezeGenerator) (s.generatorOptimizer === "sgd" ? sgdG : optG).applyGradients(gStep.grads as unknown as Record<string, TF.Variable>);
      const dFake = tf.mean(tf.sigmoid(fakeLogits)) as TF.Scalar;
      fakeLogits.dispose();
      return {
        loss: dStep.value,
        discriminator: dStep.value,
        generator: gStep.value,
        gradG: gradNorm,
        dReal: tf.mean(tf.sigmoid(mlp(tf, d, real))) as TF.Scalar,
        dFake
      };
    },
    logits: (x) => mlp(tf, d, x),
    discriminate: (x) => tf.sigmoid(mlp(tf, d, x)) as TF.Tensor2D,
    generate: (z) => mlp(tf, g, z),
    configure(patch) {
      if (patch.generatorLoss === "minimax" || patch.generatorLoss === "non-saturating") s.generatorLoss = patch.generatorLoss;
      if (typeof patch.freezeGenerator === "boolean") s.freezeGenerator = patch.freezeGenerator;
      if (patch.generatorOptimizer === "adam" || patch.generatorOptimizer === "sgd") s.generatorOptimizer = patch.generatorOptimizer;
    },
    dispose() {
      optD.dispose();
      optG.dispose();
      sgdG.dispose();
      tf.dispose([...gVars, ...dVars]);
    }
  };
  return run;
}

export const ganStep: LessonStep<GanConfig> = {
  init({config, seed, data, tf}) {
    if (data.xShape.length !== 1 || data.xShape[0] !== 2) throw new Error(`This GAN learns points in the plane (2 numbers each); the data gives samples of shape [${data.xShape}].`);
    const gan = makeGan(tf, config, seed);
    const s = gan.settings;
    // Fixed inputs for snapshots: the same z every time, so the picture moves because G does.
    const sampleZ = tf.randomNormal([s.samples, s.noise], 0, 1, "float32", seed + 17) as TF.Tensor2D;
    const grid = tf.tensor2d(planeGrid(s.gridSize, s.extent), [s.gridSize * s.gridSize, 2]);
    const params = [...Object.values(gan.g), ...Object.values(gan.d)].reduce((n, v) => n + v.size, 0);
    return {
      params,
      step: ({x, step}) => gan.step(x as TF.Tensor2D, step),
      snapshot(): StepExtras {
        return {
          samples: (gan.generate(sampleZ).dataSync() as Float32Array).slice(),
          dGrid: (gan.discriminate(grid).dataSync() as Float32Array).slice(),
          minimax: s.generatorLoss === "minimax" ? 1 : 0,
          frozen: s.freezeGenerator ? 1 : 0,
          sgd: s.generatorOptimizer === "sgd" ? 1 : 0
        };
      },
      configure: (patch) => gan.configure(patch as GanLiveSettings),
      dispose() {
        gan.dispose();
        tf.dispose([sampleZ, grid]);
      }
    };
  }
};
