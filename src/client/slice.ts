// Keeps the page's main thread responsive while many cells re-run at once. The runtime computes
// every cell a change reaches in one task (an animation frame and its promise callbacks): when a
// training run's new state reaches a plane plot, a loss plot, a diagram and a caption, their work
// adds up to one long task and the page stops answering input. Each cell body first asks for a
// slice: if the current task has already run longer than the budget, the body starts on a fresh
// task instead, so clicks, keys and painting get in between. A cascade that fits the budget
// still runs in one task (no flicker, no delay).

/** Milliseconds of work after which the next cell waits for a fresh task. */
export const SLICE_BUDGET_MS = 12;

let sliceStart = 0;
let inSlice = false;
let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

/** When this task began (as near as can be told), marking it on first call within the task. */
function begin(): number {
  if (!inSlice) {
    inSlice = true;
    sliceStart = performance.now();
    post(() => (inSlice = false)); // runs after this task and its promise callbacks: the slice is over
  }
  return sliceStart;
}

/** Starts a slice now (the top of a fresh task), then runs `next`: the budget counts from here. */
function fresh(next: () => void): void {
  inSlice = false;
  begin();
  next();
}

/** Runs `callback` on a fresh task (a MessageChannel message: no timer clamping, no throttling). */
function post(callback: () => void): void {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  waiting.push(callback);
  channel.port2.postMessage(null);
}

/**
 * Makes `runtime` compute its cells on a fresh task just after each animation frame, not inside
 * the frame: the Observable runtime computes in a requestAnimationFrame callback, whose task also
 * holds every other frame callback (a loss plot redrawing) and the frame's style, layout and
 * paint, so the first cell of a cascade ran on top of all of that. On a task of its own, the
 * cascade's first slice starts its budget at zero. Still paced by frames (none in a hidden tab).
 */
export function computeAfterFrames(runtime: object): void {
  if (typeof MessageChannel === "undefined" || typeof requestAnimationFrame !== "function") return;
  const r = runtime as {_computeSoon: () => Promise<void>; _computeNow: () => Promise<void>; _disposed?: boolean};
  r._computeSoon = function () {
    return new Promise<void>((resolve) => requestAnimationFrame(() => post(() => fresh(resolve))))
      .then(() => (r._disposed ? undefined : r._computeNow()));
  };
}

/** Resolves at once while this task is within budget, else on a fresh task. */
export function nextSlice(budget = SLICE_BUDGET_MS): Promise<void> | undefined {
  if (typeof MessageChannel === "undefined") return undefined;
  if (performance.now() - begin() < budget) return undefined;
  return new Promise<void>((resolve) => post(() => fresh(resolve)));
}
