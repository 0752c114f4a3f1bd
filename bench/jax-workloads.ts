// The lessons' DDPM denoiser, GAN and LSTM race (bench/workload-data.ts) written for jax-js
// (@jax-js/jax, a dev dependency) as its authors intend: each training step whole (forward, loss,
// backward, gradient clipping, Adam) in one jit-compiled function on its wasm device.
// bench/workloads.mjs bundles it into a page and times steps next to tfjs; Lectern never ships it.
// Same sizes, same data, same optimizer settings as the lessons' steps (cells/diffusion,
// cells/gan, cells/lstm); the noise is other draws than tfjs's, so losses agree in size, not digit.
// Differences, said in each result's note: batches are whole (a last, smaller batch would compile
// the step again) and in order; the LSTM's 50 time steps are unrolled when the step is traced
// (jax-js 0.1.25 has no lax.scan or fori_loop); noise is drawn on the host, in the timed step,
// because jax-js's own PRNG inside the compiled step measured slower (below).
import {init, jit, nn, numpy as np, profiler, tree, valueAndGrad, type Array as JaxArray} from "@jax-js/jax";
import {mulberry32} from "../cells/data/random.js";
import {initCell} from "../cells/lstm/cell.js";
import {linearSchedule, SCHEDULE_DEFAULTS} from "../cells/diffusion/schedule.js";
import {normals} from "../cells/diffusion/data.js";
import {LSTM_TASK, WORKLOADS, type WorkloadName} from "./workload-data.js";

type Params = JaxArray[];
/** Why the noise is not drawn with jax-js's PRNG inside the step (measured in headless Chromium on
 *  this 2-core machine, load average ~10: the lesson's denoiser ran 43–85 steps/s with
 *  random.randint/random.normal inside the jit step, 88 kernels, and 120–154 steps/s with t and ε
 *  drawn on the host, 72 kernels): the faster way for jax-js is the one benched. */
const HOST_NOISE = "jax-js's PRNG inside the compiled step was 1.4–3× slower here";
interface Adam {
  lr: number;
  b1: number;
  b2: number;
  eps: number;
}

/** Glorot-uniform kernel [fanIn, fanOut] (limit from `limitIn` inputs), seeded. */
function glorot(fanIn: number, fanOut: number, random: () => number, limitIn = fanIn): JaxArray {
  const limit = Math.sqrt(6 / (limitIn + fanOut));
  return np.array(Float32Array.from({length: fanIn * fanOut}, () => (2 * random() - 1) * limit)).reshape([fanIn, fanOut]);
}

/** tfjs's Adam, one step for every parameter (consumes every argument): m ← β₁m + (1 − β₁)g,
 *  v ← β₂v + (1 − β₂)g², w ← w − lr·(m/c₁)/(√(v/c₂) + ε) with c = 1 − βᵗ given as arrays. */
function adam(ps: Params, gs: Params, ms: Params, vs: Params, c1: JaxArray, c2: JaxArray, o: Adam): [Params, Params, Params] {
  const out: [Params, Params, Params] = [[], [], []];
  ps.forEach((w, i) => {
    const last = i === ps.length - 1, g = gs[i]!;
    const m2 = ms[i]!.mul(o.b1).add(g.ref.mul(1 - o.b1));
    const v2 = vs[i]!.mul(o.b2).add(g.ref.mul(g).mul(1 - o.b2));
    const mHat = m2.ref.div(last ? c1 : c1.ref), vHat = v2.ref.div(last ? c2 : c2.ref);
    out[0].push(w.sub(mHat.mul(o.lr).div(np.sqrt(vHat).add(o.eps))));
    out[1].push(m2);
    out[2].push(v2);
  });
  return out;
}

const zerosLike = (ps: Params): Params => ps.map((p) => np.zeros(p.shape));
/** Σ over the arrays of Σ of their squares (consumes them). */
const sumOfSquares = (gs: Params): JaxArray => gs.map((g) => np.sum(np.square(g))).reduce((a, b) => a.add(b));
/** The bias corrections c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ for step t, as arrays (a number would be baked into the compiled step). */
const corrections = (o: Adam, t: number): [JaxArray, JaxArray] => [np.array([1 - o.b1 ** t]), np.array([1 - o.b2 ** t])];

/** Batch `s` of the data's whole batches, as an array of shape [batch, ...shape]. */
function batchOf(x: Float32Array, shape: number[], batch: number, s: number): JaxArray {
  const size = shape.reduce((a, b) => a * b, 1), whole = Math.floor(x.length / size / batch);
  const k = s % whole;
  return np.array(x.slice(k * batch * size, (k + 1) * batch * size)).reshape([batch, ...shape]);
}

interface Trainer {
  /** Step t (from 1): resolves to the step's headline loss, read back as tfjs's snapshots do. */
  step(t: number): Promise<number>;
  note: string;
}

// ---- DDPM denoiser (cells/diffusion/model.ts) ----
function ddpm(): Trainer {
  const w = WORKLOADS.ddpm, c = {hidden: 128, frequencies: 8, T: SCHEDULE_DEFAULTS.T, lr: 1e-3};
  const o: Adam = {lr: c.lr, b1: 0.9, b2: 0.999, eps: 1e-7};
  const data = w.data(), batch = w.batchSize, H = c.hidden, E = 2 * c.frequencies;
  const random1 = mulberry32(1);
  // [w1x, w1t, b1, w2, b2, w3, b3, w4, b4]: the first layer split in x_t's rows and t's, a zero last layer.
  let p: Params = [glorot(2, H, random1, 2 + E), glorot(E, H, random1, 2 + E), np.zeros([H]), glorot(H, H, random1), np.zeros([H]), glorot(H, H, random1), np.zeros([H]), np.zeros([H, 2]), np.zeros([2])];
  let m = zerosLike(p), v = zerosLike(p);
  const s = linearSchedule(c.T);
  // ᾱ indexed by t itself (entry 0 unused), so the step gathers without subtracting 1.
  const alphaBars = np.array(Float32Array.from([1, ...s.alphaBar]));
  const omega = np.array(Float32Array.from({length: c.frequencies}, (_, k) => Math.pow(1000, -k / c.frequencies))).reshape([1, c.frequencies]);
  const loss = (q: Params, xt: JaxArray, emb: JaxArray, eps: JaxArray): JaxArray => {
    const [w1x, w1t, b1, w2, b2, w3, b3, w4, b4] = q as [JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray];
    let h = nn.relu(np.dot(xt, w1x).add(np.dot(emb, w1t)).add(b1));
    h = nn.relu(np.dot(h, w2).add(b2));
    h = nn.relu(np.dot(h, w3).add(b3));
    return np.mean(np.sum(np.square(eps.sub(np.dot(h, w4).add(b4))), 1));
  };
  const draw = mulberry32(3);
  const step = jit((q: Params, mm: Params, vv: Params, x0: JaxArray, t: JaxArray, eps: JaxArray, ab: JaxArray, om: JaxArray, c1: JaxArray, c2: JaxArray) => {
    const n = x0.shape[0]!;
    const abt = np.take(ab, t.ref, 0).reshape([n, 1]);
    const xt = np.sqrt(abt.ref).mul(x0).add(np.sqrt(np.negative(abt).add(1)).mul(eps.ref));
    const angles = t.astype(np.float32).reshape([n, 1]).mul(om);
    const emb = np.concatenate([np.sin(angles.ref), np.cos(angles)], 1);
    const [value, g] = valueAndGrad(loss)(tree.ref(q), xt, emb, eps);
    return [...adam(q, g, mm, vv, c1, c2, o), value] as const;
  });
  return {
    note: `jit-compiled whole step (ᾱ_t gathered, x_t, the sin/cos embedding, MLP, loss, backward, Adam); t and ε drawn on the host and sent in (timed: ${HOST_NOISE}); whole batches of 256 in order (15 per pass over 4,000 points)`,
    async step(t) {
      const [c1, c2] = corrections(o, t);
      const ts = np.array(Int32Array.from({length: batch}, () => 1 + Math.floor(draw() * c.T)), {dtype: np.int32});
      const [p2, m2, v2, value] = step(p, m, v, batchOf(data.x, [2], batch, t - 1), ts, np.array(normals(2 * batch, t)).reshape([batch, 2]), alphaBars.ref, omega.ref, c1, c2);
      p = p2;
      m = m2;
      v = v2;
      return (await value.data())[0]!;
    }
  };
}

/** The issue's form of the denoiser, for jax-js only (the lesson's module has no such form): input
 *  [x_t, t/T] (3 numbers) → 128 → 128 → 128 → 2; t, ε and x_t made on the host, so the compiled
 *  step is the MLP, its loss, backward and Adam alone: the least work jax-js can be given. */
function ddpmIssue(): Trainer {
  const w = WORKLOADS.ddpm, T = SCHEDULE_DEFAULTS.T, H = 128;
  const o: Adam = {lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-7};
  const data = w.data(), batch = w.batchSize, s = linearSchedule(T), draw = mulberry32(3);
  const random1 = mulberry32(1);
  let p: Params = [glorot(3, H, random1), np.zeros([H]), glorot(H, H, random1), np.zeros([H]), glorot(H, H, random1), np.zeros([H]), np.zeros([H, 2]), np.zeros([2])];
  let m = zerosLike(p), v = zerosLike(p);
  const loss = (q: Params, input: JaxArray, eps: JaxArray): JaxArray => {
    const [w1, b1, w2, b2, w3, b3, w4, b4] = q as [JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray];
    let h = nn.relu(np.dot(input, w1).add(b1));
    h = nn.relu(np.dot(h, w2).add(b2));
    h = nn.relu(np.dot(h, w3).add(b3));
    return np.mean(np.sum(np.square(eps.sub(np.dot(h, w4).add(b4))), 1));
  };
  const step = jit((q: Params, mm: Params, vv: Params, input: JaxArray, eps: JaxArray, c1: JaxArray, c2: JaxArray) => {
    const [value, g] = valueAndGrad(loss)(tree.ref(q), input, eps);
    return [...adam(q, g, mm, vv, c1, c2, o), value] as const;
  });
  const whole = Math.floor(data.x.length / 2 / batch);
  return {
    note: "the issue's 3-input denoiser ([x_t, t/T]), jit-compiled MLP + loss + backward + Adam; t, ε and x_t made on the host",
    async step(t) {
      const [c1, c2] = corrections(o, t);
      const k = (t - 1) % whole, eps = normals(2 * batch, t), input = new Float32Array(3 * batch);
      for (let i = 0; i < batch; i++) {
        const ti = 1 + Math.floor(draw() * T), ab = s.alphaBar[ti - 1]!;
        for (let j = 0; j < 2; j++) input[3 * i + j] = Math.sqrt(ab) * data.x[2 * (k * batch + i) + j]! + Math.sqrt(1 - ab) * eps[2 * i + j]!;
        input[3 * i + 2] = ti / T;
      }
      const [p2, m2, v2, value] = step(p, m, v, np.array(input).reshape([batch, 3]), np.array(eps).reshape([batch, 2]), c1, c2);
      p = p2;
      m = m2;
      v = v2;
      return (await value.data())[0]!;
    }
  };
}

// ---- GAN (cells/gan/model.ts) ----
function gan(): Trainer {
  const w = WORKLOADS.gan, cfg = w.config as {hidden: number; noise: number; learningRateD: number; learningRateG: number; beta1: number};
  const oD: Adam = {lr: cfg.learningRateD, b1: cfg.beta1, b2: 0.999, eps: 1e-7}, oG: Adam = {...oD, lr: cfg.learningRateG};
  const data = w.data(), batch = w.batchSize, H = cfg.hidden, Z = cfg.noise;
  const mlpParams = (sizes: [number, number, number], seed: number): Params => {
    const r = mulberry32(seed);
    return [glorot(sizes[0], H, r), np.zeros([H]), glorot(H, H, r), np.zeros([H]), glorot(H, sizes[2], r), np.zeros([sizes[2]])];
  };
  let g = mlpParams([Z, H, 2], 8), d = mlpParams([2, H, 1], 9);
  let gm = zerosLike(g), gv = zerosLike(g), dm = zerosLike(d), dv = zerosLike(d);
  /** LeakyReLU (0.2) hidden layers, linear output (consumes its arguments). */
  const mlp = (q: Params, x: JaxArray): JaxArray => {
    const [w1, b1, w2, b2, w3, b3] = q as [JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray];
    const h1 = nn.leakyRelu(np.dot(x, w1).add(b1), 0.2);
    const h2 = nn.leakyRelu(np.dot(h1, w2).add(b2), 0.2);
    return np.dot(h2, w3).add(b3);
  };
  // L_D = E[softplus(−a(x))] + E[softplus(a(G(z)))]; non-saturating L_G = E[softplus(−a(G(z)))], with D(G(z)) as aux.
  const lossD = (dq: Params, real: JaxArray, fake: JaxArray): JaxArray => np.mean(nn.softplus(np.negative(mlp(tree.ref(dq), real)))).add(np.mean(nn.softplus(mlp(dq, fake))));
  const lossG = (gq: Params, dq: Params, z: JaxArray): [JaxArray, JaxArray] => {
    const logits = mlp(dq, mlp(gq, z));
    return [np.mean(nn.softplus(np.negative(logits.ref))), np.mean(nn.sigmoid(logits))];
  };
  const step = jit((dq: Params, gq: Params, dmm: Params, dvv: Params, gmm: Params, gvv: Params, real: JaxArray, z1: JaxArray, z2: JaxArray, c1: JaxArray, c2: JaxArray) => {
    // D's step (G's output a constant), then G's against the D just updated, on fresh noise.
    const fake = mlp(tree.ref(gq), z1);
    const [valueD, gradD] = valueAndGrad(lossD)(tree.ref(dq), real.ref, fake);
    const [d2, dm2, dv2] = adam(dq, gradD, dmm, dvv, c1.ref, c2.ref, oD);
    const [[valueG, dFake], gradG] = valueAndGrad(lossG, {hasAux: true})(tree.ref(gq), tree.ref(d2), z2);
    const gradNorm = np.sqrt(sumOfSquares(gradG.map((x) => x.ref)));
    const [g2, gm2, gv2] = adam(gq, gradG, gmm, gvv, c1, c2, oG);
    const dReal = np.mean(nn.sigmoid(mlp(tree.ref(d2), real)));
    return [d2, g2, dm2, dv2, gm2, gv2, valueD, valueG, gradNorm, dReal, dFake] as const;
  });
  return {
    note: `jit-compiled whole step (D step, then G step against the new D, with the lesson's extra figures: ‖∇G‖, D(x), D(G(z))); z drawn on the host and sent in (timed: ${HOST_NOISE}); whole batches of 128 in order`,
    async step(t) {
      const [c1, c2] = corrections(oD, t);
      const z = (salt: number) => np.array(normals(batch * Z, 2 * t + salt)).reshape([batch, Z]);
      const [d2, g2, dm2, dv2, gm2, gv2, valueD, ...rest] = step(d, g, dm, dv, gm, gv, batchOf(data.x, [2], batch, t - 1), z(1), z(2), c1, c2);
      [d, g, dm, dv, gm, gv] = [d2, g2, dm2, dv2, gm2, gv2];
      const loss = (await valueD.data())[0]!;
      for (const x of rest) x.dispose();
      return loss;
    }
  };
}

// ---- LSTM race (cells/lstm/model.ts, cells/lstm/cell.ts) ----
function lstm(): Trainer {
  const w = WORKLOADS.lstm, cfg = w.config as {units: number; forgetBias: number; learningRate: number};
  const o: Adam = {lr: cfg.learningRate, b1: 0.9, b2: 0.999, eps: 1e-7}, clipNorm = 1;
  const data = w.data(), batch = w.batchSize, n = cfg.units;
  const [T, inputs] = data.xShape as [number, number];
  const sizes = {inputs, units: n, classes: LSTM_TASK.symbols};
  // The lesson's initial weights (Glorot input kernel, orthogonal recurrent kernels, forget bias).
  const weights = (kind: "lstm" | "rnn"): Params => {
    const c = initCell(kind, sizes, {seed: 1, forgetBias: cfg.forgetBias});
    return [np.array(c.W).reshape([inputs + n, c.W.length / (inputs + n)]), np.array(c.b), np.array(c.Wy).reshape([n, sizes.classes]), np.array(c.by)];
  };
  let L = weights("lstm"), R = weights("rnn");
  let Lm = zerosLike(L), Lv = zerosLike(L), Rm = zerosLike(R), Rv = zerosLike(R);
  /** Final logits after all T steps (consumes its arguments): z = [x, h]·W + b, gates i | f | g | o. */
  const logits = (kind: "lstm" | "rnn", q: Params, xs: JaxArray[]): JaxArray => {
    const [W, b, Wy, by] = q as [JaxArray, JaxArray, JaxArray, JaxArray];
    const B = xs[0]!.shape[0]!;
    let h = np.zeros([B, n]), c = np.zeros([B, n]);
    xs.forEach((x, t) => {
      const last = t === xs.length - 1;
      const z = np.dot(np.concatenate([x, h], 1), last ? W : W.ref).add(last ? b : b.ref);
      if (kind === "rnn") {
        h = np.tanh(z);
        return;
      }
      const [zi, zf, zg, zo] = np.split(z, 4, 1) as [JaxArray, JaxArray, JaxArray, JaxArray];
      const cNext = nn.sigmoid(zf).mul(c).add(nn.sigmoid(zi).mul(np.tanh(zg)));
      h = nn.sigmoid(zo).mul(np.tanh(cNext.ref));
      c = cNext;
    });
    c.dispose();
    return np.dot(h, Wy).add(by);
  };
  /** Mean softmax cross-entropy: logsumexp(y) − Σ target·y. */
  const loss = (kind: "lstm" | "rnn") => (q: Params, xs: JaxArray[], target: JaxArray): JaxArray => {
    const y = logits(kind, q, xs);
    return np.mean(nn.logsumexp(y.ref, 1).sub(np.sum(target.mul(y), 1)));
  };
  const lossL = loss("lstm"), lossR = loss("rnn");
  /** The gradient scaled to global norm clipNorm when above it: g · clip / max(‖g‖, clip). */
  const clipped = (gs: Params): Params => {
    const scale = np.reciprocal(np.maximum(np.sqrt(sumOfSquares(gs.map((g) => g.ref))), clipNorm)).mul(clipNorm);
    return gs.map((g, i) => g.mul(i === gs.length - 1 ? scale : scale.ref));
  };
  const step = jit((l: Params, r: Params, lm: Params, lv: Params, rm: Params, rv: Params, xs: JaxArray, target: JaxArray, c1: JaxArray, c2: JaxArray) => {
    const steps = np.unstack(xs, 1); // T arrays of [B, inputs]
    const [valueL, gradL] = valueAndGrad(lossL)(tree.ref(l), steps.map((s) => s.ref), target.ref);
    const [l2, lm2, lv2] = adam(l, clipped(gradL), lm, lv, c1.ref, c2.ref, o);
    const [valueR, gradR] = valueAndGrad(lossR)(tree.ref(r), steps, target);
    const [r2, rm2, rv2] = adam(r, clipped(gradR), rm, rv, c1, c2, o);
    return [l2, r2, lm2, lv2, rm2, rv2, valueL, valueR] as const;
  });
  return {
    note: `jit-compiled whole step (LSTM and RNN, each clipped and Adam-stepped in the graph); the ${T} time steps unrolled at trace time, as jax-js 0.1.25 has no lax.scan / fori_loop; whole batches of ${batch} in order`,
    async step(t) {
      const [c1, c2] = corrections(o, t);
      const k = (t - 1) % Math.floor(data.x.length / (T * inputs) / batch);
      const target = np.array(data.y.slice(k * batch * sizes.classes, (k + 1) * batch * sizes.classes)).reshape([batch, sizes.classes]);
      const [l2, r2, lm2, lv2, rm2, rv2, valueL, valueR] = step(L, R, Lm, Lv, Rm, Rv, batchOf(data.x, [T, inputs], batch, t - 1), target, c1, c2);
      [L, R, Lm, Lv, Rm, Rv] = [l2, r2, lm2, lv2, rm2, rv2];
      const loss = (await valueL.data())[0]!;
      valueR.dispose();
      return loss;
    }
  };
}

/** The workloads jax-js runs: the lessons' three, and the issue's 3-input form of the denoiser. */
export type JaxWorkloadName = WorkloadName | "ddpm-issue";
const TRAINERS: Record<JaxWorkloadName, () => Trainer> = {ddpm, "ddpm-issue": ddpmIssue, gan, lstm};

/** Trainers already compiled, by workload: a repeat continues the same run, so a measurement
 *  times steps, not jit's tracing and compiling (which the first step pays, reported as firstMs). */
const live: Partial<Record<JaxWorkloadName, {trainer: Trainer; t: number; firstMs: number}>> = {};

/** `warm` steps, then `steps` timed ones (by default the workload's, as the tfjs pages run it):
 *  milliseconds per step, the loss of step 4 and the last; then a few steps under jax-js's own
 *  profiler (its kernels as performance.measure entries): kernels per step, and their time against
 *  the step's wall time (the rest is jax-js's work in JavaScript: dispatch, buffers, the jit cache). */
export async function jaxWorkload(name: JaxWorkloadName, steps = WORKLOADS[name === "ddpm-issue" ? "ddpm" : name].steps, warm = WORKLOADS[name === "ddpm-issue" ? "ddpm" : name].warm) {
  const devices = await init("wasm");
  let run = live[name];
  if (run === undefined) {
    const trainer = TRAINERS[name]();
    const began = performance.now();
    await trainer.step(1);
    run = live[name] = {trainer, t: 1, firstMs: performance.now() - began};
  }
  let loss4 = NaN, loss = NaN, began = 0;
  for (let i = 1; i <= warm + steps; i++) {
    if (i === warm + 1) began = performance.now();
    loss = await run.trainer.step(++run.t);
    if (run.t === 4) loss4 = loss;
  }
  const ms = (performance.now() - began) / steps;
  const traced = Math.max(2, Math.min(10, Math.round(steps / 10)));
  performance.clearMeasures();
  profiler.startTrace();
  const t0 = performance.now();
  for (let i = 0; i < traced; i++) await run.trainer.step(++run.t);
  const tracedMs = (performance.now() - t0) / traced;
  profiler.stopTrace();
  const kernels = performance.getEntriesByType("measure");
  performance.clearMeasures();
  const trace = {kernelsPerStep: kernels.length / traced, kernelMsPerStep: kernels.reduce((n, k) => n + k.duration, 0) / traced, wallMsPerStep: tracedMs};
  return {ms, loss4, loss, step: run.t, firstMs: run.firstMs, device: devices.join(", "), note: run.trainer.note, trace};
}
