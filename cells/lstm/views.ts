// The LSTM cell drawn for one unit at one step, with the values of its gates: plain SVG built
// from numbers only (no user text), colours from currentColor so it reads in both themes.

export interface UnitStep {
  t: number;
  unit: number;
  /** What the cell read at this step, e.g. "symbol C" or "noise". */
  input: string;
  i: number; f: number; g: number; o: number;
  cPrev: number; c: number; h: number;
}

const fmt = (v: number) => (Math.abs(v) < 0.005 ? "0.00" : v.toFixed(2));

/** A gate box: name, formula, value and a bar showing the value (0…1, or −1…1 for tanh). */
function gate(x: number, y: number, name: string, fn: string, value: number, signed: boolean, colour: string): string {
  const w = 84, h = 50, barMax = w - 12;
  const frac = signed ? (value + 1) / 2 : value;
  return `<g>
    <rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}" rx="6" fill="none" stroke="currentColor" stroke-width="1.5"/>
    <text x="${x}" y="${y - 8}" text-anchor="middle" font-size="13" fill="currentColor">${name} = ${fn}</text>
    <rect x="${x - barMax / 2}" y="${y + 2}" width="${barMax}" height="8" fill="currentColor" fill-opacity="0.15"/>
    <rect x="${x - barMax / 2}" y="${y + 2}" width="${Math.max(0, Math.min(1, frac)) * barMax}" height="8" fill="${colour}"/>
    <text x="${x}" y="${y + 22}" text-anchor="middle" font-size="12" font-weight="bold" fill="currentColor">${fmt(value)}</text>
  </g>`;
}

const node = (x: number, y: number, sign: string) =>
  `<circle cx="${x}" cy="${y}" r="11" fill="none" stroke="currentColor" stroke-width="1.5"/><text x="${x}" y="${y + 5}" text-anchor="middle" font-size="15" fill="currentColor">${sign}</text>`;
const line = (x1: number, y1: number, x2: number, y2: number, width = 1.5) =>
  `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="currentColor" stroke-width="${width}" marker-end="url(#lstm-arrow)"/>`;

/** The SVG markup of the cell for one unit at one step. */
export function cellDiagramSvg(s: UnitStep): string {
  const blue = "#3b7dd8", orange = "#e08a1e", purple = "#8e5bd0", green = "#2e9e5b";
  return `<svg viewBox="0 0 600 300" width="100%" style="max-width:600px" xmlns="http://www.w3.org/2000/svg">
  <defs><marker id="lstm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>
  <text x="10" y="22" font-size="13" fill="currentColor">cell state (the gradient's highway)</text>
  <text x="10" y="58" font-size="13" fill="currentColor">c(t−1) = ${fmt(s.cPrev)}</text>
  ${line(118, 54, 178, 54, 3)}
  ${node(190, 54, "×")}
  ${line(201, 54, 309, 54, 3)}
  ${node(320, 54, "+")}
  ${line(331, 54, 480, 54, 3)}
  <text x="486" y="58" font-size="13" font-weight="bold" fill="currentColor">c(t) = ${fmt(s.c)}</text>
  ${gate(190, 170, "f", "σ", s.f, false, blue)}
  ${line(190, 145, 190, 66)}
  ${gate(290, 170, "i", "σ", s.i, false, green)}
  ${gate(390, 170, "g", "tanh", s.g, true, purple)}
  ${node(320, 110, "×")}
  ${line(290, 145, 312, 119)}
  ${line(390, 145, 329, 118)}
  ${line(320, 99, 320, 66)}
  ${line(440, 54, 440, 92)}
  <text x="448" y="84" font-size="12" fill="currentColor">tanh</text>
  ${gate(520, 170, "o", "σ", s.o, false, orange)}
  ${node(440, 104, "×")}
  ${line(490, 150, 450, 111)}
  ${line(440, 116, 440, 262)}
  <text x="448" y="280" font-size="13" font-weight="bold" fill="currentColor">h(t) = ${fmt(s.h)}</text>
  <text x="10" y="250" font-size="13" fill="currentColor">[x(t), h(t−1)]: ${s.input}</text>
  <text x="10" y="268" font-size="12" fill="currentColor">one matMul → i, f, g, o</text>
  ${line(120, 238, 160, 198)}
  <text x="10" y="292" font-size="12" fill="currentColor">step t = ${s.t}, unit ${s.unit}</text>
</svg>`;
}

/** A sentence with every value, for screen readers and the caption. */
export function cellDiagramText(s: UnitStep): string {
  return `Step ${s.t}, unit ${s.unit}, input ${s.input}: input gate i = ${fmt(s.i)}, forget gate f = ${fmt(s.f)}, candidate g = ${fmt(s.g)}, output gate o = ${fmt(s.o)}; cell state c goes from ${fmt(s.cPrev)} to ${fmt(s.c)} = f·c(t−1) + i·g; output h = o·tanh(c) = ${fmt(s.h)}.`;
}

export interface TraceStep {
  i: number[]; f: number[]; g: number[]; o: number[]; c: number[]; h: number[];
}

export const GATE_ROWS: [keyof TraceStep, string][] = [["i", "input gate i"], ["f", "forget gate f"], ["g", "candidate g"], ["o", "output gate o"], ["c", "cell state c"], ["h", "output h"]];

/** Diverging colour: −1 purple, 0 near-white, +1 orange (clipped), as RGB. */
export function divergingColour(v: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, v));
  const mid = [247, 247, 247], neg = [94, 60, 153], pos = [230, 97, 1];
  const end = x < 0 ? neg : pos, a = Math.abs(x);
  return [0, 1, 2].map((k) => Math.round(mid[k]! + (end[k]! - mid[k]!) * a)) as [number, number, number];
}

/** Six heat strips (one per gate / state), units down, steps across, on canvases: a few thousand
 *  cells redrawn on every training snapshot, cheaply. The chosen step is outlined. */
export function gateMap(steps: TraceStep[], {width, step}: {width: number; step: number}): HTMLElement {
  const T = steps.length, n = steps[0]!.i.length;
  const labelWidth = 112;
  const cell = Math.max(3, Math.floor((Math.min(width, 760) - labelWidth - 8) / T));
  const rowH = Math.max(3, Math.min(5, cell));
  const root = document.createElement("div");
  root.className = "gate-map";
  root.style.cssText = "display:flex;flex-direction:column;gap:2px;font-size:13px;max-width:100%";
  for (const [key, label] of GATE_ROWS) {
    const name = document.createElement("span");
    name.textContent = label;
    const canvas = document.createElement("canvas");
    canvas.width = T * cell;
    canvas.height = n * rowH;
    canvas.setAttribute("aria-hidden", "true");
    canvas.style.cssText = `width:100%;max-width:${T * cell}px;height:auto;image-rendering:pixelated;margin-bottom:6px`;
    const ctx = canvas.getContext("2d");
    if (ctx) {
      const image = ctx.createImageData(canvas.width, canvas.height);
      for (let t = 0; t < T; t++) {
        for (let u = 0; u < n; u++) {
          const [r, g, b] = divergingColour(steps[t]![key][u]!);
          for (let y = u * rowH; y < (u + 1) * rowH; y++) {
            for (let x = t * cell; x < (t + 1) * cell; x++) {
              const p = 4 * (y * canvas.width + x);
              image.data[p] = r; image.data[p + 1] = g; image.data[p + 2] = b; image.data[p + 3] = 255;
            }
          }
        }
      }
      ctx.putImageData(image, 0, 0);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#000";
      ctx.strokeRect((step - 1) * cell + 1, 1, cell - 2, canvas.height - 2);
      ctx.lineWidth = 1;
      ctx.strokeStyle = "#fff";
      ctx.strokeRect((step - 1) * cell + 2.5, 2.5, cell - 5, canvas.height - 5);
    }
    root.append(name, canvas);
  }
  const axis = document.createElement("span");
  axis.style.display = "flex";
  axis.style.justifyContent = "space-between";
  axis.style.maxWidth = `${T * cell}px`;
  axis.innerHTML = `<span>step 1</span><span>step ${T} →</span>`;
  const legend = document.createElement("span");
  legend.textContent = `Each strip: ${n} units (rows) × ${T} steps (columns). Colour: purple −1, white 0, orange +1 (gates lie in 0…1; c is clipped at ±1). The outlined column is step ${step}.`;
  root.append(axis, legend);
  return root;
}

export interface AccuracyPoint {
  step: number;
  lstm: number;
  rnn: number;
}

/** Test accuracy (%) of both networks against training step, with the 25 % chance line: a small
 *  hand-drawn SVG, redrawn on every snapshot for a few milliseconds. */
export function accuracyChartSvg(points: AccuracyPoint[], {width, chance = 0.25}: {width: number; chance?: number}): string {
  const w = Math.max(300, Math.min(width, 720)), h = 260, left = 56, right = 16, top = 30, bottom = 44;
  const maxStep = Math.max(10, ...points.map((p) => p.step));
  const x = (s: number) => left + ((w - left - right) * s) / maxStep;
  const y = (a: number) => top + (h - top - bottom) * (1 - a);
  const path = (key: "lstm" | "rnn") => points.map((p) => `${x(p.step).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((a) => `<line x1="${left}" x2="${w - right}" y1="${y(a)}" y2="${y(a)}" stroke="currentColor" stroke-opacity="0.15"/><text x="${left - 6}" y="${y(a) + 4}" text-anchor="end" font-size="11" fill="currentColor">${100 * a}</text>`).join("");
  const stepTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * maxStep)).map((s) => `<text x="${x(s)}" y="${h - bottom + 16}" text-anchor="middle" font-size="11" fill="currentColor">${s}</text>`).join("");
  return `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" style="max-width:100%;height:auto" xmlns="http://www.w3.org/2000/svg">
  ${yTicks}${stepTicks}
  <text x="14" y="${top + (h - top - bottom) / 2}" font-size="12" fill="currentColor" text-anchor="middle" transform="rotate(-90 14 ${top + (h - top - bottom) / 2})">test accuracy (%)</text>
  <text x="${left + (w - left - right) / 2}" y="${h - 8}" font-size="12" fill="currentColor" text-anchor="middle">training step →</text>
  <line x1="${left}" x2="${w - right}" y1="${y(chance)}" y2="${y(chance)}" stroke="currentColor" stroke-dasharray="4 3"/>
  <text x="${w - right}" y="${y(chance) - 5}" text-anchor="end" font-size="11" fill="currentColor">chance</text>
  <polyline points="${path("rnn")}" fill="none" stroke="#1f77b4" stroke-width="2.5"/>
  <polyline points="${path("lstm")}" fill="none" stroke="#d95f02" stroke-width="2.5"/>
  <rect x="${left + 8}" y="8" width="14" height="4" fill="#d95f02"/><text x="${left + 26}" y="14" font-size="12" fill="currentColor">LSTM</text>
  <rect x="${left + 80}" y="8" width="14" height="4" fill="#1f77b4"/><text x="${left + 98}" y="14" font-size="12" fill="currentColor">vanilla RNN</text>
</svg>`;
}
