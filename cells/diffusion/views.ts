// The diffusion lesson's pictures and its reverse-process scrubber: plain DOM and Observable Plot.
import * as Plot from "@observablehq/plot";
import {alphaBarAt, type Schedule} from "./schedule.js";

const EXTENT = 3.2;
const DATA_COLOUR = "#888888";
const POINT_COLOUR = "#d62728";

/** A 2-D point cloud (flat [x, y, …]) over the data in grey, as a labelled figure. */
export function pointCloud(points: Float32Array, options: {data?: Float32Array; label: string; caption: string; width: number; extent?: number; colour?: string}): HTMLElement {
  const extent = options.extent ?? EXTENT;
  const rows = (flat: Float32Array) => Array.from({length: flat.length / 2}, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as [number, number]);
  const size = Math.min(options.width, 420);
  const plot = Plot.plot({
    width: size, height: size, marginLeft: 40, marginBottom: 36,
    style: {background: "transparent", color: "currentColor"},
    x: {domain: [-extent, extent], label: "x₁ (data units)", grid: true},
    y: {domain: [-extent, extent], label: "x₂ (data units)", grid: true},
    marks: [
      ...(options.data ? [Plot.dot(rows(options.data), {x: "0", y: "1", r: 1.2, fill: DATA_COLOUR, fillOpacity: 0.5})] : []),
      Plot.dot(rows(points), {x: "0", y: "1", r: 1.6, fill: options.colour ?? POINT_COLOUR, fillOpacity: 0.75, clip: true})
    ]
  }) as HTMLElement;
  plot.setAttribute("role", "img");
  plot.setAttribute("aria-label", options.label);
  const figure = document.createElement("figure");
  figure.className = "diffusion-figure";
  const caption = document.createElement("figcaption");
  caption.textContent = options.caption;
  figure.append(plot, caption);
  return figure;
}

/** ᾱ_t against t (log scale), with the current t marked. */
export function alphaBarPlot(s: Schedule, t: number, width: number): HTMLElement {
  const rows = Array.from({length: s.T + 1}, (_, u) => ({t: u, a: alphaBarAt(s, u)}));
  const now = alphaBarAt(s, t);
  const plot = Plot.plot({
    width: Math.min(width, 420), height: 220, marginLeft: 56, marginBottom: 36,
    style: {background: "transparent", color: "currentColor"},
    x: {label: "t, forward step", domain: [0, s.T], grid: true},
    y: {type: "log", label: "ᾱ_t (log scale)", domain: [1e-5, 1], grid: true, tickFormat: (d: number) => (d === 1 ? "1" : `1e${Math.round(Math.log10(d))}`)},
    marks: [
      Plot.line(rows, {x: "t", y: "a", stroke: "#1f77b4", strokeWidth: 2}),
      Plot.ruleX([t], {stroke: POINT_COLOUR, strokeDasharray: "4 3"}),
      Plot.dot([{t, a: now}], {x: "t", y: "a", fill: POINT_COLOUR, r: 5})
    ]
  }) as HTMLElement;
  plot.setAttribute("role", "img");
  plot.setAttribute("aria-label", `ᾱ_t falls from 1 at t = 0 to ${alphaBarAt(s, s.T).toExponential(1)} at t = ${s.T}; at t = ${t} it is ${formatAlphaBar(now)}.`);
  return plot;
}

export function formatAlphaBar(a: number): string {
  return a >= 0.01 ? a.toFixed(3) : a.toExponential(2);
}

export type ScrubberElement = HTMLElement & {value: number};

/** The reverse process's clock: a slider over t (T down to 0, in steps of `step`) and a button that
 *  plays it from T to 0 in about four seconds. Its value is t; it fires "input" as t changes. */
export function reverseScrubber(options: {T: number; step: number; value?: number}): ScrubberElement {
  const root = document.createElement("div") as unknown as ScrubberElement;
  root.className = "diffusion-scrubber";
  const label = document.createElement("label");
  const range = document.createElement("input");
  range.type = "range";
  range.min = "0";
  range.max = String(options.T);
  range.step = String(options.step);
  range.value = String(options.value ?? 0);
  // Left is noise (t = T), right is data (t = 0): the slider runs the way the sampler does.
  range.style.direction = "rtl";
  const output = document.createElement("output");
  label.append("t in the reverse process (T = noise → 0 = data) ", range, " ", output);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Play the reverse process";
  let timer: ReturnType<typeof setInterval> | undefined;
  const set = (t: number) => {
    range.value = String(t);
    root.value = t;
    output.textContent = `t = ${t}`;
    root.dispatchEvent(new Event("input", {bubbles: true}));
  };
  range.addEventListener("input", (event) => {
    event.stopPropagation();
    if (timer) stop();
    set(Number(range.value));
  });
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    button.textContent = "Play the reverse process";
  };
  button.addEventListener("click", () => {
    if (timer) return stop();
    let t = options.T;
    set(t);
    button.textContent = "Stop";
    timer = setInterval(() => {
      if (!root.isConnected) return stop(); // the cell re-ran: this scrubber is gone
      t = Math.max(0, t - options.step);
      set(t);
      if (t === 0) stop();
    }, 4000 / (options.T / options.step));
  });
  root.append(label, " ", button);
  root.value = Number(range.value);
  output.textContent = `t = ${root.value}`;
  return root;
}
