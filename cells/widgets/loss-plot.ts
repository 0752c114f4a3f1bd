// Loss curves as a figure: each batch's loss as a faint dot, the epoch mean (what `fit` prints)
// as a line, the validation loss dashed, and a ✕ where a run blew up (NaN, or off the chart).
// A log y axis by default, since losses span decades; an aria-label that says what the curves
// do, and a caption. Colours hold 3:1 contrast on the light and the dark page alike.
import * as Plot from "@observablehq/plot";
import type {LossCurve} from "../losses/curves.js";

export const COLORS = {blue: "#3b82f6", green: "#15803d", orange: "#ea580c", red: "#dc2626", purple: "#9333ea", grey: "#6b7280"} as const;

export interface PlottedCurve {
  label: string;
  curve: LossCurve;
  color: string;
  /** Drawn thicker, on top. */
  emphasis?: boolean;
  /** Draw the per-batch losses as dots (default true). */
  steps?: boolean;
  /** Draw the validation loss (default: when the curve has one), dashed, in this colour (default: the curve's). */
  validation?: boolean;
  validationColor?: string;
  /** Give the curve a key in the legend (default true). */
  legend?: boolean;
}

export interface LossPlotOptions {
  width: number;
  height?: number;
  /** Read by screen readers in place of the picture; say what the curves do. */
  ariaLabel: string;
  caption?: string | Node;
  yLabel?: string;
  xLabel?: string;
  log?: boolean;
  /** Epochs on the x axis (default: the longest curve's). */
  epochs?: number;
  /** Values above this many times the largest starting loss count as "off the chart" (default 1e4). */
  ceiling?: number;
  /** Vertical markers, e.g. where validation turns up. */
  rules?: {epoch: number; label: string}[];
  /** Extra legend keys, e.g. one for a group of reference curves. */
  keys?: {color: string; label: string}[];
}

interface Point {
  x: number;
  y: number;
  series: string;
}

export function lossPlot(curves: PlottedCurve[], options: LossPlotOptions): HTMLElement {
  const {width, height = Math.max(200, Math.min(300, width * 0.55)), log = true} = options;
  const starts = curves.map((c) => c.curve.steps[0] ?? c.curve.epochs[0] ?? NaN).filter((y) => Number.isFinite(y) && (!log || y > 0));
  const ceiling = Math.max(...starts, 1e-12) * (options.ceiling ?? 1e4);
  const shown = (y: number | undefined): y is number => y !== undefined && Number.isFinite(y) && y <= ceiling && (!log || y > 0);
  const dots: Point[] = [], lines: Point[] = [], dashed: Point[] = [], bursts: Point[] = [], blowups: Point[] = [];
  for (const {label, curve, steps = true, validation, validationColor} of curves) {
    const per = curve.stepsPerEpoch;
    if (steps) curve.steps.forEach((y, i) => shown(y) && dots.push({x: (i + 1) / per, y, series: label}));
    if (shown(curve.steps[0])) lines.push({x: 0, y: curve.steps[0], series: label});
    curve.epochs.forEach((y, e) => shown(y) && lines.push({x: e + 1, y, series: label}));
    const broke = curve.steps.findIndex((y) => !shown(y));
    if (broke >= 0) {
      // The steps before the blow-up, joined to the ✕: the epoch mean would hide them.
      curve.steps.slice(0, broke).forEach((y, i) => bursts.push({x: (i + 1) / per, y, series: label}));
      bursts.push({x: (broke + 1) / per, y: ceiling, series: label});
      blowups.push({x: (broke + 1) / per, y: ceiling, series: label});
    }
    if (validation !== false) curve.validation.forEach((y, e) => shown(y) && dashed.push({x: e + 1, y, series: validationColor ? `${label} validation` : label}));
  }
  const validationKeys = curves.filter((c) => c.validationColor && c.validation !== false && c.curve.validation.length > 0);
  const domain = [...curves.map((c) => c.label), ...validationKeys.map((c) => `${c.label} validation`)];
  const range = [...curves.map((c) => c.color), ...validationKeys.map((c) => c.validationColor!)];
  const epochs = options.epochs ?? Math.max(1, ...curves.map((c) => Math.max(c.curve.epochs.length, c.curve.steps.length / c.curve.stepsPerEpoch)));
  const strong = new Set(curves.filter((c) => c.emphasis).map((c) => c.label));
  const ys = [...dots, ...lines, ...dashed, ...bursts].map((p) => p.y);
  const y = log ? logAxis(ys) : {};
  const svg = Plot.plot({
    width,
    height,
    marginLeft: 52,
    marginRight: 14,
    style: {background: "transparent", color: "currentColor", fontSize: "12px"},
    x: {label: options.xLabel ?? (width < 520 ? "epoch" : "epoch (passes over the training set)"), domain: [0, epochs], grid: true},
    y: {label: options.yLabel ?? "training loss (log scale)", type: log ? "log" : "linear", grid: true, ...y},
    color: {domain, range},
    ariaLabel: options.ariaLabel,
    marks: [
      Plot.dot(dots, {x: "x", y: "y", fill: "series", r: 1.2, fillOpacity: 0.3}),
      Plot.line(bursts, {x: "x", y: "y", z: "series", stroke: "series", strokeWidth: 1.5, strokeDasharray: "1 2"}),
      Plot.line(lines, {x: "x", y: "y", z: "series", stroke: "series", strokeWidth: (d: Point) => (strong.has(d.series) ? 3 : 1.8)}),
      Plot.line(dashed, {x: "x", y: "y", z: "series", stroke: "series", strokeWidth: 2, strokeDasharray: "5 3"}),
      ...(options.rules ?? []).map((r) => Plot.ruleX([r.epoch], {stroke: "currentColor", strokeOpacity: 0.6, strokeDasharray: "2 3"})),
      ...(options.rules ?? []).map((r) => Plot.text([r], {x: "epoch", frameAnchor: "top", dy: 4, dx: 4, textAnchor: "start", text: "label", fill: "currentColor"})),
      Plot.dot(blowups, {x: "x", y: "y", stroke: "series", symbol: "times", r: 6, strokeWidth: 2.5}),
      Plot.text(blowups, {x: "x", y: "y", text: () => "blew up", dx: 8, textAnchor: "start", fill: "series"})
    ]
  });
  const figure = document.createElement("figure");
  figure.className = "loss-plot";
  figure.style.margin = "0";
  figure.append(legend(curves.filter((c) => c.legend !== false), dashed.length > 0, options.keys ?? []), svg);
  if (options.caption !== undefined) {
    const caption = document.createElement("figcaption");
    caption.append(options.caption);
    caption.style.cssText = "font-size: 0.85rem; color: var(--fg-muted, #57606a); margin-top: 0.25rem;";
    figure.append(caption);
  }
  return figure;
}

/** A log axis at least one decade tall, labelled at 1, 2, 5 (or fewer) per decade, in plain numbers. */
function logAxis(values: number[]): {domain?: [number, number]; tickFormat: (d: number) => string} {
  const finite = values.filter((v) => v > 0 && Number.isFinite(v));
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (!finite.length) return {tickFormat: plain};
  if (hi / lo < 10) {
    const middle = Math.sqrt(lo * hi);
    [lo, hi] = [middle / Math.sqrt(10), middle * Math.sqrt(10)];
  }
  const decades = Math.log10(hi / lo);
  const keep = decades <= 2 ? [1, 2, 5] : decades <= 4 ? [1, 3] : [1];
  return {
    domain: [lo, hi],
    tickFormat: (d: number) => (keep.includes(Math.round(d / 10 ** Math.floor(Math.log10(d) + 1e-9))) ? plain(d) : "")
  };
}

function plain(d: number): string {
  const a = Math.abs(d);
  if (a === 0) return "0";
  return a >= 1e-3 && a < 1e4 ? String(+d.toPrecision(3)) : d.toExponential(0).replace("e+", "e");
}

/** Colour keys in HTML (they wrap on a phone, and screen readers skip them: the svg's label says it all). */
function legend(curves: PlottedCurve[], validation: boolean, extra: {color: string; label: string}[]): HTMLElement {
  const box = document.createElement("div");
  box.setAttribute("aria-hidden", "true");
  box.style.cssText = "display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; font-size: 0.8rem; margin-bottom: 0.2rem;";
  const key = (color: string, text: string, dashed = false) => {
    const item = document.createElement("span");
    item.style.cssText = "display: inline-flex; align-items: center; gap: 0.35rem;";
    const swatch = document.createElement("span");
    swatch.style.cssText = `display: inline-block; width: 1.4rem; border-top: 3px ${dashed ? "dashed" : "solid"} ${color};`;
    item.append(swatch, text);
    box.append(item);
  };
  for (const c of curves) key(c.color, c.label);
  for (const k of extra) key(k.color, k.label);
  const own = curves.filter((c) => c.validationColor && c.validation !== false && c.curve.validation.length > 0);
  for (const c of own) key(c.validationColor!, `${curves.length > 1 ? `${c.label} ` : ""}validation`, true);
  if (validation && own.length === 0) key("currentColor", "validation (dashed)", true);
  return box;
}

/** "goes from 0.52 to 0.016 …", "goes from 0.52 to NaN at step 4": a curve in words, for aria-labels. */
export function describeCurve(curve: LossCurve): string {
  const first = curve.steps[0] ?? curve.epochs[0];
  const broke = curve.steps.findIndex((y) => !Number.isFinite(y));
  if (broke >= 0) return `goes from ${fmt(first)} to ${curve.steps[broke]} at step ${broke + 1}`;
  const last = curve.epochs.at(-1);
  if (last === undefined) return `starts at ${fmt(first)}`;
  const low = Math.min(...curve.epochs), high = Math.max(...curve.epochs);
  return `goes from ${fmt(first)} to ${fmt(last)} over ${curve.epochs.length} epochs (lowest ${fmt(low)}, highest ${fmt(high)})`;
}

export function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 0.01 || abs >= 1e5) ? value.toExponential(1) : value.toPrecision(2);
}
