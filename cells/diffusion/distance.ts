// How close generated points are to the data, with fixed recipes so numbers compare across runs.
import {RING, ringCentre} from "./data.js";

/** Projection directions of the sliced Wasserstein distance: K angles evenly spread over [0, π). */
export const SLICES = 64;

/** Sliced Wasserstein-1 distance between two equal-size 2-D point sets (flat [x, y, …]):
 *  the mean over 64 fixed directions θ_k = πk/64 of the 1-D Wasserstein-1 distance between the
 *  projections, which for equal sizes is the mean |a_(i) − b_(i)| of the sorted projections.
 *  In the data's units: 0 for identical sets. */
export function slicedWasserstein(a: Float32Array, b: Float32Array, slices = SLICES): number {
  const n = Math.min(a.length, b.length) / 2;
  if (!Number.isInteger(n) || n === 0) throw new Error("slicedWasserstein needs two non-empty 2-D point sets");
  const pa = new Float64Array(n), pb = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < slices; k++) {
    const c = Math.cos((Math.PI * k) / slices), s = Math.sin((Math.PI * k) / slices);
    for (let i = 0; i < n; i++) {
      pa[i] = c * a[2 * i]! + s * a[2 * i + 1]!;
      pb[i] = c * b[2 * i]! + s * b[2 * i + 1]!;
    }
    pa.sort();
    pb.sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.abs(pa[i]! - pb[i]!);
    total += sum / n;
  }
  return total / slices;
}

/** For the ring of 8 Gaussians: a sample belongs to a mode when it lies within 3σ (0.3) of that
 *  mode's centre; a mode is covered when it holds at least 2 % of the samples (a sixth of its
 *  fair 12.5 %). Returns the per-mode counts, the modes covered and the share within 3σ. */
export function ringModes(points: Float32Array): {counts: number[]; covered: number; within: number} {
  const n = points.length / 2, counts = new Array<number>(RING.modes).fill(0);
  const radius = 3 * RING.std;
  let within = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!, y = points[2 * i + 1]!;
    for (let k = 0; k < RING.modes; k++) {
      const [cx, cy] = ringCentre(k);
      if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) {
        counts[k]! += 1;
        within += 1;
        break;
      }
    }
  }
  return {counts, covered: counts.filter((c) => c >= 0.02 * n).length, within: within / n};
}
