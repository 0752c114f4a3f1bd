// Lesson 5 numerics on the tfjs cpu backend: the training mix, the page's JavaScript judge against
// tfjs, and the lesson's claim measured through the harness: as the rare digit's share of the
// training set falls, its reconstruction error rises and the judge (the matmul-shapes classifier)
// reads its reconstructions as other digits more often. Small models, fixed seeds.
import {beforeAll, describe, expect, test} from "vitest";
import {tf} from "../../cells/tf/tfjs.js";
import {biasSweep, classify, formatShare, measureMix, mixData, trainingMix, type SweepProgress} from "../../cells/latent-bias.js";
import {buildModel} from "../../cells/train/build-model.js";
import {modelData} from "../../cells/train/spec.js";
import {digitClassifier} from "../../cells/matmul/classifier.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("the training mix", () => {
  test("the rare digit gets its share, the nine others split the rest equally, the total is kept", () => {
    const mix = trainingMix(7, 0.02, 4500);
    expect(mix[7]).toBe(90);
    expect(mix.reduce((a, b) => a + b, 0)).toBe(4500);
    const others = mix.filter((_, d) => d !== 7);
    expect(Math.max(...others) - Math.min(...others)).toBeLessThanOrEqual(1);
    expect(trainingMix(3, 0.1, 4500)).toEqual(new Array(10).fill(450));
    expect(trainingMix(0, 0, 4500)[0]).toBe(0);
    expect(() => trainingMix(10, 0.1)).toThrow(/0…9/);
    expect(() => trainingMix(1, 0.5)).toThrow(/15 %/);
    expect(mixData(7, 0.01)).toMatchObject({kind: "mnist", test: 500, seed: 0, target: "self"});
    expect(formatShare(0.005)).toBe("0.5 %");
    expect(formatShare(0.03)).toBe("3 %");
  });

  test("per-class error and the judge's reading of the rare digit are counted over its test digits only", () => {
    // Two images of 784 pixels: digit 7 reconstructed exactly, digit 1 off by 0.5 everywhere.
    const originals = new Float32Array(2 * 784), outputs = new Float32Array(2 * 784);
    outputs.fill(0.5, 784);
    const r = measureMix({originals, outputs, labels: Uint8Array.from([7, 1]), rare: 7, share: 0.01, rareCount: 45});
    expect(r.rareError).toBe(0);
    expect(r.perClass[1]).toBeCloseTo(0.25, 12);
    expect(r.testPerClass).toBe(1);
  });
});

describe("the judge", () => {
  test("classify() in plain JavaScript picks the same digits as the tfjs model", async () => {
    const built = await buildModel(modelData(digitClassifier({hidden: 16})), 5);
    const weights = built.model.weights.map((w) => ({name: w.name, shape: [...w.shape] as number[], values: w.read().dataSync() as Float32Array}));
    const images = Float32Array.from({length: 20 * 784}, (_, i) => ((i * 7919) % 101) / 100 * ((i % 3) === 0 ? 1 : 0));
    const byTf = tf.tidy(() => (built.model.predict(tf.tensor2d(images, [20, 784])) as tf.Tensor).argMax(1).dataSync());
    expect([...classify(weights, images)]).toEqual([...byTf]);
    built.dispose();
  });
});

describe("an autoencoder trained on a mix with a rare digit", () => {
  test("as the 7s' share falls from 10 % to 2 % to 0 %, their reconstruction error rises and the judge reads them as other digits more often", async () => {
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    let last: SweepProgress | undefined;
    for await (const p of biasSweep({rare: 7, shares: [0.1, 0.02, 0], steps: 400, batchSize: 50, hidden: 32, bottleneck: 16, total: 2000, test: 500, judgeSteps: 150, judgeTrain: 2000, onMain: true, seed: 1})) last = p;
    const [balanced, rare, absent] = last!.results;
    console.log(`latent-bias (cpu, ${((performance.now() - t0) / 1000).toFixed(0)} s; judge ${(100 * last!.judge!.accuracy).toFixed(1)} %): ` +
      last!.results.map((r) => `${formatShare(r.share)}: 7s MSE ${r.rareError.toFixed(4)}, others ${r.commonError.toFixed(4)}, misread ${(100 * r.misread!).toFixed(0)} %`).join("; "));
    expect(last!.phase).toBe("done");
    expect(last!.judge!.accuracy).toBeGreaterThan(0.85);
    // Error rises as the share falls, by clear margins (measured: about 0.030 → 0.042 → 0.047).
    expect(rare!.rareError).toBeGreaterThan(balanced!.rareError * 1.15);
    expect(absent!.rareError).toBeGreaterThan(rare!.rareError);
    // The other digits barely change (each has about the same count in every mix).
    expect(Math.abs(absent!.commonError - balanced!.commonError)).toBeLessThan(0.1 * balanced!.commonError);
    // The judge reads the originals right, and the reconstructions wrong more often as the share falls.
    expect(balanced!.misreadOriginals).toBeLessThan(0.2);
    expect(balanced!.misread).toBeLessThan(0.35);
    expect(rare!.misread).toBeGreaterThan(balanced!.misread! + 0.2);
    expect(absent!.misread).toBeGreaterThanOrEqual(rare!.misread!);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
