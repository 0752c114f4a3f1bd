// The DDPM noise schedule (Ho, Jain & Abbeel 2020): β_t linear from β_1 to β_T, α_t = 1 − β_t,
// ᾱ_t = α_1 α_2 ⋯ α_t. Timesteps count from 1 to T as in the paper; arrays are indexed t − 1.
// Plain numbers, no tfjs: the page draws the forward process with them, the step trains with them.

export interface Schedule {
  T: number;
  beta: Float64Array;
  alpha: Float64Array;
  alphaBar: Float64Array;
}

export const SCHEDULE_DEFAULTS = {T: 1000, betaStart: 1e-4, betaEnd: 0.02};

/** β_t = β_1 + (β_T − β_1)(t − 1)/(T − 1), and the products ᾱ_t, for t = 1…T. */
export function linearSchedule(T = SCHEDULE_DEFAULTS.T, betaStart = SCHEDULE_DEFAULTS.betaStart, betaEnd = SCHEDULE_DEFAULTS.betaEnd): Schedule {
  const beta = new Float64Array(T), alpha = new Float64Array(T), alphaBar = new Float64Array(T);
  let product = 1;
  for (let i = 0; i < T; i++) {
    beta[i] = T === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * i) / (T - 1);
    alpha[i] = 1 - beta[i]!;
    product *= alpha[i]!;
    alphaBar[i] = product;
  }
  return {T, beta, alpha, alphaBar};
}

/** ᾱ_t for t in 0…T (ᾱ_0 = 1: no noise yet). */
export function alphaBarAt(s: Schedule, t: number): number {
  return t <= 0 ? 1 : s.alphaBar[Math.min(t, s.T) - 1]!;
}

/** One draw of q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) for every point (flat [x, y, x, y, …]),
 *  with the standard normal draws given: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε. */
export function noisePoints(s: Schedule, x0: Float32Array, t: number, eps: Float32Array): Float32Array {
  const ab = alphaBarAt(s, t), a = Math.sqrt(ab), b = Math.sqrt(1 - ab);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i]! + b * eps[i]!;
  return out;
}

/** The coefficients of one DDPM reverse step at t (Ho et al. 2020, Algorithm 2):
 *  x_{t−1} = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t) · ε_θ) + σ_t z, with σ_t² = β_t and no noise at t = 1. */
export function reverseCoefficients(s: Schedule, t: number): {scale: number; epsScale: number; sigma: number} {
  const beta = s.beta[t - 1]!, alpha = s.alpha[t - 1]!, alphaBar = s.alphaBar[t - 1]!;
  return {scale: 1 / Math.sqrt(alpha), epsScale: beta / Math.sqrt(1 - alphaBar), sigma: t > 1 ? Math.sqrt(beta) : 0};
}
