// Reconstruction errors computed in plain JavaScript on the page (no tfjs on the main thread):
// MSE and binary cross-entropy per pixel, with tfjs's clipping, per image and per class; and the
// floors a student should compare with: the mean image, and a perfect copy under BCE.

/** tfjs clips predictions to [ε, 1 − ε] in binaryCrossentropy (ε = 1e-7). */
export const BCE_EPSILON = 1e-7;

/** mean over pixels of (x − y)². */
export function mse(x: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (x[i]! - y[i]!) ** 2;
  return sum / (to - from);
}

/** mean over pixels of −[x log p + (1 − x) log(1 − p)], p clipped as tfjs does. */
export function bce(x: ArrayLike<number>, p: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const q = Math.min(1 - BCE_EPSILON, Math.max(BCE_EPSILON, p[i]!));
    sum -= x[i]! * Math.log(q) + (1 - x[i]!) * Math.log(1 - q);
  }
  return sum / (to - from);
}

/** The pixel-wise mean of `count` images of `pixels` values. */
export function meanImage(images: ArrayLike<number>, pixels = 784): Float32Array {
  const count = images.length / pixels;
  const mean = new Float32Array(pixels);
  for (let k = 0; k < count; k++) for (let i = 0; i < pixels; i++) mean[i]! += images[k * pixels + i]! / count;
  return mean;
}

export interface Floors {
  /** MSE of predicting the mean training image for every test digit. */
  meanMse: number;
  /** BCE of the same. */
  meanBce: number;
  /** BCE of a perfect copy: grey pixels (0 < x < 1) cost −[x log x + (1 − x) log(1 − x)] > 0. */
  perfectBce: number;
}

/** The floors, on test images, with the mean image taken from the training images. */
export function floors(train: ArrayLike<number>, test: ArrayLike<number>, pixels = 784): Floors {
  const mean = meanImage(train, pixels);
  const count = test.length / pixels;
  let meanMse = 0, meanBce = 0;
  for (let k = 0; k < count; k++) {
    const x = Array.prototype.slice.call(test, k * pixels, (k + 1) * pixels) as number[];
    meanMse += mse(x, mean) / count;
    meanBce += bce(x, mean) / count;
  }
  return {meanMse, meanBce, perfectBce: bce(test, test)};
}

/** Mean MSE and BCE of reconstructions against originals (both count × pixels). */
export function reconstructionErrors(originals: ArrayLike<number>, outputs: ArrayLike<number>): {mse: number; bce: number} {
  return {mse: mse(originals, outputs), bce: bce(originals, outputs)};
}

/** Mean per-pixel MSE for each digit class 0…9 (NaN for a class with no image). */
export function perClassMse(originals: ArrayLike<number>, outputs: ArrayLike<number>, labels: ArrayLike<number>, pixels = 784): number[] {
  const sum = new Array<number>(10).fill(0), count = new Array<number>(10).fill(0);
  for (let k = 0; k < labels.length; k++) {
    sum[labels[k]!]! += mse(originals, outputs, k * pixels, (k + 1) * pixels);
    count[labels[k]!]! += 1;
  }
  return sum.map((s, d) => (count[d] ? s / count[d]! : NaN));
}

/** Share of codes whose nearest class centroid (in the latent space) is their own class. */
export function nearestCentroidAccuracy(codes: ArrayLike<number>, labels: ArrayLike<number>, size: number): number {
  const centroid = Array.from({length: 10}, () => new Float64Array(size));
  const n = new Array<number>(10).fill(0);
  for (let k = 0; k < labels.length; k++) {
    n[labels[k]!]! += 1;
    for (let j = 0; j < size; j++) centroid[labels[k]!]![j]! += codes[k * size + j]!;
  }
  centroid.forEach((c, d) => c.forEach((v, j) => (c[j] = n[d] ? v / n[d]! : NaN)));
  let right = 0;
  for (let k = 0; k < labels.length; k++) {
    let best = -1, bestDistance = Infinity;
    for (let d = 0; d < 10; d++) {
      if (!n[d]) continue;
      let distance = 0;
      for (let j = 0; j < size; j++) distance += (codes[k * size + j]! - centroid[d]![j]!) ** 2;
      if (distance < bestDistance) (bestDistance = distance), (best = d);
    }
    if (best === labels[k]) right += 1;
  }
  return right / labels.length;
}
