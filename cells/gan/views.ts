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

// ColorBrewer's PRGn (purple → white → green), eleven stops, for D(x) from 0 to 1.
const PRGN = ["#40004b", "#762a83", "#9970ab", "#c2a5cf", "#e7d4e8", "#f7f7f7", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837", "#00441b"].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

function prgn(v: number): number[] {
  const t = Math.min(1, Math.max(0, v)) * (PRGN.length - 1);
  const i = Math.min(PRGN.length - 2, Math.floor(t)), f = t - i;
  return PRGN[i]!.map((c, k) => c + f * (PRGN[i + 1]![k]! - c));
}

export interface LivePanel {
  element: HTMLElement;
  /** Redraws in place from a snapshot (undefined: before training); returns what it showed. */
  update(snapshot: {step: number; extras?: StepExtras} | undefined): string;
}

/** D(x) over the plane (green: "real", purple: "fake"), real points (dark) and G's points (orange).
 *  Made once; each snapshot redraws a canvas laid over Plot's axes, in place. Re-creating the
 *  figure (1,400 SVG circles, a few times a second) kept the page's main thread busy for seconds. */
export function planePanel({target, real, width, gridSize, extent}: Omit<PlaneOptions, "extras" | "step">): LivePanel {
  const size = Math.max(280, Math.min(width, 520));
  const m = {left: 44, right: 16, top: 16, bottom: 40};
  const axes = Plot.plot({
    width: size, height: size, marginLeft: m.left, marginRight: m.right, marginTop: m.top, marginBottom: m.bottom,
    style: STYLE,
    x: {domain: [-extent, extent], label: "x₁"},
    y: {domain: [-extent, extent], label: "x₂"},
    marks: [Plot.frame({stroke: "currentColor", strokeOpacity: 0.5})]
  }) as unknown as SVGSVGElement;
  axes.style.cssText = "display: block; width: 100%; height: auto;";
  axes.setAttribute("aria-hidden", "true");
  const inner = {w: size - m.left - m.right, h: size - m.top - m.bottom};
  const scale = Math.min(2, globalThis.devicePixelRatio || 1);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(inner.w * scale);
  canvas.height = Math.round(inner.h * scale);
  canvas.style.cssText = `position: absolute; left: ${(100 * m.left) / size}%; top: ${(100 * m.top) / size}%; width: ${(100 * inner.w) / size}%; height: ${(100 * inner.h) / size}%;`;
  const frame = document.createElement("div");
  frame.style.cssText = `position: relative; width: ${size}px; max-width: 100%; contain: layout paint;`;
  frame.setAttribute("role", "img");
  frame.append(axes, canvas);
  const legend = Plot.legend({color: {type: "linear", scheme: "PRGn", domain: [0, 1], label: "D(x), the discriminator's P(real)"}, marginLeft: 12, width: 280, style: STYLE}) as unknown as Element;
  const caption = document.createElement("figcaption");
  caption.style.cssText = "font-size: 0.85rem; margin-top: 0.25rem;";
  const element = document.createElement("figure");
  element.style.margin = "0";
  element.append(legend, frame, caption);
  const context = canvas.getContext("2d");
  const cells = document.createElement("canvas");
  cells.width = cells.height = gridSize;
  const cellsContext = cells.getContext("2d");

  const draw = (dGrid?: Float32Array, samples?: Float32Array) => {
    if (!context) return;
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (dGrid && cellsContext) {
      const image = cellsContext.createImageData(gridSize, gridSize);
      for (let i = 0; i < gridSize * gridSize; i++) {
        const [r, g, b] = prgn(dGrid[i]!);
        image.data.set([r!, g!, b!, 255], 4 * i);
      }
      cellsContext.putImageData(image, 0, 0);
      context.imageSmoothingEnabled = true;
      context.drawImage(cells, 0, 0, canvas.width, canvas.height);
    }
    const px = (x: number) => ((x + extent) / (2 * extent)) * canvas.width;
    const py = (y: number) => ((extent - y) / (2 * extent)) * canvas.height;
    const dots = (flat: Float32Array, limit: number, fill: string, stroke: string) => {
      context.fillStyle = fill;
      context.strokeStyle = stroke;
      context.lineWidth = 0.6 * scale;
      const r = 2.2 * scale;
      for (let i = 0; i < Math.min(limit, flat.length / 2); i++) {
        context.beginPath();
        context.arc(px(flat[2 * i]!), py(flat[2 * i + 1]!), r, 0, 2 * Math.PI);
        context.fill();
        context.stroke();
      }
    };
    dots(real, 400, REAL, "white");
    if (samples) dots(samples, 1000, FAKE, "#431407");
  };

  const update = (snapshot: {step: number; extras?: StepExtras} | undefined) => {
    const samples = snapshot?.extras?.samples as Float32Array | undefined;
    draw(snapshot?.extras?.dGrid as Float32Array | undefined, samples);
    const c = samples ? coverage(samples, target) : undefined;
    const state = c
      ? `At step ${snapshot!.step}: ${c.covered} of ${target.centres.length} modes covered, ${(100 * c.quality).toFixed(0)} % of generated points within 3σ of a centre, mean distance to the nearest centre ${meanDistanceToModes(samples!, target).toFixed(3)}. Points per mode: ${c.perMode.join(", ")}.`
      : "Before training: only the real points are shown.";
    frame.setAttribute("aria-label", `The plane from −${extent} to ${extent}: real points (dark), generated points (orange) and the discriminator's D(x) as colour. ${state}`);
    caption.textContent = `Dark dots: 400 real points. Orange: G(z) for 1,000 fixed noise vectors z. Colour: D(x), green where D says "real", purple where it says "fake", white at ½. ${state}`;
    return state;
  };
  update(undefined);
  return {element, update};
}

/** A box whose content is redrawn in place, with its layout kept inside it. */
export function livePanel(draw: (snapshot: unknown) => Element): LivePanel {
  const element = document.createElement("div");
  element.style.cssText = "contain: layout paint;";
  return {element, update(snapshot) {
    const content = draw(snapshot);
    element.replaceChildren(content);
    return content.textContent ?? "";
  }};
}

/** The 1-D game at the best discriminator: p_data, p_g and D*(x), with V(D*, G). */
export function gamePlot(game: Game, width: number): HTMLElement {
  const rows = game.xs.map((x, i) => ({x, pData: game.pData[i]!, pG: game.pG[i]!, dStar: game.dStar[i]!})).filter((r, i) => i % 4 === 0 && Math.abs(r.x) <= 4);
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
    color: {legend: true, domain: ["minimax: log(1 − D(G(z)))", "non-saturating: −log D(G(z))"], range: ["#8b5cf6", FAKE]},
    marks
  });
  const now = current !== undefined && Number.isFinite(current) ? ` The dashed line marks the run's latest mean D(G(z)) = ${current.toFixed(3)}.` : "";
  return figure(plot as Element, `The two generator losses against D(G(z)): near D = 0, log(1 − D) is nearly flat (slope −1), −log D is steep (slope −1/D).${now}`, `Near D(G(z)) = 0, where a poor generator starts, log(1 − D) is nearly flat (slope −1; per unit of D's logit, −D, which vanishes) and −log D is steep (slope −1/D; per unit of logit, −(1 − D), near −1).${now}`);
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
    marks: [Plot.lineY(grads, {x: "step", y: "loss", stroke: "#8b5cf6"}), rules, labels]
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
