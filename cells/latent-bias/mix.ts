// Lesson 5 (latent-bias): the training set's class mix. One digit is made rare (a share of the
// training digits), the other nine share the rest equally; the test set stays balanced, so every
// digit's reconstruction error is measured on the same number of unseen digits.
import type {DataSpec} from "../train/protocol.js";

/** Training digits per mix: at share 0 each common digit has 500, within MNIST's 863 fives. */
export const TRAIN_DIGITS = 4500;
/** Balanced test digits (50 of each), never trained on; the judge never trains on them either. */
export const TEST_DIGITS = 500;
/** The split's seed: the judge's and the autoencoder's test digits are the same 50 per digit. */
export const SPLIT_SEED = 0;
/** The shares of the rare digit the sweep trains at: balanced (10 %) down to absent. */
export const SWEEP_SHARES: readonly number[] = [0.1, 0.03, 0.01, 0];

/** Training digits per class 0…9: `share` of `total` for the rare digit, the rest split equally. */
export function trainingMix(rare: number, share: number, total = TRAIN_DIGITS): number[] {
  if (!(Number.isInteger(rare) && rare >= 0 && rare <= 9)) throw new Error(`The rare digit must be 0…9, got ${rare}.`);
  if (!(share >= 0 && share <= 0.15)) throw new Error(`The rare digit's share must be between 0 and 0.15 (15 %), got ${share}: MNIST has too few of some digits for more.`);
  const rareCount = Math.round(share * total);
  const rest = total - rareCount;
  // Equal shares for the nine others; the remainder goes to the lowest digits, one each.
  const others = Array.from({length: 10}, (_, d) => d).filter((d) => d !== rare);
  const counts = new Array<number>(10).fill(0);
  counts[rare] = rareCount;
  others.forEach((d, i) => (counts[d] = Math.floor(rest / 9) + (i < rest % 9 ? 1 : 0)));
  return counts;
}

/** The harness's data description for that mix: the digits themselves are the target. */
export function mixData(rare: number, share: number, {total = TRAIN_DIGITS, test = TEST_DIGITS, seed = SPLIT_SEED}: {total?: number; test?: number; seed?: number} = {}): DataSpec {
  return {kind: "mnist", perDigit: trainingMix(rare, share, total), test, seed, target: "self"};
}

/** "3 %", "0.5 %", "0 %": shares as the page prints them. */
export function formatShare(share: number): string {
  const percent = 100 * share;
  return `${percent >= 1 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}
