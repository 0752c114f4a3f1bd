// Toy data sets for one neuron on the (x1, x2) plane, generated from a seed (nothing to download).
import {mulberry32} from "../data/random.js";

export interface PlaneData {
  /** n × 2, row-major: x1, x2 of each point. */
  points: Float32Array;
  /** 0 or 1 per point. */
  labels: Uint8Array;
  count: number;
}

/** Standard normal draws from a uniform PRNG (Box–Muller). */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Two round blobs, linearly separable by construction: a point that falls within `margin` of the
 * line halfway between the centres (or on the wrong side of it) is drawn again.
 */
export function blobs({perClass = 50, seed = 7, centers = [[-1, 1], [1.2, -0.6]], spread = 0.5, margin = 0.15}: {perClass?: number; seed?: number; centers?: [number[], number[]]; spread?: number; margin?: number} = {}): PlaneData {
  const random = mulberry32(seed);
  const normal = gaussian(random);
  const [c0, c1] = centers as [[number, number], [number, number]];
  // Signed distance to the perpendicular bisector of the two centres, positive on class 1's side.
  const dx = c1[0] - c0[0], dy = c1[1] - c0[1], norm = Math.hypot(dx, dy);
  const mx = (c0[0] + c1[0]) / 2, my = (c0[1] + c1[1]) / 2;
  const side = (x: number, y: number) => ((x - mx) * dx + (y - my) * dy) / norm;
  const points = new Float32Array(4 * perClass), labels = new Uint8Array(2 * perClass);
  for (let k = 0; k < 2 * perClass; k++) {
    const label = k % 2, [cx, cy] = label ? c1 : c0;
    let x: number, y: number;
    do {
      x = cx + spread * normal();
      y = cy + spread * normal();
    } while ((label ? side(x, y) : -side(x, y)) < margin);
    points[2 * k] = x;
    points[2 * k + 1] = y;
    labels[k] = label;
  }
  return {points, labels, count: 2 * perClass};
}

/**
 * XOR: four clusters at (±1, ±1); label 1 where x1 and x2 have opposite signs. Points are kept
 * at least `margin` from both axes, so each cluster stays in its own quadrant.
 */
export function xorData({perCorner = 25, seed = 11, spread = 0.3, margin = 0.2}: {perCorner?: number; seed?: number; spread?: number; margin?: number} = {}): PlaneData {
  const random = mulberry32(seed);
  const normal = gaussian(random);
  const corners = [[-1, -1], [-1, 1], [1, -1], [1, 1]] as const;
  const count = 4 * perCorner;
  const points = new Float32Array(2 * count), labels = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const [cx, cy] = corners[k % 4]!;
    let x: number, y: number;
    do {
      x = cx + spread * normal();
      y = cy + spread * normal();
    } while (x * cx < margin || y * cy < margin);
    points[2 * k] = x;
    points[2 * k + 1] = y;
    labels[k] = cx * cy < 0 ? 1 : 0;
  }
  return {points, labels, count};
}

/** The four corners of the truth table, as 0/1 inputs: the textbook XOR. */
export function xorTruthTable(): PlaneData {
  return {points: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), labels: Uint8Array.from([0, 1, 1, 0]), count: 4};
}

/** Share of points a threshold on the outputs classifies right: class 1 where output > threshold. */
export function accuracy(outputs: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) right += (outputs[i]! > threshold ? 1 : 0) === labels[i] ? 1 : 0;
  return labels.length ? right / labels.length : 0;
}

/**
 * The best accuracy any straight line (any single neuron with a monotone activation) can reach on
 * these points, found exactly: an optimal line can be moved until it passes through two points,
 * and the two points on it can then be put on either side. Assumes no three points are collinear
 * (true for random points). O(n³): fine for a few hundred points.
 */
export function bestLinearAccuracy({points, labels, count}: PlaneData): number {
  const ones = labels.reduce((s, l) => s + l, 0);
  let best = Math.max(ones, count - ones);
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const xi = points[2 * i]!, yi = points[2 * i + 1]!, xj = points[2 * j]!, yj = points[2 * j + 1]!;
      const nx = yj - yi, ny = xi - xj; // normal to the line through i and j
      let right = 0; // class 1 on the positive side
      let others = 0;
      for (let k = 0; k < count; k++) {
        if (k === i || k === j) continue;
        others++;
        const s = (points[2 * k]! - xi) * nx + (points[2 * k + 1]! - yi) * ny;
        if ((s > 0 ? 1 : 0) === labels[k]) right++;
      }
      best = Math.max(best, right + 2, others - right + 2);
    }
  }
  return best / count;
}
