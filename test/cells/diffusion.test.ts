// Lesson 8's diffusion model (cells/diffusion/) on the tfjs cpu backend: the linear β schedule's
// ᾱ_T, the forward process's mean and variance, the DDPM reverse step on hand values, and a short
// training run through the harness whose samples beat the untrained model's by a wide margin.
import {beforeAll, describe, expect, test} from "vitest";
import {initBackend} from "../../cells/tf/backend.js";
import {tf} from "../../cells/tf/tfjs.js";
import {train} from "../../cells/train/client.js";
import {stepModel} from "../../cells/train/step.js";
import {normals, ringCentre, toyPoints} from "../../cells/diffusion/data.js";
import {ringModes, slicedWasserstein} from "../../cells/diffusion/distance.js";
import {forwardNoise, noiseLoss, reverseStep, type DiffusionConfig} from "../../cells/diffusion/model.js";
import {alphaBarAt, linearSchedule, noisePoints, reverseCoefficients} from "../../cells/diffusion/schedule.js";

beforeAll(async () => {
  expect((await initBackend({preferred: "cpu"})).name).toBe("cpu");
});

describe("the noise schedule", () => {
  const s = linearSchedule(1000, 1e-4, 0.02);
  test("β runs linearly from 1e-4 to 0.02 and ᾱ_T ≈ 4.0e-5 (within 1 %: 4.04e-5 exactly)", () => {
    expect(s.beta[0]).toBeCloseTo(1e-4, 12);
    expect(s.beta[999]).toBeCloseTo(0.02, 12);
    expect(s.beta[500]! - s.beta[499]!).toBeCloseTo((0.02 - 1e-4) / 999, 12);
    const alphaBarT = alphaBarAt(s, 1000);
    expect(Math.abs(alphaBarT - 4.0e-5) / 4.0e-5).toBeLessThan(0.02);
    // By hand: log ᾱ_T = Σ log(1 − β_t).
    let log = 0;
    for (let t = 1; t <= 1000; t++) log += Math.log(1 - (1e-4 + ((0.02 - 1e-4) * (t - 1)) / 999));
    expect(alphaBarT).toBeCloseTo(Math.exp(log), 10);
    expect(alphaBarAt(s, 0)).toBe(1);
    expect(alphaBarAt(s, 1)).toBeCloseTo(1 - 1e-4, 12);
  });

  test("samples of q(x_t | x_0) have mean √ᾱ_t x_0 and variance 1 − ᾱ_t (20,000 draws: mean within 0.03, variance within 4 %)", () => {
    const n = 20_000, x0 = [1.5, -0.8];
    for (const t of [10, 250, 600, 1000]) {
      const start = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) (start[2 * i] = x0[0]!), (start[2 * i + 1] = x0[1]!);
      // Through the page's version and the training step's tensor version, with the same ε.
      const eps = normals(2 * n, 100 + t);
      const page = noisePoints(s, start, t, eps);
      const ab = alphaBarAt(s, t);
      const step = tf.tidy(() => forwardNoise(tf, tf.tensor2d(start, [n, 2]), tf.fill([n, 1], ab) as tf.Tensor2D, tf.tensor2d(eps, [n, 2])).dataSync() as Float32Array);
      for (let d = 0; d < 2; d++) {
        let mean = 0, sq = 0;
        for (let i = 0; i < n; i++) mean += page[2 * i + d]!;
        mean /= n;
        for (let i = 0; i < n; i++) sq += (page[2 * i + d]! - mean) ** 2;
        const variance = sq / (n - 1);
        // The standard error of the mean is √((1 − ᾱ)/n) ≤ 0.0071: 0.03 is over 4 of them.
        expect(Math.abs(mean - Math.sqrt(ab) * x0[d]!)).toBeLessThan(0.03);
        // The relative standard error of a variance is √(2/n) = 1 %: 4 % is 4 of them.
        expect(Math.abs(variance - (1 - ab)) / (1 - ab)).toBeLessThan(0.04);
      }
      for (let i = 0; i < 20; i++) expect(step[i]).toBeCloseTo(page[i]!, 5);
    }
  });
});

describe("the DDPM reverse step", () => {
  test("x_{t−1} = 1/√α_t (x_t − β_t/√(1 − ᾱ_t) ε_θ) + √β_t z, on hand values", () => {
    const s = linearSchedule(1000, 1e-4, 0.02);
    const xt = [[0.5, -1.0]], eps = [[0.3, 0.2]], z = [[-0.4, 1.1]];
    for (const t of [1000, 500, 2, 1]) {
      const beta = 1e-4 + ((0.02 - 1e-4) * (t - 1)) / 999;
      let alphaBar = 1;
      for (let u = 1; u <= t; u++) alphaBar *= 1 - (1e-4 + ((0.02 - 1e-4) * (u - 1)) / 999);
      const sigma = t > 1 ? Math.sqrt(beta) : 0; // no noise added at the last step
      const hand = [0, 1].map((d) => (1 / Math.sqrt(1 - beta)) * (xt[0]![d]! - (beta / Math.sqrt(1 - alphaBar)) * eps[0]![d]!) + sigma * z[0]![d]!);
      const got = tf.tidy(() => [...reverseStep(tf, s, t, tf.tensor2d(xt), tf.tensor2d(eps), tf.tensor2d(z)).dataSync()]);
      expect(got[0]).toBeCloseTo(hand[0]!, 5);
      expect(got[1]).toBeCloseTo(hand[1]!, 5);
      expect(reverseCoefficients(s, t).sigma).toBeCloseTo(sigma, 10);
    }
    // At t = 1000 by numbers: 1/√(1 − 0.02) = 1.010153, β/√(1 − ᾱ) = 0.0200004.
    const c = reverseCoefficients(s, 1000);
    expect(c.scale).toBeCloseTo(1.010153, 5);
    expect(c.epsScale).toBeCloseTo(0.0200004, 6);
  });

  test("the loss is ‖ε − ε_θ‖² summed over coordinates, averaged over the batch; ε_θ = 0 scores E‖ε‖² = 2", () => {
    const loss = tf.tidy(() => noiseLoss(tf, tf.tensor2d([[1, 2], [0, -1]]), tf.tensor2d([[0.5, 2], [1, 1]])).dataSync()[0]!);
    expect(loss).toBeCloseTo((0.25 + 0 + 1 + 4) / 2, 6);
    const n = 20_000, eps = normals(2 * n, 7);
    const zero = tf.tidy(() => noiseLoss(tf, tf.tensor2d(eps, [n, 2]), tf.zeros([n, 2])).dataSync()[0]!);
    expect(zero).toBeGreaterThan(1.94);
    expect(zero).toBeLessThan(2.06);
  });
});

describe("the distance and the modes", () => {
  test("the sliced Wasserstein distance is 0 for a set and itself, and equals a shift's length for a shifted set", () => {
    const a = toyPoints("ring", 500, 1);
    expect(slicedWasserstein(a, a)).toBe(0);
    const shifted = a.map((v, i) => (i % 2 === 0 ? v + 0.5 : v));
    // A shift by (0.5, 0) moves every projection on direction θ by 0.5 |cos θ|: the mean over θ is 0.5 · 2/π.
    expect(slicedWasserstein(a, shifted)).toBeCloseTo(0.5 * (2 / Math.PI), 2);
  });

  test("the ring's own samples cover all 8 modes, 99 % within 3σ; one mode alone covers 1", () => {
    const ring = ringModes(toyPoints("ring", 1000, 3));
    expect(ring.covered).toBe(8);
    expect(ring.within).toBeGreaterThan(0.98);
    const [cx, cy] = ringCentre(2);
    const one = new Float32Array(200).map((_, i) => (i % 2 === 0 ? cx : cy));
    expect(ringModes(one).covered).toBe(1);
  });
});

describe("the diffusion step through the harness", () => {
  test("trained on the ring, its samples beat the untrained model's by a wide margin; no leaks", async () => {
    // Small, for the cpu backend: T = 100 with β linear from 1e-3 to 0.2 (the paper's schedule
    // rescaled by 1000/T, so ᾱ_T is again ≈ 4e-5), a 64-wide MLP, 200 points per sampling.
    const config: DiffusionConfig = {T: 100, betaStart: 1e-3, betaEnd: 0.2, hidden: 64, samples: 200, sampleEvery: 0, frameEvery: 10, learningRate: 3e-3, ring: true};
    const x = toyPoints("ring", 2000, 1), testX = toyPoints("ring", 200, 2);
    const before = tf.memory().numTensors;
    const run = train(stepModel({module: "diffusion/model", export: "diffusionStep"}, config), {
      data: {kind: "inline", x, y: x, xShape: [2], yShape: [2], testX, testY: testX},
      onMain: true,
      batchSize: 128,
      steps: 4000,
      snapshotEvery: 4000,
      validation: "none",
      seed: 1
    });
    const snaps = [];
    for await (const s of run) snaps.push(s);
    const first = snaps[0]!, last = snaps.at(-1)!;
    const e = last.extras!;
    console.log(`diffusion (cpu, T = 100): loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)} in ${last.step} steps (${(last.elapsed / 1000).toFixed(1)} s); sliced W1 untrained ${(e.untrainedDistance as number).toFixed(3)}, N(0, I) ${(e.noiseDistance as number).toFixed(3)}, trained ${(e.distance as number).toFixed(3)} at step ${e.sampledAt}, data floor ${(e.dataFloor as number).toFixed(3)}; modes ${e.modesCovered}, within 3σ ${(e.within3sigma as number).toFixed(2)}`);
    expect(first.loss).toBeGreaterThan(1.5); // ε_θ = 0 at the start: E‖ε‖² = 2
    expect(last.loss).toBeLessThan(first.loss * 0.7);
    expect(e.sampledAt).toBe(4000);
    expect((e.samples as Float32Array).length).toBe(400);
    expect((e.frames as Float32Array).length).toBe(11 * 400);
    expect([...(e.frameT as Int32Array)]).toEqual([100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0]);
    expect(e.distance as number).toBeLessThan((e.untrainedDistance as number) / 5);
    expect(e.distance as number).toBeLessThan((e.noiseDistance as number) / 3);
    expect(e.modesCovered).toBe(8);
    expect((await run.ended).numTensors).toBe(before);
  }, 120_000);
});
