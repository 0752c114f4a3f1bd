import {beforeAll, describe, expect, test} from "vitest";
import {apportion, loadMnist, splitMnist, type MnistSet} from "../../cells/data/mnist.js";
import {parseMnist} from "../../cells/data/mnist-format.js";
import {convertMnist} from "../../cells/build/mnist.js";

const PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
let set: MnistSet;
beforeAll(async () => {
  set = await loadMnist();
});

const histogram = (labels: Uint8Array) => labels.reduce((h, l) => (h[l]!++, h), new Array<number>(10).fill(0));

describe("the LMN1 binary", () => {
  test("the build's bytes are the loader's: header, grouped pixels, labels", async () => {
    const bytes = await convertMnist();
    expect(bytes.byteLength).toBe(48 + 10_000 * 785);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("LMN1");
    const built = parseMnist(bytes);
    expect(built.countPerDigit).toEqual(PACKAGE_COUNTS);
    expect(Buffer.compare(built.images, set.images)).toBe(0);
    expect(Buffer.compare(built.labels, set.labels)).toBe(0);
    // labels follow the digit grouping
    expect(set.labels[set.firstOfDigit[5]!]).toBe(5);
    expect(set.labels[set.firstOfDigit[5]! - 1]).toBe(4);
  });

  test("pixels are round(v × 255) of the package's floats", async () => {
    const {mnistDigitsFolder} = await import("../../cells/build/mnist.js");
    const {readFile} = await import("node:fs/promises");
    const sevens = JSON.parse(await readFile(`${mnistDigitsFolder()}/7.json`, "utf8")).data as number[];
    const first = set.firstOfDigit[7]! * 784;
    for (const k of [0, 300, 407, 784 * 3 + 200, sevens.length - 1]) expect(set.images[first + k]).toBe(Math.round(sevens[k]! * 255));
  });

  test("a truncated or foreign file is refused with a reason", () => {
    const bytes = new Uint8Array(48 + 10 * 785);
    expect(() => parseMnist(bytes)).toThrow(/not a Lectern MNIST file/);
    bytes.set([76, 77, 78, 49]);
    new DataView(bytes.buffer).setUint32(4, 784, true);
    new DataView(bytes.buffer).setUint32(8, 11, true);
    expect(() => parseMnist(bytes)).toThrow(/header promises/);
  });

  test("loadMnist downloads once: later calls share the promise", () => {
    expect(loadMnist()).toBe(loadMnist());
  });
});

describe("splitMnist", () => {
  test("a balanced split has the asked sizes, equal classes, values in 0…1", () => {
    const {train, test} = splitMnist(set, {train: 1000, test: 200, seed: 1});
    expect(train.count).toBe(1000);
    expect(train.images.length).toBe(1000 * 784);
    expect(histogram(train.labels)).toEqual(new Array(10).fill(100));
    expect(histogram(test.labels)).toEqual(new Array(10).fill(20));
    expect(train.images.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(train.images.reduce((a, b) => Math.max(a, b))).toBe(1);
    // labels match the images they came from
    for (const row of [0, 17, 999]) expect(train.labels[row]).toBe(set.labels[train.indices[row]!]);
    expect(train.images[17 * 784 + 400]).toBeCloseTo(set.images[train.indices[17]! * 784 + 400]! / 255, 6);
  });

  test("sizes that do not divide by 10 still differ by at most one per class", () => {
    const h = histogram(splitMnist(set, {train: 1003, test: 7, seed: 2}).train.labels);
    expect(h.reduce((a, b) => a + b)).toBe(1003);
    expect(Math.max(...h) - Math.min(...h)).toBe(1);
  });

  test("train and test never overlap, and neither repeats a digit", () => {
    const {train, test} = splitMnist(set, {train: 8000, test: 630, seed: 3});
    const seen = new Set(train.indices);
    expect(seen.size).toBe(8000);
    expect(new Set(test.indices).size).toBe(630);
    for (const i of test.indices) expect(seen.has(i)).toBe(false);
  });

  test("the same seed gives the same split; another seed another", () => {
    const a = splitMnist(set, {train: 300, test: 100, seed: 42});
    const b = splitMnist(set, {train: 300, test: 100, seed: 42});
    const c = splitMnist(set, {train: 300, test: 100, seed: 43});
    expect(b.train.indices).toEqual(a.train.indices);
    expect(b.test.images).toEqual(a.test.images);
    expect(c.train.indices).not.toEqual(a.train.indices);
  });

  test("the test set stays the same when only the training size or mix changes", () => {
    const small = splitMnist(set, {train: 100, test: 100, seed: 5});
    const mixed = splitMnist(set, {train: 2000, test: 100, seed: 5, perDigit: [1, 1, 1, 1, 1, 0.05, 1, 1, 1, 1]});
    expect(mixed.test.indices).toEqual(small.test.indices);
  });

  test("a class-balanced split holds 863 digits per class (8,630); asking more is an error that says why", () => {
    const {train, test} = splitMnist(set, {train: 8000, test: 630});
    expect(train.count + test.count).toBe(8630);
    expect(histogram(train.labels)[5]! + histogram(test.labels)[5]!).toBe(863);
    expect(() => splitMnist(set, {train: 8010, test: 630})).toThrow(/needs 864 fives \(801 train \+ 63 test\), but the mnist package has only 863 fives\. .*at most 8,630/);
    expect(() => splitMnist(set, {train: 8000, test: 2000})).toThrow(/only 863 fives, 944 eights, 978 nines, 980 fours, 991 twos\./);
  });

  test("balanced: false uses every digit the package has, in its proportions", () => {
    const {train, test} = splitMnist(set, {train: 9000, test: 1000, balanced: false, seed: 6});
    const total = histogram(train.labels).map((n, d) => n + histogram(test.labels)[d]!);
    expect(total).toEqual(PACKAGE_COUNTS);
    expect(() => splitMnist(set, {train: 9001, test: 1000, balanced: false})).toThrow(/only/);
  });

  test("perDigit makes a deliberately unbalanced training mix with a balanced test set", () => {
    const shares = [1, 1, 1, 1, 1, 0.1, 1, 1, 1, 1];
    const {train, test} = splitMnist(set, {train: 1820, test: 200, perDigit: shares, seed: 7});
    expect(histogram(train.labels)).toEqual([200, 200, 200, 200, 200, 20, 200, 200, 200, 200]);
    expect(histogram(test.labels)).toEqual(new Array(10).fill(20));
    const counts = splitMnist(set, {test: 0, perDigit: [5, 0, 0, 3, 0, 0, 0, 0, 0, 0]});
    expect(histogram(counts.train.labels)).toEqual([5, 0, 0, 3, 0, 0, 0, 0, 0, 0]);
  });

  test("a subset of digits", () => {
    const {train, test} = splitMnist(set, {train: 300, test: 30, digits: [3, 8]});
    expect(histogram(train.labels)).toEqual([0, 0, 0, 150, 0, 0, 0, 0, 150, 0]);
    expect(histogram(test.labels)[3]).toBe(15);
  });

  test("nonsense options are refused with a message", () => {
    expect(() => splitMnist(set, {train: -1, test: 10})).toThrow(/train must be a whole number/);
    expect(() => splitMnist(set, {train: 10.5, test: 10})).toThrow(/whole number/);
    expect(() => splitMnist(set, {train: 10, test: 10, digits: [1, 1]})).toThrow(/distinct digits/);
    expect(() => splitMnist(set, {train: 10, test: 10, perDigit: [1, 2]})).toThrow(/10 non-negative/);
    expect(() => splitMnist(set, {train: 10, test: 10, digits: [1], perDigit: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]})).toThrow(/not in digits/);
  });
});

test("apportion keeps the total and follows the weights", () => {
  expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
  expect(apportion(7, [0, 1, 0])).toEqual([0, 7, 0]);
  expect(apportion(100, [3, 1])).toEqual([75, 25]);
  expect(() => apportion(5, [0, 0])).toThrow(/weight 0/);
});
