// The training control every lesson shares: play/pause, one step, reset, speed, seed, a step
// counter with steps per second, and a live loss plot with a log-scale switch. Plain DOM.
// The element's `.value` is the newest snapshot and it fires "input" on each one, so in a
// notebook `const snap = view(trainer({run: (s) => train(model, {...options, ...s})}))` works.
// Nothing trains until Play or Step (unless autoplay); a reset with the same seed replays the run.
import * as Plot from "@observablehq/plot";
import type {SavedProgress, TrainingRun, TrainingSnapshot} from "../train/client.js";
import {yieldToEventLoop} from "../train/yield.js";
import {forgetRun, loadRun, saveRun, savedRunKey} from "./saved-runs.js";

/** What the widget passes to the run factory: spread it into train()'s options. */
export interface RunSettings {
  seed: number;
  startPaused: boolean;
  stepsPerSecond: number | null;
  onProgress: (progress: {what: string; loaded: number; total?: number}) => void;
  /** A saved run to continue (present after "Continue that run"): train() takes it as is. */
  resume?: SavedProgress;
}

export interface TrainerOptions {
  /** Starts a run with these settings (called on first Play/Step, and after each reset). */
  run: (settings: RunSettings) => TrainingRun;
  seed?: number;
  /** Start training as soon as the widget is shown. */
  autoplay?: boolean;
  /** Stops and frees the run when it resolves (Observable's `invalidation`). */
  invalidation?: Promise<unknown>;
  /** What the y axis measures, e.g. "MSE per pixel". */
  lossLabel?: string;
  /** Named losses to plot as separate curves, name → legend label, e.g. for a VAE
   *  {loss: "−ELBO", recon: "reconstruction", kl: "KL"} (default: `loss` alone, as "training"). */
  losses?: Record<string, string>;
  logScale?: boolean;
  /** Whether the legend names validation curves (false for runs that never validate). Default true. */
  showValidation?: boolean;
  width?: number;
  /** Names the control group for assistive technology. */
  label?: string;
  /** Keep the run's weights and loss history in this browser under this name (unique on the page),
   *  saved on Pause and every few seconds while training; after a reload the widget offers
   *  "Continue that run" or "Start over". */
  save?: string;
}

export type TrainerElement = HTMLElement & {value: TrainingSnapshot | undefined; run: TrainingRun | undefined};

const SPEEDS: [string, number | null][] = [["as fast as it goes", null], ["100 steps/s", 100], ["10 steps/s", 10], ["1 step/s", 1]];

export function trainer(options: TrainerOptions): TrainerElement {
  const root = document.createElement("div") as unknown as TrainerElement;
  root.className = "lectern-trainer";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", options.label ?? "Training controls");
  root.value = undefined;
  root.run = undefined;
  root.innerHTML = `<style>${STYLE}</style>
    <div class="lt-controls">
      <button type="button" class="lt-play" aria-label="Play">${ICONS.play}</button>
      <button type="button" class="lt-step" aria-label="Train one step">${ICONS.step}</button>
      <button type="button" class="lt-reset" aria-label="Reset to the initial weights">${ICONS.reset}</button>
      <label>Speed <select class="lt-speed">${SPEEDS.map(([label], i) => `<option value="${i}">${label}</option>`).join("")}</select></label>
      <label>Seed <input class="lt-seed" type="number" step="1" min="0" value="${options.seed ?? 0}"></label>
      <label><input class="lt-log" type="checkbox"${options.logScale ? " checked" : ""}> Log scale</label>
    </div>
    <output class="lt-counter" aria-live="off">step 0</output>
    <div class="lt-plot"></div>
    <p class="lt-status" aria-live="polite"></p>
    <div class="lt-saved" hidden><span class="lt-saved-text"></span> <button type="button" class="lt-continue">Continue that run</button> <button type="button" class="lt-fresh">Start over</button></div>
    <p class="lt-saved-note" aria-live="off"></p>`;
  const $ = <T extends Element>(selector: string) => root.querySelector(selector) as T;
  const play = $<HTMLButtonElement>(".lt-play"), stepButton = $<HTMLButtonElement>(".lt-step"), reset = $<HTMLButtonElement>(".lt-reset");
  const speed = $<HTMLSelectElement>(".lt-speed"), seedInput = $<HTMLInputElement>(".lt-seed"), log = $<HTMLInputElement>(".lt-log");
  const counter = $<HTMLOutputElement>(".lt-counter"), plotBox = $<HTMLDivElement>(".lt-plot"), status = $<HTMLParagraphElement>(".lt-status");

  const named = options.losses && Object.keys(options.losses).length > 0 ? options.losses : undefined;
  let playing = false;
  let backendLine = "";
  let loading = false; // the status line shows a download's progress
  let finished = false;
  let disposed = false;
  let resume: SavedProgress | undefined;
  const speedValue = () => SPEEDS[Number(speed.value)]![1];
  const seed = () => Math.max(0, Math.floor(Number(seedInput.value) || 0));

  const setPlaying = (on: boolean) => {
    playing = on;
    play.innerHTML = on ? ICONS.pause : ICONS.play;
    play.setAttribute("aria-label", on ? "Pause" : "Play");
  };

  /** The current run, created on demand. */
  const ensureRun = (startPaused: boolean): TrainingRun => {
    if (root.run) return root.run;
    finished = false;
    const run = options.run({seed: seed(), startPaused, stepsPerSecond: speedValue(), onProgress: showProgress, ...(resume ? {resume} : {})});
    resume = undefined;
    root.run = run;
    backendLine = "";
    void run.backend.then((b) => {
      backendLine = b.note ?? `Training on ${b.label}.`; // a note already names the backend it fell back to
      if (!disposed && root.run === run && root.value === undefined) say(backendLine);
    }, () => {});
    void consume(run);
    return run;
  };

  const consume = async (run: TrainingRun) => {
    try {
      for await (const snapshot of run) {
        if (root.run !== run) return;
        show(snapshot);
      }
      if (root.run !== run) return;
      const end = await run.ended;
      if (root.run !== run || end.reason === "stopped") return;
      finished = true;
      setPlaying(false);
      say(end.reason === "diverged" ? `The loss became ${root.value?.loss} at step ${end.step}: training diverged. Try a smaller learning rate.` : `Finished after ${end.step} steps.`);
    } catch (error) {
      if (root.run !== run) return;
      finished = true;
      setPlaying(false);
      say(`Training failed: ${(error as Error).message}`);
    }
  };

  const show = (snapshot: TrainingSnapshot) => {
    if (root.value === undefined || loading) say(backendLine); // loading is over (also after a reset)
    loading = false;
    root.value = snapshot;
    counter.value = `step ${snapshot.step.toLocaleString("en")} · epoch ${snapshot.epoch.toFixed(2)} · ${snapshot.stepsPerSec.toFixed(1)} steps/s · ${latestLosses(snapshot)}`;
    schedulePlot();
    root.dispatchEvent(new Event("input", {bubbles: true}));
    if (options.save && snapshot.step > 0 && performance.now() - lastSave > 10_000) void saveNow();
  };

  // Saved runs: offered after a reload, saved on Pause and every ten seconds while training.
  const key = options.save ? savedRunKey(options.save) : undefined;
  const savedBox = $<HTMLDivElement>(".lt-saved"), savedText = $<HTMLSpanElement>(".lt-saved-text"), savedNote = $<HTMLParagraphElement>(".lt-saved-note");
  let lastSave = performance.now();
  let saving = false;
  const saveNow = async () => {
    const run = root.run;
    if (!key || !run || saving) return;
    saving = true;
    lastSave = performance.now();
    try {
      const progress = await run.progress();
      if (progress && progress.step > 0 && root.run === run && (await saveRun(key, {...progress, seed: seed(), savedAt: Date.now(), loss: root.value?.loss ?? NaN}))) {
        savedNote.textContent = `Saved in this browser at step ${progress.step.toLocaleString("en")}.`;
      }
    } finally {
      saving = false;
    }
  };
  if (key) {
    void loadRun(key).then((saved) => {
      if (!saved || disposed || root.run) return;
      savedText.textContent = `You trained this model before: saved at step ${saved.step.toLocaleString("en")}, loss ${format(saved.loss)}.`;
      savedBox.hidden = false;
      $<HTMLButtonElement>(".lt-continue").addEventListener("click", () => {
        savedBox.hidden = true;
        seedInput.value = String(saved.seed);
        stopRun();
        resume = saved;
        setPlaying(false);
        ensureRun(true).step(); // one step from the saved weights shows where the run was
      });
      $<HTMLButtonElement>(".lt-fresh").addEventListener("click", () => {
        savedBox.hidden = true;
        void forgetRun(key);
        savedNote.textContent = "The saved run is forgotten.";
      });
    });
  }

  function showProgress({what, loaded, total}: {what: string; loaded: number; total?: number}) {
    loading = true;
    say(total ? `Loading ${what}: ${Math.round((100 * loaded) / total)} %` : `Loading ${what}: ${(loaded / 1e6).toFixed(1)} MB`);
  }
  const say = (text: string) => {
    status.textContent = text;
  };

  // The plot redraws at most once a frame; a hidden tab skips drawing but not the snapshots.
  let plotQueued = false;
  const schedulePlot = () => {
    if (plotQueued) return;
    plotQueued = true;
    // Drawn on a task of its own after the frame, not inside it (the frame's task holds every
    // other frame callback too): a long task there delays input and painting.
    requestAnimationFrame(() => void yieldToEventLoop().then(() => {
      plotQueued = false;
      drawPlot();
    }));
  };
  /** "loss 0.0123", or with named losses "−ELBO 182.4 · reconstruction 170.1 · KL 12.3". */
  const latestLosses = (snapshot: TrainingSnapshot) =>
    named ? Object.entries(named).map(([name, label]) => `${label} ${format(snapshot.losses?.[name] ?? NaN)}`).join(" · ") : `loss ${format(snapshot.loss)}`;

  const drawPlot = () => {
    const snap = root.value;
    const logScale = log.checked;
    const usable = (points: {loss: number}[]) => points.filter((p) => Number.isFinite(p.loss) && (!logScale || p.loss > 0));
    // One curve per named loss (validation dotted and dashed beside it), or training/validation.
    const series = named ?? {loss: "training"};
    const validationName = (label: string) => (named ? `${label} (validation)` : "validation");
    const trainHistory = (name: string) => (named ? snap?.lossHistory[name] : snap?.history) ?? [];
    const validationHistory = (name: string) => (named ? snap?.valLossHistory[name] : snap?.valHistory) ?? [];
    const train = Object.entries(series).flatMap(([name, label]) => usable(trainHistory(name)).map((p) => ({...p, set: label})));
    const validation = Object.entries(series).flatMap(([name, label]) => usable(validationHistory(name)).map((p) => ({...p, set: validationName(label)})));
    const domain = [...Object.values(series), ...(options.showValidation === false ? [] : Object.values(series).map(validationName))];
    const figure = Plot.plot({
      width: options.width ?? Math.max(280, Math.min(plotBox.clientWidth || 640, 800)),
      height: 220,
      marginLeft: 56,
      style: {background: "transparent", color: "currentColor"},
      x: {label: "training step", grid: true},
      // ~g, not Plot's SI default: a student reads 0.07, not 70m.
      y: {label: options.lossLabel ?? "loss", type: logScale ? "log" : "linear", grid: true, tickFormat: "~g"},
      color: {domain, legend: named !== undefined || validation.length > 0},
      marks: [
        Plot.lineY(train, {x: "step", y: "loss", stroke: "set"}),
        Plot.dot(validation, {x: "step", y: "loss", fill: "set", r: 3}),
        Plot.lineY(validation, {x: "step", y: "loss", stroke: "set", strokeDasharray: "4 3"})
      ]
    });
    figure.setAttribute("aria-label", `${named ? Object.values(named).join(", ") : "Loss"} against training step${snap ? `; latest ${latestLosses(snap)} at step ${snap.step}` : ""}`);
    plotBox.replaceChildren(figure);
  };

  const stopRun = () => {
    root.run?.stop();
    root.run = undefined;
  };

  play.addEventListener("click", () => {
    if (finished) stopRun(); // Play after the end: a fresh run
    if (playing) {
      root.run?.pause();
      setPlaying(false);
      void saveNow();
      return;
    }
    setPlaying(true);
    const existing = root.run;
    ensureRun(false);
    if (existing) existing.resume();
  });
  stepButton.addEventListener("click", () => {
    if (finished) stopRun();
    setPlaying(false);
    ensureRun(true).step(); // a running run pauses first
  });
  const restart = () => {
    stopRun();
    if (key) void forgetRun(key);
    savedBox.hidden = true;
    finished = false;
    root.value = undefined;
    counter.value = "step 0";
    say("");
    drawPlot();
    root.dispatchEvent(new Event("input", {bubbles: true}));
    if (playing) ensureRun(false);
  };
  reset.addEventListener("click", restart);
  seedInput.addEventListener("change", restart);
  speed.addEventListener("change", () => root.run?.speed(speedValue()));
  log.addEventListener("change", drawPlot);

  // Redraw at the box's width (phones, resized windows); the plot is cheap to redraw.
  let lastWidth = 0;
  const resize = typeof ResizeObserver === "undefined" ? undefined : new ResizeObserver(() => {
    if (options.width === undefined && plotBox.clientWidth !== lastWidth) {
      lastWidth = plotBox.clientWidth;
      schedulePlot();
    }
  });
  resize?.observe(plotBox);
  drawPlot();
  if (options.autoplay) {
    setPlaying(true);
    ensureRun(false);
  }
  void options.invalidation?.then(() => {
    disposed = true;
    resize?.disconnect();
    stopRun();
  });
  return root;
}

// Inline icons: symbol fonts lack ⏸ and ⏭ on many machines (they showed as empty boxes).
const icon = (path: string) => `<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><path d="${path}" fill="currentColor"/></svg>`;
const ICONS = {
  play: icon("M4 2.5v11l9-5.5z"),
  pause: icon("M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z"),
  step: icon("M3 2.5v11l7-5.5zM11 2.5h2.5v11H11z"),
  reset: icon("M8 2.5a5.5 5.5 0 1 1-5.2 7.3l1.9-.6A3.5 3.5 0 1 0 8 4.5H6.5L9 7 6.5 9.5 4 7l2.5-2.5V2.5z")
};

function format(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return loss >= 0.01 ? loss.toFixed(4) : loss.toExponential(2);
}

const STYLE = `
.lectern-trainer { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0.5rem; font: 14px/1.4 var(--sans-serif, system-ui, sans-serif); }
.lectern-trainer .lt-controls { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; }
.lectern-trainer button { display: inline-grid; place-items: center; min-width: 2.5rem; min-height: 2.25rem; border: 1px solid currentColor; border-radius: 6px; background: transparent; color: inherit; cursor: pointer; }
.lectern-trainer select, .lectern-trainer input[type=number] { font: inherit; color: inherit; background: transparent; border: 1px solid currentColor; border-radius: 4px; padding: 0.15rem 0.3rem; }
.lectern-trainer option { color: initial; }
.lectern-trainer input[type=number] { width: 5rem; }
.lectern-trainer :focus-visible { outline: 3px solid var(--focus-color, #2f7ed8); outline-offset: 2px; }
.lectern-trainer .lt-counter { font-variant-numeric: tabular-nums; }
.lectern-trainer .lt-saved { border: 1px solid currentColor; border-radius: 6px; padding: 0.4rem 0.6rem; }
.lectern-trainer .lt-saved[hidden] { display: none; }
.lectern-trainer .lt-saved button { display: inline-block; padding: 0.15rem 0.6rem; margin: 0.2rem 0.3rem 0 0; }
.lectern-trainer .lt-saved-note { margin: 0; font-size: 0.85em; opacity: 0.85; }
.lectern-trainer .lt-saved-note:empty { display: none; }
.lectern-trainer .lt-status { margin: 0; min-height: 1.4em; opacity: 0.85; }
.lectern-trainer .lt-plot svg { max-width: 100%; height: auto; }
`;
