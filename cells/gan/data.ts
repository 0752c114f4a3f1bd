// Lesson 7's data and yardsticks, in plain numbers (no tfjs): the ring of 8 Gaussians (Metz et
// al. 2017's test of mode collapse), other 2-D targets, and the fixed rule that counts modes.
import {mulberry32} from "../data/random.js";

export type TargetName = "ring" | "grid" | "line";

export interface Target {
  name: TargetName;
  /** Centres of the modes, each an isotropic Gaussian with standard deviation `sigma`. */
  centres: [number, number][];
  sigma: number;
}

/** The ring: 8 Gaussians, centres evenly spaced on a circle of radius 2, σ = 0.1 (neighbouring
 *  centres 1.53 apart, over 15σ: the modes never touch). */
export function ring(count = 8, radius = 2, sigma = 0.1): Target {
  return {name: "ring", sigma, centres: Array.from({length: count}, (_, k) => [radius * Math.cos((2 * Math.PI * k) / count), radius * Math.sin((2 * Math.PI * k) / count)] as [number, number])};
}

/** A 3 × 3 grid of Gaussians, spacing 1.5 (σ = 0.1). */
export function grid(sigma = 0.1): Target {
  const centres: [number, number][] = [];
  for (const x of [-1.5, 0, 1.5]) for (const y of [-1.5, 0, 1.5]) centres.push([x, y]);
  return {name: "grid", sigma, centres};
}

/** Two Gaussians on a line, one of the easiest targets (σ = 0.1). */
export function line(sigma = 0.1): Target {
  return {name: "line", sigma, centres: [[-1.5, 0], [1.5, 0]]};
}

export const TARGETS: Record<TargetName, () => Target> = {ring: () => ring(), grid: () => grid(), line: () => line()};

/** `count` points from the mixture (modes in turn, so each gets an equal share), flattened x, y, x, y… */
export function sampleTarget(target: Target, count: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const [cx, cy] = target.centres[i % target.centres.length]!;
    // Box–Muller: two uniforms → two independent standard normals.
    const u = Math.max(random(), 1e-12), v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[2 * i] = cx + target.sigma * r * Math.cos(2 * Math.PI * v);
    out[2 * i + 1] = cy + target.sigma * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

export interface Coverage {
  /** Modes with at least `minShare` of the samples within 3σ of their centre. */
  covered: number;
  /** Samples within 3σ of each mode's centre. */
  perMode: number[];
  /** Share of all samples within 3σ of some centre ("high-quality" samples). */
  quality: number;
}

/** The fixed rule: a sample counts for the mode whose centre is within 3σ of it; a mode is
 *  covered when it holds at least `minShare` (default 2 %, a sixth of a fair 1/8 share) of the samples. */
export function coverage(samples: Float32Array | number[], target: Target, minShare = 0.02): Coverage {
  const n = samples.length / 2;
  const radius2 = (3 * target.sigma) ** 2;
  const perMode = target.centres.map(() => 0);
  let good = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[2 * i]!, y = samples[2 * i + 1]!;
    for (let k = 0; k < target.centres.length; k++) {
      const [cx, cy] = target.centres[k]!;
      if ((x - cx) ** 2 + (y - cy) ** 2 <= radius2) {
        perMode[k]! += 1;
        good += 1;
        break;
      }
    }
  }
  return {covered: perMode.filter((c) => c >= minShare * n).length, perMode, quality: n ? good / n : 0};
}

/** Mean distance from each sample to the nearest mode centre: falls as G's points reach the data. */
export function meanDistanceToModes(samples: Float32Array | number[], target: Target): number {
  const n = samples.length / 2;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (const [cx, cy] of target.centres) best = Math.min(best, Math.hypot(samples[2 * i]! - cx, samples[2 * i + 1]! - cy));
    total += best;
  }
  return n ? total / n : NaN;
}

/** The target's density at (x, y). */
export function density(target: Target, x: number, y: number): number {
  const s2 = target.sigma ** 2;
  let p = 0;
  for (const [cx, cy] of target.centres) p += Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s2));
  return p / (target.centres.length * 2 * Math.PI * s2);
}
