// MNIST digits for the lessons: one download per page (or worker), and seeded train/test splits.
// The file is the build's "LMN1" binary (layout in ./mnist-format.ts). The `mnist` package holds
// 10,000 digits but only 863 fives, so a class-balanced set holds at most 8,630; its own set()
// silently returns fewer digits than asked, so it is not used.
import {assetURL} from "../assets.js";
import {encodeMnist, parseMnist, type MnistSet} from "./mnist-format.js";
import {mulberry32, permutation, shuffleInPlace, subSeed} from "./random.js";

export type {MnistSet} from "./mnist-format.js";

export interface LoadProgress {
  what: string;
  loaded: number;
  /** Bytes expected, when the server says. */
  total?: number;
}

let cached: Promise<MnistSet> | undefined;
const listeners = new Set<(progress: LoadProgress) => void>();

/** Loads the digits once per page or worker; later calls share the same promise. */
export function loadMnist(options: {onProgress?: (progress: LoadProgress) => void} = {}): Promise<MnistSet> {
  const {onProgress} = options;
  if (onProgress) listeners.add(onProgress);
  cached ??= fetchOrRead().catch((error) => {
    cached = undefined; // let a later call retry a failed download
    throw error;
  });
  return onProgress ? cached.finally(() => listeners.delete(onProgress)) : cached;
}

async function fetchOrRead(): Promise<MnistSet> {
  const url = assetURL("mnist");
  if (url !== null) return parseMnist(await download(url));
  if (typeof process !== "undefined" && process.versions?.node) return parseMnist(await readPackageInNode());
  throw new Error("The MNIST digits are not available: this page was built without the mnist asset.");
}

async function download(url: URL): Promise<Uint8Array> {
  const what = "MNIST digits";
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the MNIST digits from ${url.pathname}: HTTP ${response.status}.`);
  const length = Number(response.headers.get("content-length"));
  const total = response.headers.get("content-encoding") || !length ? undefined : length;
  if (response.body === null || listeners.size === 0) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    for (const listener of listeners) listener({what, loaded, total});
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) bytes.set(chunk, (offset += chunk.byteLength) - chunk.byteLength);
  return bytes;
}

/** Node (unit tests): read the package's JSON and encode it exactly as the build does. */
async function readPackageInNode(): Promise<Uint8Array> {
  // Specifiers in variables keep browser bundlers from trying to resolve Node built-ins.
  const fsName = "node:fs/promises", moduleName = "node:module", pathName = "node:path";
  const [{readFile}, {createRequire}, path] = await Promise.all([import(/* @vite-ignore */ fsName), import(/* @vite-ignore */ moduleName), import(/* @vite-ignore */ pathName)]);
  const folder = path.join(path.dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
  const digits = await Promise.all(Array.from({length: 10}, async (_, d) => JSON.parse(await readFile(path.join(folder, `${d}.json`), "utf8")).data as number[]));
  return encodeMnist(digits);
}

export interface SplitOptions {
  /** Training digits; may be left out when `perDigit` gives counts. */
  train?: number;
  /** Test digits (class-balanced over `digits`, unless `balanced: false`). */
  test: number;
  /** Same seed, same split (default 0). */
  seed?: number;
  /** Which digits to use (default 0…9). */
  digits?: number[];
  /** false: draw from the pool in the package's proportions instead of equal counts per digit. */
  balanced?: boolean;
  /** The training mix, indexed by digit (10 numbers): shares of `train`, or counts when `train`
   *  is left out. The test set stays balanced, so per-digit errors compare fairly. */
  perDigit?: number[];
}

export interface DigitSet {
  /** count × 784 pixels in 0…1. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  /** Each digit's index in the MnistSet: no index is in both train and test. */
  indices: Uint32Array;
}

export interface MnistSplit {
  train: DigitSet;
  test: DigitSet;
}

/** Loads the digits (once) and splits them. */
export async function mnistSplit(options: SplitOptions): Promise<MnistSplit> {
  return splitMnist(await loadMnist(), options);
}

const DIGIT_NAMES = ["zeros", "ones", "twos", "threes", "fours", "fives", "sixes", "sevens", "eights", "nines"];

/** Seeded, reproducible, non-overlapping train/test sets drawn from `set`. */
export function splitMnist(set: MnistSet, options: SplitOptions): MnistSplit {
  const {test, seed = 0, balanced = true, perDigit} = options;
  const digits = options.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  checkDigits(digits);
  checkCount("test", test);
  if (perDigit !== undefined && (perDigit.length !== 10 || perDigit.some((w) => !(w >= 0) || !Number.isFinite(w)))) {
    throw new Error(`perDigit needs 10 non-negative numbers (one per digit 0…9), got [${perDigit.join(", ")}].`);
  }
  if (perDigit !== undefined && perDigit.some((w, d) => w > 0 && !digits.includes(d))) {
    throw new Error(`perDigit gives a share to a digit not in digits [${digits.join(", ")}].`);
  }
  const train = options.train ?? (perDigit ? perDigit.reduce((a, b) => a + b, 0) : undefined);
  if (train === undefined) throw new Error("Say how many training digits: train (or perDigit counts).");
  checkCount("train", train);

  const available = digits.map((d) => set.countPerDigit[d]!);
  const testCounts = balanced ? apportion(test, digits.map(() => 1)) : apportion(test, available);
  const trainCounts = perDigit
    ? apportion(train, digits.map((d) => perDigit[d]!))
    : balanced
      ? apportion(train, digits.map(() => 1))
      : apportion(train, available.map((n, i) => n - testCounts[i]!));
  const short = digits
    .map((d, i) => ({d, train: trainCounts[i]!, test: testCounts[i]!, have: available[i]!}))
    .filter(({train, test, have}) => train + test > have)
    .sort((a, b) => a.have - b.have);
  if (short.length > 0) {
    const needs = short.map(({d, train, test}) => `${(train + test).toLocaleString("en")} ${DIGIT_NAMES[d]} (${train} train + ${test} test)`);
    const has = short.map(({d, have}) => `${have} ${DIGIT_NAMES[d]}`);
    const fewest = Math.min(...available);
    const hint = balanced && !perDigit
      ? ` A class-balanced split over ${digits.length} digits holds at most ${(fewest * digits.length).toLocaleString("en")} (${fewest} per digit); ask for fewer, or pass balanced: false.`
      : " Ask for fewer.";
    throw new Error(`This split needs ${needs.join(", ")}, but the mnist package has only ${has.join(", ")}.${hint}`);
  }

  // Per digit: one seeded order; test takes its head, train what follows. The test set thus does
  // not change when only the training size or mix does, and the two never overlap.
  const testIndices: number[] = [], trainIndices: number[] = [];
  digits.forEach((d, i) => {
    const order = permutation(set.countPerDigit[d]!, mulberry32(subSeed(seed, d)));
    const first = set.firstOfDigit[d]!;
    for (let k = 0; k < testCounts[i]!; k++) testIndices.push(first + order[k]!);
    for (let k = testCounts[i]!; k < testCounts[i]! + trainCounts[i]!; k++) trainIndices.push(first + order[k]!);
  });
  return {
    train: gather(set, shuffleInPlace(Uint32Array.from(trainIndices), mulberry32(subSeed(seed, 100)))),
    test: gather(set, shuffleInPlace(Uint32Array.from(testIndices), mulberry32(subSeed(seed, 101))))
  };
}

function gather(set: MnistSet, indices: Uint32Array): DigitSet {
  const p = set.pixelsPerImage;
  const images = new Float32Array(indices.length * p);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, row) => {
    const source = set.images.subarray(index * p, (index + 1) * p);
    for (let k = 0; k < p; k++) images[row * p + k] = source[k]! / 255;
    labels[row] = set.labels[index]!;
  });
  return {images, labels, count: indices.length, indices};
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder, ties to the first). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  if (!(sum > 0)) throw new Error("Cannot share digits among classes that all have weight 0.");
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const left = total - parts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < left; k++) parts[order[k]![1]]! += 1;
  return parts;
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of digits ≥ 0, got ${n}.`);
}

function checkDigits(digits: number[]): void {
  if (digits.length === 0 || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9) || new Set(digits).size !== digits.length) {
    throw new Error(`digits must list distinct digits 0…9, got [${digits.join(", ")}].`);
  }
}
