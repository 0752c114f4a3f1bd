// The sequence task's plots: the data with the RNN's one-step-ahead predictions over the test
// stretch, and the test loss against the two references that frame it (always predicting the
// mean; the noise floor σ²). Each is a <figure> whose label and caption state the latest numbers.
import * as Plot from "@observablehq/plot";
import {mse, type WindowSet} from "./sequence.js";

const figure = (plot: Element, sentence: string) => {
  const f = document.createElement("figure");
  f.style.margin = "0.5rem 0 1rem";
  plot.setAttribute("role", "img");
  plot.setAttribute("aria-label", sentence);
  const caption = document.createElement("figcaption");
  caption.style.cssText = "font-size: 0.85rem; color: var(--fg-muted);";
  caption.textContent = sentence;
  f.append(plot, caption);
  return f;
};

const BLUE = "#2563eb", ORANGE = "#c2410c";

export type PredictionFigure = HTMLElement & {update(run: {predictions?: Float32Array; step?: number} | undefined): void};

/** The last 220 values of the series (dots), drawn once per task; `update` redraws only the
 *  predictions for the test stretch (one path) and the text, so a snapshot costs the page little. */
export function predictionFigure({task, width = 720}: {task: WindowSet; width?: number}): PredictionFigure {
  const from = Math.max(0, task.series.length - 220);
  const data = Array.from(task.series.subarray(from), (v, i) => ({t: from + i, v}));
  const split = task.testTimes[0]!;
  const top = Math.max(...data.map((d) => d.v)), bottom = Math.min(...data.map((d) => d.v));
  const pad = 0.1 * (top - bottom);
  const plot = Plot.plot({
    width: Math.min(width, 720), height: 260, marginLeft: 48,
    x: {label: "time step t"},
    y: {label: "value s(t)", grid: true, domain: [bottom - pad, top + pad]},
    color: {legend: true, domain: ["data (noisy)", "RNN's prediction of s(t) from the W values before it"], range: ["currentColor", ORANGE]},
    marks: [
      Plot.ruleX([split - 0.5], {stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "4 3"}),
      Plot.text([{t: split, label: "test →"}], {x: "t", y: () => top + pad / 2, text: "label", textAnchor: "start", dx: 4, fill: "currentColor"}),
      Plot.dot(data, {x: "t", y: "v", r: 2, fill: "currentColor", fillOpacity: 0.55})
    ]
  }) as unknown as HTMLElement & {scale(name: string): {apply(v: number): number}};
  const svg = (plot.tagName.toLowerCase() === "svg" ? plot : plot.querySelector(":scope > svg")) as SVGSVGElement;
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", ORANGE);
  path.setAttribute("stroke-width", "2.5");
  path.setAttribute("class", "rnn-predictions");
  svg.append(path);
  const x = plot.scale("x"), y = plot.scale("y");
  const f = figure(plot, "") as PredictionFigure;
  const caption = f.querySelector("figcaption")!;
  f.update = (run) => {
    const predictions = run?.predictions;
    path.setAttribute("d", predictions ? task.testTimes.map((t, k) => `${k ? "L" : "M"}${x.apply(t).toFixed(1)},${y.apply(predictions[k]!).toFixed(1)}`).join("") : "");
    const sentence = predictions
      ? `After ${run!.step} training steps the RNN's one-step-ahead predictions on the ${task.testTimes.length} test steps (t ≥ ${split}, never trained on) have MSE ${mse(predictions, task.testY).toFixed(4)}; always predicting the training mean gives ${task.meanBaseline.toFixed(3)}, and the noise alone costs σ² = ${task.noiseFloor.toFixed(4)}.`
      : `The series (dots) from t = ${from}, σ = ${Math.sqrt(task.noiseFloor).toFixed(2)}: the training stretch ends at t = ${split - 1}, and always predicting the training mean would score MSE ${task.meanBaseline.toFixed(3)} on the test stretch; press Play below to train the RNN and draw its predictions there.`;
    plot.setAttribute("aria-label", sentence);
    caption.textContent = sentence;
  };
  f.update(undefined);
  return f;
}

export type LossFigure = HTMLElement & {update(history: {step: number; loss: number}[] | undefined): void};

/** Test MSE over the run (log scale) with the predict-the-mean baseline and the noise floor. The
 *  plot sits in a box of fixed size (CSS containment), so redrawing it never re-lays the page out;
 *  `update` redraws only when a new test loss has come. */
export function lossFigure({task, width = 720}: {task: WindowSet; width?: number}): LossFigure {
  const w = Math.min(width, 720), h = 220;
  const box = document.createElement("div");
  box.style.cssText = `width: ${w}px; max-width: 100%; height: ${h}px; contain: strict;`;
  const f = figure(box, "") as LossFigure;
  const caption = f.querySelector("figcaption")!;
  const refs = [{name: "predict the mean", v: task.meanBaseline}, ...(task.noiseFloor > 0 ? [{name: "noise floor σ²", v: task.noiseFloor}] : [])];
  let drawnLength = -1;
  f.update = (history = []) => {
    const last = history.at(-1);
    if (history.length === drawnLength) return; // a snapshot without a new test loss
    drawnLength = history.length;
    const sentence = last
      ? `Test MSE ${last.loss.toFixed(4)} at step ${last.step}: ${(task.meanBaseline / last.loss).toFixed(1)} times lower than predicting the mean (${task.meanBaseline.toFixed(3)}), ${task.noiseFloor > 0 ? `${(last.loss / task.noiseFloor).toFixed(2)} times the noise floor σ² = ${task.noiseFloor.toFixed(4)}` : "with no noise, so no floor above 0"}.`
      : `No training yet. References: predicting the mean scores ${task.meanBaseline.toFixed(3)}, the noise floor σ² is ${task.noiseFloor.toFixed(4)}.`;
    box.replaceChildren(Plot.plot({
      width: w, height: h, marginLeft: 56,
      x: {label: "training step", domain: [0, Math.max(10, last?.step ?? 10)]},
      y: {type: "log", label: "test MSE (log scale)", grid: true, tickFormat: "~g"},
      marks: [
        Plot.ruleY(refs, {y: "v", stroke: "currentColor", strokeOpacity: 0.6, strokeDasharray: "5 3"}),
        Plot.text(refs, {x: 0, y: "v", text: "name", textAnchor: "start", dy: -7, fill: "currentColor"}),
        Plot.line(history, {x: "step", y: "loss", stroke: BLUE, strokeWidth: 2.5}),
        Plot.dot(history.slice(-1), {x: "step", y: "loss", fill: BLUE, r: 4})
      ]
    }));
    box.setAttribute("aria-label", sentence);
    caption.textContent = sentence;
  };
  f.update([]);
  return f;
}
