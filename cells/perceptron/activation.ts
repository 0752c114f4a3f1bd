// The activation functions a neuron can use, as plain JavaScript: the formula the lesson prints,
// used to check tfjs (the tfjs op the live model runs is applyActivation, in ./network.ts). No
// tfjs here, so the lesson's first screen (its sliders and diagram) loads without it.

export type ActivationName = "step" | "sigmoid" | "tanh" | "relu" | "linear";

export interface Activation {
  name: ActivationName;
  /** What the lesson's menu shows. */
  label: string;
  /** The formula in TeX, for the page. */
  tex: string;
  /** The range of outputs, for a plot's colour scale. */
  range: [number, number];
  /** f(z) in plain JavaScript. */
  f(z: number): number;
}

export const ACTIVATIONS: readonly Activation[] = [
  {name: "step", label: "step (Rosenblatt's perceptron)", tex: "f(z) = 1 \\text{ if } z > 0 \\text{ else } 0", range: [0, 1], f: (z) => (z > 0 ? 1 : 0)},
  {name: "sigmoid", label: "sigmoid", tex: "f(z) = 1 / (1 + e^{-z})", range: [0, 1], f: (z) => 1 / (1 + Math.exp(-z))},
  {name: "tanh", label: "tanh", tex: "f(z) = \\tanh z", range: [-1, 1], f: Math.tanh},
  {name: "relu", label: "ReLU", tex: "f(z) = \\max(0, z)", range: [0, Infinity], f: (z) => Math.max(0, z)},
  {name: "linear", label: "linear (none)", tex: "f(z) = z", range: [-Infinity, Infinity], f: (z) => z}
];

export function activationOf(name: ActivationName): Activation {
  const found = ACTIVATIONS.find((a) => a.name === name);
  if (!found) throw new Error(`Unknown activation \`${name}\`: use one of ${ACTIVATIONS.map((a) => a.name).join(", ")}.`);
  return found;
}
