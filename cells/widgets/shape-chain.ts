// A chain of matrix products drawn as boxes (height ∝ rows, width ∝ columns, on a log scale so
// 1 and 784 both fit), with "=" and the result; where the shapes clash, the two boxes and their
// clashing sides are marked and the reason is written out. Wraps on narrow screens.
import {formatShape, type ChainResult, type Shape} from "../matmul/shapes.js";

const CLASH = "#ea580c";
/** Text in the page's error colour (AA contrast in both themes); strokes may use the brighter orange. */
const CLASH_TEXT = "var(--error, #b42318)";
const RESULT = "#3b82f6";

/** Side length in pixels for a dimension: logarithmic, 8 px for 1, capped at 110 px. */
export function sideFor(d: number): number {
  return Math.round(Math.min(110, 8 + 16 * Math.log2(d)));
}

function box(shape: Shape, {label, tone, clashSide}: {label: string; tone?: "result" | "clash"; clashSide?: "cols" | "rows"}): HTMLElement {
  const [rows, cols] = shape;
  const w = sideFor(cols), h = sideFor(rows);
  const pad = 16, left = 8 + 7 * String(rows).length; // room for the row count on the left
  const colour = tone === "clash" ? CLASH : tone === "result" ? RESULT : "currentColor";
  const figure = document.createElement("figure");
  figure.style.cssText = "display:inline-flex;flex-direction:column;align-items:center;margin:0;gap:2px";
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", String(w + left + 4));
  svg.setAttribute("height", String(h + pad + 4));
  svg.setAttribute("aria-hidden", "true");
  svg.style.overflow = "visible";
  const rect = document.createElementNS(ns, "rect");
  for (const [k, v] of Object.entries({x: left, y: pad, width: w, height: h, rx: 3, fill: tone === "result" ? "rgba(59,130,246,0.18)" : "rgba(127,127,127,0.15)", stroke: colour, "stroke-width": tone ? 2.5 : 1.5})) rect.setAttribute(k, String(v));
  svg.append(rect);
  const text = (x: number, y: number, content: string, anchor: string, strong: boolean) => {
    const t = document.createElementNS(ns, "text");
    for (const [k, v] of Object.entries({x, y, "text-anchor": anchor, "font-size": 11, fill: strong ? CLASH_TEXT : "currentColor", "font-weight": strong ? 700 : 400})) t.setAttribute(k, String(v));
    t.textContent = content;
    svg.append(t);
  };
  text(left + w / 2, pad - 4, String(cols), "middle", clashSide === "cols");
  text(left - 4, pad + h / 2 + 4, String(rows), "end", clashSide === "rows");
  const caption = document.createElement("figcaption");
  caption.style.cssText = `font: 600 0.95rem/1.2 var(--monospace, monospace); color: ${tone === "clash" ? CLASH_TEXT : "inherit"}`;
  caption.textContent = label;
  figure.append(svg, caption);
  return figure;
}

function sign(text: string, clash = false): HTMLElement {
  const span = document.createElement("span");
  span.textContent = text;
  span.setAttribute("aria-hidden", "true");
  span.style.cssText = `font-size:1.4rem;padding:0 0.5rem;align-self:center;color:${clash ? CLASH_TEXT : "inherit"};font-weight:${clash ? 700 : 400}`;
  return span;
}

/** The chain as boxes and signs, the result (or where it breaks), and a sentence saying so. */
export function shapeChain(chain: ChainResult): HTMLElement {
  const root = document.createElement("div");
  root.className = "shape-chain";
  const row = document.createElement("div");
  row.style.cssText = "display:flex;flex-wrap:wrap;align-items:flex-end;gap:0.25rem 0;margin:0.5rem 0";
  const clashAt = chain.ok ? -1 : chain.at;
  chain.shapes.forEach((shape, i) => {
    if (i > 0) row.append(sign(i === clashAt ? "≠" : "·", i === clashAt));
    const left = i === clashAt - 1, right = i === clashAt;
    row.append(box(shape, {label: formatShape(shape), ...(left || right ? {tone: "clash" as const, clashSide: left ? ("cols" as const) : ("rows" as const)} : {})}));
  });
  if (chain.ok) {
    row.append(sign("="), box(chain.result, {label: formatShape(chain.result), tone: "result"}));
  }
  const text = document.createElement("p");
  text.style.margin = "0.25rem 0";
  if (chain.ok) {
    const steps = chain.steps.map((s) => `${formatShape(s.left)} · ${formatShape(s.right)} = ${formatShape(s.out)}`).join("; then ");
    text.textContent = chain.shapes.length === 1 ? `A single ${formatShape(chain.result)} matrix.` : `${steps}. The product is ${formatShape(chain.result)}: the rows of the first matrix by the columns of the last.`;
  } else {
    text.textContent = `⚠ ${chain.message}`;
    text.style.color = CLASH_TEXT;
    text.style.fontWeight = "600";
  }
  root.append(row, text);
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", chain.ok ? `Matrix chain ${chain.shapes.map(formatShape).join(" times ")} equals ${formatShape(chain.result)}` : `Matrix chain ${chain.shapes.map(formatShape).join(" times ")}: shapes do not line up`);
  return root;
}
