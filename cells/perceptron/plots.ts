// The lesson's pictures of the (x1, x2) plane: a network's output as a coloured surface, its
// boundaries, and the data; plus the activation curve and the training history. Plot figures
// with titled axes and an aria-label each.
import * as Plot from "@observablehq/plot";
import {activationOf, type ActivationName} from "./activation.js";
import {forward, type Network} from "./network.js";
import type {PlaneData} from "./data.js";
import type {TrainSnapshot} from "./train.js";

export const EXTENT = 3;

/** Pixel centres of an n × n raster over [−e, e]², top row first (as Plot.raster draws with y1 = e). */
export function planeGrid(n = 64, extent = EXTENT): Float32Array {
  const points = new Float32Array(2 * n * n), step = (2 * extent) / n;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      points[2 * (r * n + c)] = -extent + (c + 0.5) * step;
      points[2 * (r * n + c) + 1] = extent - (r + 0.5) * step;
    }
  }
  return points;
}

/** Where z = w1 x1 + w2 x2 + b = 0 crosses the square [−e, e]²: the neuron's boundary, as a segment. */
export function boundarySegment(w1: number, w2: number, b: number, extent = EXTENT): [number, number][] | null {
  const hits: [number, number][] = [];
  const push = (x: number, y: number) => {
    if (Math.abs(x) <= extent + 1e-9 && Math.abs(y) <= extent + 1e-9 && !hits.some(([u, v]) => Math.hypot(u - x, v - y) < 1e-9)) hits.push([x, y]);
  };
  if (Math.abs(w2) > 1e-12) for (const x of [-extent, extent]) push(x, -(b + w1 * x) / w2);
  if (Math.abs(w1) > 1e-12) for (const y of [-extent, extent]) push(-(b + w2 * y) / w1, y);
  return hits.length >= 2 ? [hits[0]!, hits[1]!] : null;
}

/**
 * Where a sampled surface crosses `threshold` (marching squares on planeGrid's pixel centres),
 * as line segments [x1, y1, x2, y2]: the curved decision boundary of a network.
 */
export function contourSegments(values: ArrayLike<number>, n: number, threshold: number, extent = EXTENT): [number, number, number, number][] {
  const step = (2 * extent) / n;
  const x = (c: number) => -extent + (c + 0.5) * step;
  const y = (r: number) => extent - (r + 0.5) * step;
  const segments: [number, number, number, number][] = [];
  for (let r = 0; r + 1 < n; r++) {
    for (let c = 0; c + 1 < n; c++) {
      // Corners in order around the cell: top-left, top-right, bottom-right, bottom-left.
      const corners: [number, number, number][] = [
        [x(c), y(r), values[r * n + c]!], [x(c + 1), y(r), values[r * n + c + 1]!],
        [x(c + 1), y(r + 1), values[(r + 1) * n + c + 1]!], [x(c), y(r + 1), values[(r + 1) * n + c]!]
      ];
      const crossings: [number, number][] = [];
      for (let k = 0; k < 4; k++) {
        const [xa, ya, va] = corners[k]!, [xb, yb, vb] = corners[(k + 1) % 4]!;
        if ((va > threshold) !== (vb > threshold)) {
          const t = (threshold - va) / (vb - va);
          crossings.push([xa + t * (xb - xa), ya + t * (yb - ya)]);
        }
      }
      // Two crossings: one segment; four (a saddle): pair them in order around the cell.
      for (let k = 0; k + 1 < crossings.length; k += 2) segments.push([...crossings[k]!, ...crossings[k + 1]!]);
    }
  }
  return segments;
}

export interface PlaneOptions {
  network: Network;
  /** Values of the network on planeGrid(n), if already computed (else computed here with tfjs). */
  values?: Float32Array;
  n?: number;
  data?: PlaneData;
  /** Draw each first-layer neuron's boundary line, labelled (for a layer of perceptrons). */
  hiddenLines?: boolean;
  width?: number;
  /** What the colour means, for the legend. */
  label?: string;
  /** Text alternative for the figure. */
  description?: string;
}

/** Colour domain for an activation's outputs: its range where bounded, else the values seen. */
function colourDomain(name: ActivationName, values: Float32Array): [number, number] {
  const [lo, hi] = activationOf(name).range;
  if (Number.isFinite(lo) && Number.isFinite(hi)) return [lo, hi];
  let max = 0, min = 0;
  for (const v of values) (max = Math.max(max, v)), (min = Math.min(min, v));
  if (name === "relu") return [0, Math.max(1, max)];
  const m = Math.max(1, Math.abs(min), Math.abs(max));
  return [-m, m];
}

/** The output surface over the plane, the decision boundary (output neuron's z = 0) and the data. */
export function planePlot({network, values, n = 64, data, hiddenLines = false, width = 480, label, description}: PlaneOptions): SVGSVGElement | HTMLElement {
  const surface = values ?? forward(network, planeGrid(n));
  // The line z = 0 is black on the light surface in either theme, so it must not use currentColor.
  const out = network.at(-1)!;
  const size = Math.max(260, Math.min(width, 520));
  const marks: Plot.Markish[] = [
    Plot.raster(surface, {width: n, height: n, x1: -EXTENT, x2: EXTENT, y1: EXTENT, y2: -EXTENT, imageRendering: out.activation === "step" ? "pixelated" : "auto"})
  ];
  if (network.length === 1) {
    const layer = network[0]!;
    const segment = boundarySegment(layer.weights[0]![0]!, layer.weights[1]![0]!, layer.biases[0]!);
    if (segment) marks.push(Plot.line(segment, {stroke: "black", strokeWidth: 2.5}));
  } else {
    // The output's boundary is curved now: where the output crosses its threshold (σ(z) = 0.5 ⇔ z = 0).
    marks.push(Plot.link(contourSegments(surface, n, thresholdOf(out.activation)), {x1: "0", y1: "1", x2: "2", y2: "3", stroke: "black", strokeWidth: 2.5}));
  }
  if (hiddenLines && network.length > 1) {
    const first = network[0]!;
    first.biases.forEach((bias, j) => {
      const segment = boundarySegment(first.weights[0]![j]!, first.weights[1]![j]!, bias);
      if (!segment) return;
      marks.push(Plot.line(segment, {stroke: "black", strokeDasharray: "6 4", strokeWidth: 1.5}));
      const [[xa, ya], [xb, yb]] = segment;
      // Label each line near the end that is higher up, inside the frame.
      const [lx, ly] = ya > yb ? [xa + 0.07 * (xb - xa), ya + 0.07 * (yb - ya)] : [xb + 0.07 * (xa - xb), yb + 0.07 * (ya - yb)];
      marks.push(Plot.text([[lx, ly]], {text: () => `h${"₁₂₃₄₅₆₇₈₉"[j]}`, dx: 12, fontSize: 15, fontWeight: "bold", fill: "black", stroke: "white", strokeWidth: 4}));
    });
  }
  if (data) {
    const rows = Array.from({length: data.count}, (_, k) => ({x1: data.points[2 * k]!, x2: data.points[2 * k + 1]!, label: data.labels[k] ? "class 1" : "class 0"}));
    marks.push(Plot.dot(rows, {x: "x1", y: "x2", symbol: "label", fill: (d: {label: string}) => (d.label === "class 1" ? "#1e1b4b" : "white"), stroke: (d: {label: string}) => (d.label === "class 1" ? "white" : "#431407"), strokeWidth: 1.2, r: 4.5}));
  }
  const figure = Plot.plot({
    width: size,
    height: size,
    marginLeft: 48,
    marginBottom: 44,
    style: {background: "transparent", fontSize: "12px"},
    x: {domain: [-EXTENT, EXTENT], label: "x₁ (first input, no units) →", labelAnchor: "center", labelArrow: "none"},
    y: {domain: [-EXTENT, EXTENT], label: "↑ x₂ (second input, no units)", labelArrow: "none"},
    // Light ends so the dark circles and the white squares of the data stand out on both.
    color: {type: "linear", range: ["#e8974d", "#f7f7f7", "#8f7fc7"], interpolate: "rgb", domain: middled(colourDomain(out.activation, surface)), legend: true, label: label ?? `output ŷ = ${out.activation === "linear" ? "z" : `${out.activation}(z)`}`},
    symbol: {domain: ["class 0", "class 1"], range: ["square", "circle"], legend: !!data},
    marks
  });
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", description ?? "The neuron's output over the plane of inputs, with its decision boundary.");
  return figure;
}

/** A three-stop domain for the three-colour range: low, middle, high. */
function middled([lo, hi]: [number, number]): [number, number, number] {
  return [lo, (lo + hi) / 2, hi];
}

function thresholdOf(name: ActivationName): number {
  return name === "tanh" || name === "linear" ? 0 : name === "relu" ? 1e-6 : 0.5;
}

/** f(z) for z in [−4, 4], with the current value marked. */
export function activationPlot(name: ActivationName, {z, width = 300}: {z?: number; width?: number} = {}): SVGSVGElement | HTMLElement {
  const f = activationOf(name).f;
  const zs = Array.from({length: 161}, (_, i) => -4 + i / 20);
  const figure = Plot.plot({
    width: Math.min(width, 320),
    height: 180,
    marginLeft: 44,
    marginBottom: 38,
    style: {background: "transparent", fontSize: "12px"},
    x: {domain: [-4, 4], label: "z = w·x + b (no units)", labelAnchor: "center", labelArrow: "none"},
    y: {label: "f(z)", labelArrow: "none", domain: name === "relu" || name === "linear" ? [-1, 4] : name === "tanh" ? [-1.1, 1.1] : [-0.1, 1.1]},
    marks: [
      Plot.ruleY([0], {stroke: "currentColor", strokeOpacity: 0.3}),
      Plot.ruleX([0], {stroke: "currentColor", strokeOpacity: 0.3}),
      Plot.line(zs, {x: (z: number) => z, y: (z: number) => f(z), stroke: "#3b82f6", strokeWidth: 2.5, curve: name === "step" ? "step" : "linear"}),
      ...(z !== undefined && Math.abs(z) <= 4 ? [Plot.dot([z], {x: (v: number) => v, y: (v: number) => f(v), fill: "currentColor", r: 5})] : [])
    ]
  });
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", `The ${name} activation f(z) for z from −4 to 4${z !== undefined ? `, with the neuron's current z = ${z.toFixed(2)} marked` : ""}.`);
  return figure;
}

/** Loss and accuracy over the epochs of a run. */
export function historyPlot(history: TrainSnapshot[], {width = 480, description}: {width?: number; description?: string} = {}): SVGSVGElement | HTMLElement {
  const rows = history.flatMap((s) => [
    {epoch: s.epoch, value: s.loss, what: "loss (logistic, nats)"},
    {epoch: s.epoch, value: s.accuracy, what: "accuracy (share right)"}
  ]);
  const last = history.at(-1);
  const figure = Plot.plot({
    width: Math.min(width, 560),
    height: 200,
    marginLeft: 44,
    marginBottom: 38,
    style: {background: "transparent", fontSize: "12px"},
    x: {label: "epoch (passes over the data)", labelAnchor: "center", labelArrow: "none", domain: [0, Math.max(5, last?.epoch ?? 0)]},
    y: {label: "loss (nats) · accuracy", labelArrow: "none", domain: [0, Math.max(1, ...history.map((s) => s.loss))]},
    color: {domain: ["loss (logistic, nats)", "accuracy (share right)"], range: ["#ea580c", "#3b82f6"], legend: true},
    marks: [
      Plot.ruleY([0, 0.75, 1], {stroke: "currentColor", strokeOpacity: 0.15}),
      Plot.line(rows, {x: "epoch", y: "value", stroke: "what", strokeWidth: 2, marker: history.length < 30 ? "dot" : undefined})
    ]
  });
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", description ?? (last ? `Training so far: after ${last.epoch} epochs the loss is ${last.loss.toFixed(3)} and the accuracy ${(100 * last.accuracy).toFixed(0)} %.` : "Training has not started."));
  return figure;
}
