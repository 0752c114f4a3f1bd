// What one trained mix measures, from the reconstructions of the balanced test digits: every
// digit's reconstruction error, and what the judge reads in the rare digit's originals and
// reconstructions (right, or which other digit).
import {perClassMse} from "../autoencoder/metrics.js";
import type {WeightValues} from "../train/protocol.js";
import {classify} from "./judge.js";

export interface MixResult {
  rare: number;
  share: number;
  /** Training digits of the rare class. */
  rareCount: number;
  /** Mean per-pixel MSE of each digit's test reconstructions (digits 0…9). */
  perClass: number[];
  rareError: number;
  /** Mean over the nine other digits. */
  commonError: number;
  /** With a judge: share of the rare digit's reconstructions it reads as another digit. */
  misread?: number;
  /** Its reading of the rare digit's originals, for comparison (share read as another digit). */
  misreadOriginals?: number;
  /** How often each digit was read in the rare digit's reconstructions. */
  readAs?: number[];
  testPerClass: number;
}

const originalsRead = new WeakMap<Float32Array, WeakMap<WeightValues[], Uint8Array>>();

export function measureMix({originals, outputs, labels, rare, share, rareCount, judge}: {originals: Float32Array; outputs: Float32Array; labels: Uint8Array; rare: number; share: number; rareCount: number; judge?: WeightValues[]}): MixResult {
  const perClass = perClassMse(originals, outputs, labels);
  const commonError = perClass.filter((_, d) => d !== rare).reduce((a, b) => a + b, 0) / 9;
  const rows: number[] = [];
  labels.forEach((label, row) => label === rare && rows.push(row));
  const result: MixResult = {rare, share, rareCount, perClass, rareError: perClass[rare]!, commonError, testPerClass: rows.length};
  if (judge && rows.length > 0) {
    const pick = (images: Float32Array) => {
      const out = new Float32Array(rows.length * 784);
      rows.forEach((row, k) => out.set(images.subarray(row * 784, (row + 1) * 784), k * 784));
      return out;
    };
    const read = classify(judge, pick(outputs));
    // The originals are fixed for a run: read them once per run and judge, not per snapshot.
    const byJudge = originalsRead.get(originals) ?? new WeakMap<WeightValues[], Uint8Array>();
    originalsRead.set(originals, byJudge);
    const readOriginals = byJudge.get(judge) ?? classify(judge, pick(originals));
    byJudge.set(judge, readOriginals);
    const readAs = new Array<number>(10).fill(0);
    read.forEach((d) => (readAs[d]! += 1));
    result.readAs = readAs;
    result.misread = 1 - readAs[rare]! / rows.length;
    result.misreadOriginals = readOriginals.filter((d) => d !== rare).length / rows.length;
  }
  return result;
}

/** The digit (other than the rare one) its reconstructions are most often read as, if any. */
export function commonestMisreading(result: MixResult): {digit: number; count: number} | null {
  if (!result.readAs) return null;
  let best = -1;
  result.readAs.forEach((n, d) => { if (d !== result.rare && n > 0 && (best < 0 || n > result.readAs![best]!)) best = d; });
  return best < 0 ? null : {digit: best, count: result.readAs[best]!};
}
