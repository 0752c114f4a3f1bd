// Lesson 6's VAE (cells/vae/model.ts) on the tfjs cpu backend: the ELBO's two terms against hand
// computations, the reparameterisation trick passing gradients to μ and log σ², a few steps
// lowering −ELBO on real digits, and the step through the harness by its registry name.
import {beforeAll, describe, expect, test} from "vitest";
import {initBackend} from "../../cells/tf/backend.js";
import {tf} from "../../cells/tf/tfjs.js";
import {train} from "../../cells/train/client.js";
import {stepModel} from "../../cells/train/step.js";
import {bceSum, decodeOnPage, klNormal, latentGrid, reparameterise, type VaeConfig} from "../../cells/vae/model.js";

beforeAll(async () => {
  expect((await initBackend({preferred: "cpu"})).name).toBe("cpu");
});

describe("the ELBO's terms", () => {
  test("KL(N(μ, σ²) ‖ N(0, 1)) matches ½(μ² + σ² − log σ² − 1), summed over dimensions", () => {
    const mu = [0.5, -1.2], sigma = [0.8, 1.5];
    const hand = mu.reduce((s, m, i) => s + 0.5 * (m * m + sigma[i]! ** 2 - Math.log(sigma[i]! ** 2) - 1), 0);
    const kl = tf.tidy(() => klNormal(tf, tf.tensor2d([mu]), tf.tensor2d([sigma.map((s) => Math.log(s * s))])).dataSync()[0]!);
    expect(kl).toBeCloseTo(hand, 5);
    // The prior itself costs nothing.
    expect(tf.tidy(() => klNormal(tf, tf.zeros([1, 2]), tf.zeros([1, 2])).dataSync()[0]!)).toBeCloseTo(0, 6);
  });

  test("the reconstruction term is the binary cross-entropy in nats, summed over pixels", () => {
    const x = [0, 1, 0.3], p = [0.2, 0.9, 0.5];
    const hand = x.reduce((s, xi, i) => s - (xi * Math.log(p[i]!) + (1 - xi) * Math.log(1 - p[i]!)), 0);
    const logits = p.map((q) => Math.log(q / (1 - q)));
    const bce = tf.tidy(() => bceSum(tf, tf.tensor2d([x]), tf.tensor2d([logits])).dataSync()[0]!);
    expect(bce).toBeCloseTo(hand, 5);
  });

  test("the reparameterisation trick lets gradients reach μ and log σ²", () => {
    const eps = tf.tensor2d([[0.7, -0.3]]);
    const grads = tf.grads((mu: tf.Tensor, logVar: tf.Tensor) => tf.sum(tf.square(reparameterise(tf, mu as tf.Tensor2D, logVar as tf.Tensor2D, eps))));
    const mu = tf.tensor2d([[1, 2]]), logVar = tf.tensor2d([[0, Math.log(4)]]);
    const [dMu, dLogVar] = grads([mu, logVar]);
    // z = μ + σ ε: ∂z²/∂μ = 2z, ∂z²/∂log σ² = 2z · ½ σ ε.
    const z = [1 + 0.7, 2 + 2 * -0.3];
    const got = [...dMu!.dataSync()], gotLv = [...dLogVar!.dataSync()];
    expect(got[0]).toBeCloseTo(2 * z[0]!, 5);
    expect(got[1]).toBeCloseTo(2 * z[1]!, 5);
    expect(gotLv[0]).toBeCloseTo(2 * z[0]! * 0.5 * 1 * 0.7, 5);
    expect(gotLv[1]).toBeCloseTo(2 * z[1]! * 0.5 * 2 * -0.3, 5);
    tf.dispose([eps, mu, logVar, dMu!, dLogVar!]);
  });

  test("the latent grid runs from top-left (−e, +e) to bottom-right (+e, −e)", () => {
    const g = latentGrid(3, 2);
    expect([...g.subarray(0, 2)]).toEqual([-2, 2]);
    expect([...g.subarray(16, 18)]).toEqual([2, -2]);
  });
});

describe("the VAE step through the harness", () => {
  test("sixty steps on digits lower −ELBO; the extras decode on the page as in the worker; no leaks", async () => {
    const before = tf.memory().numTensors;
    const config: VaeConfig = {hidden: 32, latentCount: 50, gridSize: 3, samples: 4};
    const run = train(stepModel({module: "vae/model", export: "vaeStep"}, config), {
      data: {kind: "mnist", train: 1000, test: 100, seed: 0},
      onMain: true,
      batchSize: 100,
      steps: 60,
      snapshotEvery: 0,
      validation: "snapshot",
      seed: 1
    });
    const snaps = [];
    for await (const s of run) snaps.push(s);
    const first = snaps[0]!, last = snaps.at(-1)!;
    expect(first.losses!.recon).toBeGreaterThan(300); // ~ 784 · log 2 ≈ 543 nats at the start
    expect(last.loss).toBeLessThan(first.loss - 150);
    expect(last.valLosses!.loss).toBeLessThan(first.valLosses!.loss - 150);
    expect(last.losses!.loss).toBeCloseTo(last.losses!.recon! + last.losses!.kl!, 2);
    expect(last.losses!.kl).toBeGreaterThan(0);
    expect(Object.keys(last.lossHistory).sort()).toEqual(["kl", "loss", "recon"]);
    const extras = last.extras!;
    expect((extras.samples as Float32Array).length).toBe(4 * 784);
    expect((extras.grid as Float32Array).length).toBe(9 * 784);
    expect((extras.latent as Float32Array).length).toBe(50 * 2);
    // The page's own decoder agrees with the worker's at a grid point (the centre, z = 0).
    const [centre] = decodeOnPage(extras, [[0, 0]], 32);
    const workerCentre = (extras.grid as Float32Array).subarray(4 * 784, 5 * 784);
    for (const p of [100, 300, 400, 600]) expect(centre![p]).toBeCloseTo(workerCentre[p]!, 4);
    expect((await run.ended).reason).toBe("finished");
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
