// The first screen first. A lesson's cells all run on load, but not all at once: the cells the
// reader can see (and the cells those use) run first; the rest start once those have settled and
// the screen has painted, or as soon as the reader scrolls near them. So a page whose lower cells
// load TensorFlow.js shows its first screen with the runtime, Plot and Inputs alone, and the model
// library follows. `html[data-first-screen="done"]` marks the moment the rest may start (the
// page-bytes bench reads it). Nothing is skipped: every cell still runs without any scrolling.

/** What the gate needs to know of a cell: its id, the names it uses and defines, whether it shows a value. */
export interface GatedCell {
  id: string;
  inputs: string[];
  outputs: string[];
  autodisplay: boolean;
}

/** A cell that puts something on the page; one that only defines names (imports, data) shows nothing. */
const shows = (c: GatedCell) => c.autodisplay || c.inputs.includes("display") || c.inputs.includes("view");

export interface FirstScreen {
  /** Resolves when cell `id` may run; undefined when it may run now (on the first screen, or released). */
  gate(id: string): Promise<void> | undefined;
  /** Resolves when `element` comes near the viewport, or when the first screen is done. */
  near(element: Element): Promise<void>;
}

/** How far beyond the viewport a cell counts as near (it will be on screen after a short scroll). */
const NEAR = "50% 0px 50% 0px";
/** After this long the rest start even if a first-screen cell has not settled (a slow network). */
const CAP_MS = 4000;

const open: FirstScreen = {gate: () => undefined, near: () => Promise.resolve()};

/**
 * Holds back every cell that neither shows something near the viewport nor is used by one that
 * does. `rootOf` gives a cell's element (a cell with none runs when released). Without
 * IntersectionObserver (or with no cells) nothing is held.
 */
export function setupFirstScreen(cells: GatedCell[], rootOf: (id: string) => HTMLElement | null): FirstScreen {
  if (typeof IntersectionObserver === "undefined" || typeof requestAnimationFrame !== "function" || !cells.length) {
    document.documentElement.dataset.firstScreen = "done";
    return open;
  }
  const definer = new Map<string, string>();
  for (const c of cells) for (const name of [`cell ${c.id}`, ...c.outputs]) definer.set(name, c.id);
  const byId = new Map(cells.map((c) => [c.id, c]));
  /** The cells still held: each one's gate and what opens it. */
  const waiting = new Map<string, {gate: Promise<void>; open: () => void}>();
  for (const c of cells) {
    let open!: () => void;
    waiting.set(c.id, {gate: new Promise<void>((resolve) => (open = resolve)), open});
  }
  /** Released cells whose settling the first screen waits for. */
  const first = new Set<string>();
  let finished = false;

  /** Lets `id` and every cell it uses, directly or not, run. */
  const release = (id: string, into?: Set<string>) => {
    const stack = [id];
    while (stack.length) {
      const next = stack.pop()!;
      const held = waiting.get(next);
      if (!held) continue;
      waiting.delete(next);
      into?.add(next);
      held.open();
      for (const name of byId.get(next)?.inputs ?? []) {
        const from = definer.get(name);
        if (from && waiting.has(from)) stack.push(from);
      }
    }
  };

  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const releaseAll = () => {
    if (finished) return;
    finished = true;
    observer.disconnect();
    for (const id of [...waiting.keys()]) release(id);
    document.documentElement.dataset.firstScreen = "done";
    finish();
  };

  const roots = new Map<Element, string>();
  let initial = true;
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) release(roots.get(entry.target)!, initial ? first : undefined);
    }
    if (initial) {
      initial = false;
      waitForFirst();
    }
  }, {rootMargin: NEAR});
  // Only cells that show something can be on the first screen; a cell that only defines names runs
  // there when a shown cell uses it (its empty element sits wherever its fence was).
  for (const c of cells) {
    const root = shows(c) ? rootOf(c.id) : null;
    if (root) {
      roots.set(root, c.id);
      observer.observe(root);
    }
  }
  if (!roots.size) {
    releaseAll();
    return open;
  }

  /** Once the first screen's cells have settled and painted, the rest may start. */
  const waitForFirst = () => {
    const elements = [...first].flatMap((id) => rootOf(id) ?? []);
    const pending = () => elements.some((e) => e.dataset.state === "pending");
    const check = () => {
      if (finished) return;
      if (pending()) requestAnimationFrame(check);
      else requestAnimationFrame(() => setTimeout(releaseAll, 0)); // after the frame that paints them
    };
    check();
  };
  setTimeout(releaseAll, CAP_MS);
  // Printing or saving the page needs every cell.
  addEventListener("beforeprint", releaseAll);

  return {
    gate: (id) => waiting.get(id)?.gate,
    near(element) {
      if (finished) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const watch = new IntersectionObserver((entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            watch.disconnect();
            resolve();
          }
        }, {rootMargin: NEAR});
        watch.observe(element);
        void done.then(() => (watch.disconnect(), resolve()));
      });
    }
  };
}
