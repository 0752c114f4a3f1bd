// Numerics for the vanishing-gradients lesson, on the tfjs cpu backend: tfjs's gradients through
// time equal the product of Jacobians diag(f′)·Whh written out by hand, and the lesson's numbers
// (tanh, T = 50: ρ = 0.9 decays by about 12 orders of magnitude, ρ = 3 grows) hold.
import {beforeAll, describe, expect, test} from "vitest";
import {tf} from "../../cells/tf/tfjs.js";
import {ACTIVATIONS, jacobianNorms, orthogonal, ordersOfMagnitude, rnnWeights, tfjsNorms} from "../../cells/rnn/gradients.js";
import {mulberry32} from "../../cells/data/random.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const relError = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / b[i]!));

describe("gradients through time", () => {
  test("the random recurrent matrix is orthogonal, so ρ·Q has spectral radius and norm ρ", () => {
    const n = 8, q = orthogonal(n, mulberry32(3));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += q[k * n + i]! * q[k * n + j]!;
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
    }
  });

  for (const activation of ACTIVATIONS) {
    test(`${activation}: tfjs's ‖∂L/∂h(T−k)‖ equals the product of Jacobians ∏ diag(f′)·Whh`, () => {
      const w = rnnWeights({rho: 1.2, T: 20, seed: 5});
      const fromTf = tfjsNorms(w, activation), byHand = jacobianNorms(w, activation);
      expect(fromTf).toHaveLength(20);
      expect(relError(fromTf, byHand)).toBeLessThan(1e-3);
    });
  }

  test("linear activation: the norm is exactly ρᵏ‖Why‖ (every singular value of Whh is ρ)", () => {
    const w = rnnWeights({rho: 0.8, T: 30});
    const norms = tfjsNorms(w, "linear");
    norms.forEach((g, k) => expect(g / norms[0]!).toBeCloseTo(0.8 ** k, 5));
  });

  test("tanh, T = 50, ρ = 0.9: the gradient decays by about 12 orders of magnitude", () => {
    const norms = tfjsNorms(rnnWeights({rho: 0.9}), "tanh");
    const orders = ordersOfMagnitude(norms);
    expect(orders).toBeLessThan(-11);
    expect(orders).toBeGreaterThan(-14);
    expect(relError(norms, jacobianNorms(rnnWeights({rho: 0.9}), "tanh"))).toBeLessThan(1e-3);
  });

  test("tanh, T = 50, ρ = 3: the gradient grows (explodes) by orders of magnitude", () => {
    const w = rnnWeights({rho: 3});
    const orders = ordersOfMagnitude(tfjsNorms(w, "tanh"));
    expect(orders).toBeGreaterThan(3);
    // float32 rounding is amplified by the exploding product; float64 by hand agrees to a few %.
    expect(orders).toBeCloseTo(ordersOfMagnitude(jacobianNorms(w, "tanh")), 1);
  });

  test("tanh, T = 50: above 1 is not enough to explode — ρ = 1.5 still vanishes (about 3 orders), ρ = 2.2 grows (the lesson says so)", () => {
    const at = (rho: number) => ordersOfMagnitude(jacobianNorms(rnnWeights({rho}), "tanh"));
    expect(at(1.5)).toBeLessThan(-2);
    expect(at(1.5)).toBeGreaterThan(-4);
    expect(at(2.2)).toBeGreaterThan(0);
  });

  test("no tensor is left behind", () => {
    const before = tf.memory().numTensors;
    tfjsNorms(rnnWeights({rho: 1}), "relu");
    expect(tf.memory().numTensors).toBe(before);
  });
});
