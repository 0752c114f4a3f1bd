// Helpers the kernel tests share: seeded operands, and the error measure their tolerances use.
import {expect} from "vitest";
import {mulberry32} from "../../cells/data/random.js";

/** `count` values uniform in [−scale, scale) from a seed. */
export function seeded(count: number, seed: number, scale = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({length: count}, () => scale * (2 * random() - 1));
}

/** max |got − want| over max |want| (the plain difference when want is all zeros). */
export function relativeError(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
