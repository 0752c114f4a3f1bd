// The 2-D data the diffusion lesson learns: toy distributions generated in code, seeded.
import {mulberry32} from "../data/random.js";

export type Toy = "ring" | "moons" | "spiral";

export const TOYS: Record<Toy, string> = {
  ring: "ring of 8 Gaussians",
  moons: "two moons",
  spiral: "spiral"
};

/** Ring of 8 Gaussians: radius 2, standard deviation 0.1 around each centre. */
export const RING = {modes: 8, radius: 2, std: 0.1};

/** A standard normal draw from a uniform PRNG (Box–Muller). */
export function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - random(), v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** `count` standard normal numbers, seeded. */
export function normals(count: number, seed: number): Float32Array {
  const g = gaussian(mulberry32(seed));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = g();
  return out;
}

/** Centre of the ring's k-th mode. */
export function ringCentre(k: number): [number, number] {
  const angle = (2 * Math.PI * k) / RING.modes;
  return [RING.radius * Math.cos(angle), RING.radius * Math.sin(angle)];
}

/** `count` points of the chosen toy distribution, flat [x, y, x, y, …], spread over about [−2, 2]². */
export function toyPoints(toy: Toy, count: number, seed: number): Float32Array {
  const random = mulberry32(seed), g = gaussian(mulberry32(seed ^ 0x5bd1e995));
  const out = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    let x: number, y: number;
    if (toy === "ring") {
      const [cx, cy] = ringCentre(i % RING.modes);
      x = cx + RING.std * g();
      y = cy + RING.std * g();
    } else if (toy === "moons") {
      const a = Math.PI * random();
      const upper = i % 2 === 0;
      x = upper ? Math.cos(a) : 1 - Math.cos(a);
      y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
      // centre the pair on the origin and scale to about [−2, 2]
      x = 1.6 * (x - 0.5) + 0.08 * g();
      y = 1.6 * (y - 0.25) + 0.08 * g();
    } else {
      const s = Math.sqrt(random());
      const a = 3 * Math.PI * s;
      const r = 0.3 + 1.7 * s;
      x = r * Math.cos(a) + 0.06 * g();
      y = r * Math.sin(a) + 0.06 * g();
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}
