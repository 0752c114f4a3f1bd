// The unrolled RNN drawn as SVG: one column per time step, x(t) below, the hidden state h(t) as a
// stack of coloured cells with their values, y(t) above, and the three weight matrices on the
// arrows (Wxh up from each input, Whh across from the previous state, Why up to each output).
// The copies of the highlighted matrix are drawn alike, because they are the same numbers.
// `unrolledLayout` is pure (tested in Node); `unrolledDiagram` turns it into a <figure>.

export type Pattern = "many-to-many" | "many-to-one" | "one-to-many";
export const PATTERNS: readonly Pattern[] = ["many-to-many", "many-to-one", "one-to-many"];
export type WeightName = "Whh" | "Wxh" | "Why";
export const WEIGHT_NAMES: readonly WeightName[] = ["Whh", "Wxh", "Why"];

export interface UnrolledOptions {
  /** x(1…T), one number per step (absent inputs of a one-to-many pattern are 0). */
  inputs: number[];
  /** h(1…T), n numbers each. */
  states: number[][];
  /** y(1…T). */
  outputs: number[];
  /** Steps computed so far: columns after t are drawn as not yet computed (0 ≤ t ≤ T). */
  t: number;
  pattern?: Pattern;
  highlight?: WeightName | "none";
}

export interface Arrow {
  weight: WeightName;
  /** Time step of the column the arrow enters. */
  step: number;
  x1: number; y1: number; x2: number; y2: number;
  highlighted: boolean;
  computed: boolean;
}

export interface Layout {
  width: number;
  height: number;
  columns: {step: number; x: number; hasInput: boolean; hasOutput: boolean; computed: boolean; current: boolean}[];
  arrows: Arrow[];
  /** How many arrows carry each matrix: the slides' "the weights are the same". */
  uses: Record<WeightName, number>;
  description: string;
}

const COLUMN = 92, LEFT = 70, Y_OUT = 48, Y_HID = 164, Y_IN = 282, CELL_H = 20, CELL_W = 50;

export const fmt = (v: number) => (Math.abs(v) < 0.005 ? "0.00" : v.toFixed(2)).replace("-", "−");
const vector = (h: number[]) => `(${h.map(fmt).join(", ")})`;

/** Which steps have an input and an output under each pattern. */
export function patternSlots(pattern: Pattern, T: number): {inputs: boolean[]; outputs: boolean[]} {
  const steps = Array.from({length: T}, (_, i) => i + 1);
  return {
    inputs: steps.map((s) => pattern !== "one-to-many" || s === 1),
    outputs: steps.map((s) => pattern !== "many-to-one" || s === T)
  };
}

export function unrolledLayout({inputs, states, outputs, t, pattern = "many-to-many", highlight = "none"}: UnrolledOptions): Layout {
  const T = inputs.length;
  const n = states[0]?.length ?? 0;
  const slots = patternSlots(pattern, T);
  const columns = inputs.map((_, i) => ({
    step: i + 1, x: LEFT + COLUMN * (i + 0.5) + 20,
    hasInput: slots.inputs[i]!, hasOutput: slots.outputs[i]!, computed: i + 1 <= t, current: i + 1 === t
  }));
  const half = (n * CELL_H) / 2;
  const arrows: Arrow[] = [];
  for (const c of columns) {
    const prevX = c.step === 1 ? LEFT - 10 : columns[c.step - 2]!.x;
    arrows.push({weight: "Whh", step: c.step, x1: prevX + CELL_W / 2, y1: Y_HID, x2: c.x - CELL_W / 2 - 3, y2: Y_HID, highlighted: highlight === "Whh", computed: c.computed});
    if (c.hasInput) arrows.push({weight: "Wxh", step: c.step, x1: c.x, y1: Y_IN - 17, x2: c.x, y2: Y_HID + half + 5, highlighted: highlight === "Wxh", computed: c.computed});
    if (c.hasOutput) arrows.push({weight: "Why", step: c.step, x1: c.x, y1: Y_HID - half - 2, x2: c.x, y2: Y_OUT + 19, highlighted: highlight === "Why", computed: c.computed});
  }
  const uses = {Whh: 0, Wxh: 0, Why: 0} as Record<WeightName, number>;
  for (const a of arrows) uses[a.weight] += 1;
  return {width: LEFT + COLUMN * T + 30, height: Y_IN + 40, columns, arrows, uses, description: describe({inputs, states, outputs, t, pattern, highlight}, uses, n)};
}

function describe({inputs, states, outputs, t, pattern = "many-to-many", highlight = "none"}: UnrolledOptions, uses: Record<WeightName, number>, n: number): string {
  const T = inputs.length;
  const slots = patternSlots(pattern, T);
  const at = t === 0
    ? "Step 0: nothing computed yet, h(0) = 0."
    : `Step t = ${t}: input x(${t}) = ${slots.inputs[t - 1] ? fmt(inputs[t - 1]!) : "none (0)"}, hidden state h(${t}) = ${vector(states[t - 1]!)}${slots.outputs[t - 1] ? `, output y(${t}) = ${fmt(outputs[t - 1]!)}` : ", no output at this step"}.`;
  const shared = highlight === "none" ? "" : ` Highlighted: ${highlight}, one matrix (${highlight === "Whh" ? `${n}×${n}` : highlight === "Wxh" ? `${n}×1` : `1×${n}`}) used on all ${uses[highlight]} of its arrows.`;
  return `Unrolled RNN, ${pattern}, over T = ${T} steps with ${n} hidden units. ${at}${shared}`;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]!);

/** Cell colour for a hidden value in [−1, 1]: blue for positive, orange for negative, by size (pale enough for AA text on it). */
const cellFill = (v: number) => `${v >= 0 ? "var(--rnn-pos)" : "var(--rnn-neg)"}; fill-opacity: ${(0.08 + 0.47 * Math.min(1, Math.abs(v))).toFixed(2)}`;

const STYLE = `
.rnn-unrolled { margin: 0.5rem 0 1rem; --rnn-pos: #2563eb; --rnn-neg: #ea580c; --rnn-hl: #b91c1c; }
@media (prefers-color-scheme: dark) { :root:not([data-theme=light]) .rnn-unrolled { --rnn-pos: #60a5fa; --rnn-neg: #fb923c; --rnn-hl: #fca5a5; } }
:root[data-theme=dark] .rnn-unrolled { --rnn-pos: #60a5fa; --rnn-neg: #fb923c; --rnn-hl: #fca5a5; }
.rnn-unrolled .scroll { overflow-x: auto; }
.rnn-unrolled svg { display: block; max-width: none; font: 12px var(--sans-serif, system-ui, sans-serif); }
.rnn-unrolled text { fill: var(--fg); }
.rnn-unrolled .muted { fill: var(--fg-muted); }
.rnn-unrolled .arrow { stroke: var(--fg-muted); stroke-width: 1.5; fill: none; }
.rnn-unrolled .arrow.hl { stroke: var(--rnn-hl); stroke-width: 3.5; }
.rnn-unrolled .wlabel { font-size: 11px; fill: var(--fg-muted); }
.rnn-unrolled .wlabel.hl { fill: var(--rnn-hl); font-weight: 700; }
.rnn-unrolled .node { fill: var(--bg); stroke: var(--fg-muted); stroke-width: 1.5; }
.rnn-unrolled .future { opacity: 0.4; }
.rnn-unrolled .current-frame { fill: none; stroke: var(--accent); stroke-width: 2.5; stroke-dasharray: 5 3; }
.rnn-unrolled .cell { stroke: var(--fg-muted); stroke-width: 0.75; }
.rnn-unrolled figcaption { font-size: 0.85rem; color: var(--fg-muted); }`;

let ids = 0;

/** The layout as an accessible <figure>: the SVG (role img, labelled) and a caption stating the current step. */
export function unrolledDiagram(options: UnrolledOptions & {caption?: string}): HTMLElement {
  const layout = unrolledLayout(options);
  const {states, outputs, inputs} = options;
  const n = states[0]?.length ?? 0;
  const half = (n * CELL_H) / 2;
  const marker = `rnn-arrow-${++ids}`, markerHl = `${marker}-hl`;
  const parts: string[] = [];
  parts.push(`<defs>
    <marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" style="fill: var(--fg-muted)"/></marker>
    <marker id="${markerHl}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" style="fill: var(--rnn-hl)"/></marker></defs>`);
  // h(0) and the row names.
  parts.push(`<text x="4" y="${Y_OUT + 4}" class="muted">output</text><text x="4" y="${Y_IN + 4}" class="muted">input</text>`);
  parts.push(`<text x="${LEFT - 18}" y="${Y_HID - half - 8}" text-anchor="middle" class="muted">h(0)</text><rect x="${LEFT - 30}" y="${Y_HID - 12}" width="20" height="24" rx="3" class="node"/><text x="${LEFT - 20}" y="${Y_HID + 4}" text-anchor="middle">0</text>`);
  for (const a of layout.arrows) {
    const cls = `arrow${a.highlighted ? " hl" : ""}`;
    const lx = a.weight === "Whh" ? (a.x1 + a.x2) / 2 : a.x1 + 6, ly = a.weight === "Whh" ? Y_HID - 9 : (a.y1 + a.y2) / 2 + 4;
    parts.push(`<g class="${a.computed ? "" : "future"}" data-weight="${a.weight}" data-step="${a.step}"><line x1="${a.x1}" y1="${a.y1}" x2="${a.x2}" y2="${a.y2}" class="${cls}" marker-end="url(#${a.highlighted ? markerHl : marker})"/><text x="${lx}" y="${ly}" text-anchor="${a.weight === "Whh" ? "middle" : "start"}" class="wlabel${a.highlighted ? " hl" : ""}">${a.weight}</text></g>`);
  }
  for (const c of layout.columns) {
    const i = c.step - 1;
    const g: string[] = [];
    if (c.current) g.push(`<rect x="${c.x - CELL_W / 2 - 8}" y="${Y_OUT - 40}" width="${CELL_W + 16}" height="${Y_IN - Y_OUT + 62}" rx="8" class="current-frame"/>`);
    g.push(`<text x="${c.x}" y="${Y_HID - half - 8}" text-anchor="middle" class="muted">h(${c.step})</text>`);
    states[i]!.forEach((v, k) => {
      const y = Y_HID - half + k * CELL_H;
      g.push(c.computed
        ? `<rect x="${c.x - CELL_W / 2}" y="${y}" width="${CELL_W}" height="${CELL_H}" class="cell" style="fill: ${cellFill(v)}"/><text x="${c.x}" y="${y + 14}" text-anchor="middle">${fmt(v)}</text>`
        : `<rect x="${c.x - CELL_W / 2}" y="${y}" width="${CELL_W}" height="${CELL_H}" class="cell" style="fill: var(--bg)"/><text x="${c.x}" y="${y + 14}" text-anchor="middle" class="muted">?</text>`);
    });
    if (c.hasInput) g.push(`<circle cx="${c.x}" cy="${Y_IN}" r="16" class="node"/><text x="${c.x}" y="${Y_IN + 4}" text-anchor="middle">${fmt(inputs[i]!)}</text><text x="${c.x}" y="${Y_IN + 30}" text-anchor="middle" class="muted">x(${c.step})</text>`);
    if (c.hasOutput) g.push(`<circle cx="${c.x}" cy="${Y_OUT}" r="17" class="node"/><text x="${c.x}" y="${Y_OUT + 4}" text-anchor="middle">${c.computed ? fmt(outputs[i]!) : "?"}</text><text x="${c.x}" y="${Y_OUT - 23}" text-anchor="middle" class="muted">y(${c.step})</text>`);
    parts.push(`<g class="${c.computed ? "" : "future"}" data-step="${c.step}">${g.join("")}</g>`);
  }
  const figure = document.createElement("figure");
  figure.className = "rnn-unrolled";
  const caption = options.caption ?? layout.description;
  figure.innerHTML = `<style>${STYLE}</style><div class="scroll" tabindex="0" role="group" aria-label="Unrolled network; scrolls sideways on a narrow screen"><svg role="img" aria-label="${esc(layout.description)}" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">${parts.join("")}</svg></div><figcaption>${esc(caption)}</figcaption>`;
  return figure;
}

/** Numbers typed by a student ("1, 0, -0.5" or "1 0 -0.5"): the values, or a message saying what to fix. */
export function parseSequence(text: string, max = 10): {values: number[]; error?: string; note?: string} {
  const tokens = text.split(/[\s,;]+/).filter((s) => s !== "");
  if (tokens.length === 0) return {values: [], error: "Type at least one number, e.g. 1 0 0 0."};
  const bad = tokens.find((s) => !Number.isFinite(Number(s.replace("−", "-"))));
  if (bad !== undefined) return {values: [], error: `“${bad}” is not a number. Separate numbers with spaces or commas, e.g. 1, 0, -0.5.`};
  const values = tokens.map((s) => Number(s.replace("−", "-")));
  return values.length > max ? {values: values.slice(0, max), note: `Only the first ${max} numbers are drawn.`} : {values};
}

/** The slides' first picture: a feed-forward network beside a recurrent one, whose hidden layer
 *  also reads its own previous state (the loop, Whh). Static; an accessible <figure>. */
export function foldedDiagram(): HTMLElement {
  const Y_T = 16, Y_Y = 52, Y_H = 150, Y_X = 248;
  const panel = (dx: number, title: string, loop: boolean) => {
    const x = dx + 110;
    const node = (y: number, label: string) => `<circle cx="${x}" cy="${y}" r="20" class="node"/><text x="${x}" y="${y + 4}" text-anchor="middle">${label}</text>`;
    const arrow = (y1: number, y2: number, w: string) => `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" class="arrow" marker-end="url(#rnn-fold-arrow)"/><text x="${x - 8}" y="${(y1 + y2) / 2 + 4}" text-anchor="end" class="wlabel">${w}</text>`;
    const loopPath = loop
      ? `<path d="M${x + 18},${Y_H - 9} C${x + 75},${Y_H - 45} ${x + 75},${Y_H + 45} ${x + 19},${Y_H + 8}" class="arrow hl" marker-end="url(#rnn-fold-arrow-hl)"/><text x="${x + 66}" y="${Y_H + 4}" class="wlabel hl">Whh</text><text x="${x + 30}" y="${Y_H + 46}" class="muted" style="font-size: 11px">h(t−1) → h(t)</text>`
      : "";
    return `<text x="${x}" y="${Y_T}" text-anchor="middle" style="font-weight: 600">${title}</text>${node(Y_X, "x")}${arrow(Y_X - 20, Y_H + 22, "W₁")}${node(Y_H, "h")}${arrow(Y_H - 20, Y_Y + 22, "W₂")}${node(Y_Y, "y")}${loopPath}
      <text x="${dx + 8}" y="${Y_X + 4}" class="muted">input</text><text x="${dx + 8}" y="${Y_H + 4}" class="muted">hidden</text><text x="${dx + 8}" y="${Y_Y + 4}" class="muted">output</text>`;
  };
  const label = "Two networks side by side. Left, feed-forward: input x, hidden layer h, output y, arrows only upward. Right, recurrent: the same three layers, plus a loop from the hidden layer back into itself, labelled Whh: the hidden layer also reads its own previous state, h(t−1) → h(t).";
  const figure = document.createElement("figure");
  figure.className = "rnn-unrolled";
  figure.innerHTML = `<style>${STYLE}</style><div class="scroll" tabindex="0" role="group" aria-label="Feed-forward and recurrent networks; scrolls sideways on a narrow screen"><svg role="img" aria-label="${label}" width="440" height="276" viewBox="0 0 440 276">
    <defs><marker id="rnn-fold-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" style="fill: var(--fg-muted)"/></marker>
    <marker id="rnn-fold-arrow-hl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" style="fill: var(--rnn-hl)"/></marker></defs>
    ${panel(0, "Feed-forward", false)}${panel(220, "Recurrent", true)}</svg></div>
    <figcaption>Feed-forward: information flows one way, input to output, and each input is handled on its own. Recurrent: the hidden layer also takes its own previous state, so what it computes now depends on everything read before.</figcaption>`;
  return figure;
}
