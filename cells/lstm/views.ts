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
