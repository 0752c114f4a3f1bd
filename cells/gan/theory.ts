// Lesson 7's theory on a 1-D grid, in plain numbers: for fixed densities p_data and p_g, the best
// discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)), the value V(D*, G) it reaches, and the
// Jensen–Shannon divergence, with V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g) (Goodfellow et al. 2014).

export interface Mixture {
  /** Centres of equally weighted Gaussians. */
  means: number[];
  sigma: number;
}

export function gaussian(x: number, mean: number, sigma: number): number {
  return Math.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
}

export function mixtureDensity(m: Mixture, x: number): number {
  let p = 0;
  for (const mean of m.means) p += gaussian(x, mean, m.sigma);
  return p / m.means.length;
}

/** A grid of `count` points from `from` to `to`, ends included. */
export function grid1d(from: number, to: number, count: number): number[] {
  return Array.from({length: count}, (_, i) => from + ((to - from) * i) / (count - 1));
}

/** The best discriminator for fixed densities: where both vanish it is undefined (NaN). */
export function optimalD(pData: number, pG: number): number {
  return pData + pG > 0 ? pData / (pData + pG) : NaN;
}

export interface Game {
  xs: number[];
  pData: number[];
  pG: number[];
  dStar: number[];
  /** V(D*, G) = ∫ p_data log D* + p_g log(1 − D*) dx, in nats. */
  value: number;
  /** JSD(p_data ‖ p_g) in nats, between 0 and log 2. */
  jsd: number;
}

/** The game at the optimum of D, by the trapezoid rule on a fine grid (x log x → 0 at 0). */
export function solveGame(data: Mixture, generator: Mixture, options: {from?: number; to?: number; count?: number} = {}): Game {
  const {from = -6, to = 6, count = 1201} = options;
  const xs = grid1d(from, to, count);
  const pData = xs.map((x) => mixtureDensity(data, x)), pG = xs.map((x) => mixtureDensity(generator, x));
  const dStar = xs.map((_, i) => optimalD(pData[i]!, pG[i]!));
  const xlogy = (a: number, b: number) => (a > 0 ? a * Math.log(b) : 0);
  const h = (to - from) / (count - 1);
  let value = 0, jsd = 0;
  for (let i = 0; i < count; i++) {
    const w = i === 0 || i === count - 1 ? h / 2 : h;
    const pd = pData[i]!, pg = pG[i]!, mid = (pd + pg) / 2;
    if (pd + pg === 0) continue;
    value += w * (xlogy(pd, pd / (pd + pg)) + xlogy(pg, pg / (pd + pg)));
    jsd += w * 0.5 * (xlogy(pd, pd / mid) + xlogy(pg, pg / mid));
  }
  return {xs, pData, pG, dStar, value, jsd};
}

/** The two generator losses as functions of D(G(z)) = d, and their slopes with respect to D's logit a
 *  (d = sigmoid(a)): minimax log(1 − d), slope −d; non-saturating −log d, slope −(1 − d). */
export function generatorLossCurves(d: number): {minimax: number; nonSaturating: number; minimaxSlope: number; nonSaturatingSlope: number} {
  return {minimax: Math.log(1 - d), nonSaturating: -Math.log(d), minimaxSlope: -d, nonSaturatingSlope: -(1 - d)};
}
