// Lesson 7's pictures: the plane (D(x) as a heatmap, real and generated points), the 1-D game at
// D*, the two generator losses against D(G(z)), and the training dynamics. Each figure has a
// caption and an aria-label that state the latest values.
import * as Plot from "@observablehq/plot";
import type {StepExtras} from "../train/step.js";
import type {LossPoint} from "../train/client.js";
import {coverage, meanDistanceToModes, type Target} from "./data.js";
import {generatorLossCurves, type Game} from "./theory.js";

const STYLE = {background: "transparent", color: "currentColor", fontSize: "12px"};
// Points must read on the heatmap in both themes: fixed colours with a contrasting ring.
const REAL = "#111827", FAKE = "#f97316";

function figure(plot: Element, label: string, caption: string): HTMLElement {
  plot.setAttribute("aria-label", label);
  plot.setAttribute("role", "img");
  const f = document.createElement("figure");
  f.style.margin = "0";
  const c = document.createElement("figcaption");
  c.textContent = caption;
  c.style.cssText = "font-size: 0.85rem; margin-top: 0.25rem;";
  f.append(plot, c);
  return f;
}

export interface PlaneOptions {
  extras: StepExtras | undefined;
  target: Target;
  real: Float32Array;
  step: number;
  width: number;
  gridSize: number;
  extent: number;
}

/** D(x) over the plane (green: "real", purple: "fake"), real points (dark) and G's points (orange). */
export function planePlot({extras, target, real, step, width, gridSize, extent}: PlaneOptions): HTMLElement {
  const size = Math.max(280, Math.min(width, 520));
  const marks: Plot.Markish[] = [];
  const dGrid = extras?.dGrid as Float32Array | undefined;
  if (dGrid) marks.push(Plot.raster(dGrid, {width: gridSize, height: gridSize, x1: -extent, x2: extent, y1: extent, y2: -extent, fill: (d: number) => d}));
  const rows = (flat: Float32Array, limit: number) => Array.from({length: Math.min(limit, flat.length / 2)}, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as [number, number]);
  marks.push(Plot.dot(rows(real, 400), {x: "0", y: "1", r: 2, fill: REAL, stroke: "white", strokeWidth: 0.5}));
  const samples = extras?.samples as Float32Array | undefined;
  if (samples) marks.push(Plot.dot(rows(samples, 1000), {x: "0", y: "1", r: 2, fill: FAKE, stroke: "#431407", strokeWidth: 0.4}));
  const plot = Plot.plot({
    width: size, height: size, marginLeft: 44, marginBottom: 40,
    style: STYLE,
    x: {domain: [-extent, extent], label: "x₁"},
    y: {domain: [-extent, extent], label: "x₂"},
    color: {type: "linear", scheme: "PRGn", domain: [0, 1], legend: true, label: "D(x), the discriminator's P(real)"},
    marks
  });
  const c = samples ? coverage(samples, target) : undefined;
  const dist = samples ? meanDistanceToModes(samples, target) : undefined;
  const state = c
    ? `At step ${step}: ${c.covered} of ${target.centres.length} modes covered, ${(100 * c.quality).toFixed(0)} % of generated points within 3σ of a centre, mean distance to the nearest centre ${dist!.toFixed(3)}.`
    : "Before training: only the real points are shown.";
  return figure(
    plot as Element,
    `The plane from −${extent} to ${extent}: real points (dark), generated points (orange) and the discriminator's D(x) as colour. ${state}`,
    `Dark dots: 400 real points. Orange: G(z) for 1,000 fixed noise vectors z. Colour: D(x), green where D says "real", purple where it says "fake", white at ½. ${state}`
  );
}

/** The 1-D game at the best discriminator: p_data, p_g and D*(x), with V(D*, G). */
export function gamePlot(game: Game, width: number): HTMLElement {
  const rows = game.xs.map((x, i) => ({x, pData: game.pData[i]!, pG: game.pG[i]!, dStar: game.dStar[i]!})).filter((_, i) => i % 4 === 0);
  const top = Math.max(...game.pData, ...game.pG);
  const plot = Plot.plot({
    width: Math.max(280, Math.min(width, 640)), height: 260, marginLeft: 48,
    style: STYLE,
    x: {label: "x", domain: [-4, 4]},
    y: {label: "density, and D*(x) scaled to the same height", domain: [0, top * 1.05], grid: true, tickFormat: "~g"},
    color: {legend: true, domain: ["p_data(x)", "p_g(x)", "D*(x) (0 to 1)"], range: ["#2563eb", FAKE, "#16a34a"]},
    marks: [
      Plot.areaY(rows, {x: "x", y: "pData", fill: "#2563eb", fillOpacity: 0.15}),
      Plot.lineY(rows, {x: "x", y: "pData", stroke: () => "p_data(x)", strokeWidth: 2}),
      Plot.lineY(rows, {x: "x", y: "pG", stroke: () => "p_g(x)", strokeWidth: 2}),
      Plot.lineY(rows.filter((r) => Number.isFinite(r.dStar) && r.pData + r.pG > 1e-4), {x: "x", y: (r: {dStar: number}) => r.dStar * top, stroke: () => "D*(x) (0 to 1)", strokeWidth: 2, strokeDasharray: "6 3"}),
      Plot.ruleY([top / 2], {stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "2 3"})
    ]
  });
  const text = `V(D*, G) = ${game.value.toFixed(3)} nats; −log 4 = ${(-Math.log(4)).toFixed(3)}; JSD(p_data ‖ p_g) = ${game.jsd.toFixed(3)} nats.`;
  return figure(plot as Element, `Densities p_data (blue) and p_g (orange) on x from −4 to 4, with the best discriminator D*(x) dashed. ${text}`, `The dashed curve is D*(x) = p_data/(p_data + p_g), drawn so that 1 reaches the top of the plot; the dotted line is D* = ½. ${text}`);
}

/** The two generator losses against D(G(z)) (left), with the latest mean D(G(z)) marked. */
export function lossCurvesPlot(width: number, current?: number): HTMLElement {
  const ds = Array.from({length: 199}, (_, i) => (i + 1) / 200);
  const rows = ds.flatMap((d) => {
    const c = generatorLossCurves(d);
    return [{d, loss: c.minimax, kind: "minimax: log(1 − D(G(z)))"}, {d, loss: c.nonSaturating, kind: "non-saturating: −log D(G(z))"}];
  });
  const marks: Plot.Markish[] = [Plot.lineY(rows, {x: "d", y: "loss", stroke: "kind", strokeWidth: 2}), Plot.ruleY([0], {stroke: "currentColor", strokeOpacity: 0.4})];
  if (current !== undefined && Number.isFinite(current)) marks.push(Plot.ruleX([current], {stroke: "currentColor", strokeDasharray: "4 3"}), Plot.text([current], {x: (d: number) => d, y: 4.5, text: () => `now ${current.toFixed(2)}`, dx: 4, textAnchor: "start", fill: "currentColor"}));
  const plot = Plot.plot({
    width: Math.max(280, Math.min(width, 560)), height: 240, marginLeft: 48,
    style: STYLE,
    x: {label: "D(G(z)): how real D finds a fake", domain: [0, 1]},
    y: {label: "generator loss (nats)", domain: [-5.5, 5.5], grid: true},
    color: {legend: true, domain: ["minimax: log(1 − D(G(z)))", "non-saturating: −log D(G(z))"], range: ["#7c3aed", FAKE]},
    marks
  });
  const now = current !== undefined && Number.isFinite(current) ? ` The dashed line marks the run's latest mean D(G(z)) = ${current.toFixed(3)}.` : "";
  return figure(plot as Element, `The two generator losses against D(G(z)): log(1 − D) is flat near D = 0, −log D is steep there.${now}`, `Near D(G(z)) = 0, where a poor generator starts, log(1 − D) is flat (slope −D per unit of D's logit) and −log D is steep (slope −(1 − D)).${now}`);
}

export interface Dynamics {
  dReal?: LossPoint[];
  dFake?: LossPoint[];
  gradG?: LossPoint[];
}

/** D(x) on real points and on fakes over training, and the generator's gradient norm (log scale). */
export function dynamicsPlots(h: Dynamics, width: number, switches: {step: number; label: string}[]): HTMLElement {
  const w = Math.max(280, Math.min(width, 640));
  const rules = Plot.ruleX(switches, {x: "step", stroke: "currentColor", strokeDasharray: "3 3"});
  const labels = Plot.text(switches, {x: "step", text: "label", frameAnchor: "top", dx: 3, textAnchor: "start", fill: "currentColor"});
  const probs = [...(h.dReal ?? []).map((p) => ({...p, set: "mean D(x), real points"})), ...(h.dFake ?? []).map((p) => ({...p, set: "mean D(G(z)), fakes"}))];
  const top = Plot.plot({
    width: w, height: 200, marginLeft: 48,
    style: STYLE,
    x: {label: "training step", grid: true},
    y: {label: "D's output", domain: [0, 1], grid: true},
    color: {legend: true, domain: ["mean D(x), real points", "mean D(G(z)), fakes"], range: ["#2563eb", FAKE]},
    marks: [Plot.ruleY([0.5], {stroke: "currentColor", strokeOpacity: 0.5}), Plot.lineY(probs, {x: "step", y: "loss", stroke: "set"}), rules, labels]
  });
  const grads = (h.gradG ?? []).filter((p) => p.loss > 0);
  const bottom = Plot.plot({
    width: w, height: 200, marginLeft: 56,
    style: STYLE,
    x: {label: "training step", grid: true},
    y: {label: "‖∇ generator loss‖", type: "log", grid: true, tickFormat: "~g"},
    marks: [Plot.lineY(grads, {x: "step", y: "loss", stroke: "#7c3aed"}), rules, labels]
  });
  const last = (s?: LossPoint[]) => s?.at(-1)?.loss;
  const text = h.dReal?.length ? `Latest: mean D(x) = ${last(h.dReal)!.toFixed(3)}, mean D(G(z)) = ${last(h.dFake)!.toFixed(3)}, generator gradient norm ${last(h.gradG)!.toExponential(2)}.` : "No training yet.";
  const box = document.createElement("figure");
  box.style.margin = "0";
  top.setAttribute("aria-label", `Mean D on real points and on fakes against training step. ${text}`);
  bottom.setAttribute("aria-label", `Norm of the generator's gradient against training step, log scale. ${text}`);
  const caption = document.createElement("figcaption");
  caption.style.cssText = "font-size: 0.85rem; margin-top: 0.25rem;";
  caption.textContent = `Top: what D says about real points and about fakes (½: it cannot tell). Bottom: the size of the gradient the generator learns from. Dashed lines: when you changed the generator's loss or froze it. ${text}`;
  box.append(top as Element, bottom as Element, caption);
  return box;
}
