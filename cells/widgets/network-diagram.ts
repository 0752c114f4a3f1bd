// A reusable drawing of a dense network: nodes per layer, one edge per connection, edge width
// ∝ |weight|, colour (and dash) by sign, labels, and a text alternative. `diagramLayout` is the
// pure part (positions, styles, description; unit-tested in Node); `networkDiagram` draws it.

export interface NetworkDiagramOptions {
  /** Nodes per layer, inputs first: [2, 2, 1]. */
  sizes: number[];
  /** Per layer after the inputs, weights[l][i][j] from node i to node j; omitted: all edges alike. */
  weights?: number[][][];
  /** Per layer after the inputs, one bias per node (shown under small layers). */
  biases?: number[][];
  /** Per layer after the inputs, mask[l][i][j] = 0 for a connection that does not exist. */
  masks?: (number[][] | undefined)[];
  /** Per layer, a label per node; defaults x₁…, h₁…, ŷ₁…. */
  nodeLabels?: string[][];
  /** Per layer after the inputs, a short name drawn inside its nodes (σ, tanh, ReLU…). */
  activations?: string[];
  /** Names under the columns; defaults "input layer", "hidden layer", "output layer". */
  layerNames?: string[];
  /** |weight| drawn at the widest stroke; defaults to the largest |weight| shown. */
  weightScale?: number;
  /** Widest edge, in pixels (default 7). */
  maxStroke?: number;
  /** Nodes drawn per layer before the middle ones are elided (default 8). */
  maxNodes?: number;
  /** Print each weight on its edge (default: when there are at most 9 edges). */
  edgeLabels?: boolean;
  /** Draw removed connections as faint dotted lines (default true). */
  showMissing?: boolean;
  /** Drawing width in pixels (default 480). */
  width?: number;
  /** Accessible name, e.g. "The neuron". */
  title?: string;
}

export interface DiagramNode {
  layer: number;
  /** Index in its layer (the real one, even when middle nodes are elided). */
  index: number;
  x: number;
  y: number;
  label: string;
  /** Text inside the circle. */
  inner: string;
  bias?: number;
}

export interface DiagramEdge {
  /** Layer of the target node (1 = first weight layer). */
  layer: number;
  from: number;
  to: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  weight?: number;
  present: boolean;
  stroke: number;
  sign: "positive" | "negative" | "zero" | "none";
}

export interface DiagramLayout {
  width: number;
  height: number;
  radius: number;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  /** Where a layer's middle nodes are elided: a "⋮" at (x, y), and how many are hidden. */
  ellipses: {layer: number; x: number; y: number; hidden: number}[];
  columns: {x: number; name: string; size: number}[];
  /** One sentence a screen reader gets instead of the picture. */
  summary: string;
  /** Every connection in words (small networks only). */
  rows: {from: string; to: string; weight?: number; present: boolean}[];
}

const SUB = "₀₁₂₃₄₅₆₇₈₉";
const sub = (n: number) => String(n).replace(/\d/g, (d) => SUB[Number(d)]!);
export const formatWeight = (w: number) => (Math.abs(w) < 0.005 ? "0" : w.toFixed(2).replace(/^-/, "−"));

/** Which node indices of a layer of `size` are drawn, with at most `max` (first ones, then the last). */
export function shownIndices(size: number, max: number): number[] {
  if (size <= max) return Array.from({length: size}, (_, i) => i);
  return [...Array.from({length: max - 2}, (_, i) => i), size - 1];
}

export function diagramLayout(options: NetworkDiagramOptions): DiagramLayout {
  const {sizes, weights, biases, masks, activations, maxStroke = 7, maxNodes = 8, showMissing = true} = options;
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`A network diagram needs two or more layers of at least one node, got [${sizes.join(", ")}].`);
  weights?.forEach((w, l) => {
    if (w.length !== sizes[l] || w.some((row) => row.length !== sizes[l + 1])) throw new Error(`Weights of layer ${l + 1} should be ${sizes[l]}×${sizes[l + 1]}.`);
  });
  const width = options.width ?? 480;
  const last = sizes.length - 1;
  const shown = sizes.map((n) => shownIndices(n, maxNodes));
  const rowsMax = Math.max(...shown.map((s) => s.length + (s.length < sizes[shown.indexOf(s)]! ? 1 : 0)));
  const radius = Math.max(10, Math.min(20, width / (sizes.length * 5)));
  const gap = radius * (rowsMax <= 4 ? 3.2 : 2.6);
  const top = radius + 6, labelBand = 30;
  const height = Math.round(top + (rowsMax - 1) * gap + radius + labelBand);
  const left = radius + 34, right = width - radius - 40;
  const colX = (l: number) => (sizes.length === 1 ? width / 2 : left + ((right - left) * l) / last);
  const centre = top + ((rowsMax - 1) * gap) / 2;
  const defaultName = (l: number) => (l === 0 ? "input layer" : l === last ? "output layer" : "hidden layer");
  const defaultLabel = (l: number, i: number) => (l === 0 ? `x${sub(i + 1)}` : l === last ? (sizes[l] === 1 ? "ŷ" : `ŷ${sub(i + 1)}`) : `h${sub(i + 1)}`);

  const nodes: DiagramNode[] = [];
  const ellipses: DiagramLayout["ellipses"] = [];
  const position = new Map<string, DiagramNode>();
  shown.forEach((indices, l) => {
    const elided = indices.length < sizes[l]!;
    const slots = indices.length + (elided ? 1 : 0);
    const y0 = centre - ((slots - 1) * gap) / 2;
    indices.forEach((index, k) => {
      const slot = elided && k === indices.length - 1 ? k + 1 : k;
      const label = options.nodeLabels?.[l]?.[index] ?? defaultLabel(l, index);
      const node: DiagramNode = {layer: l, index, x: colX(l), y: y0 + slot * gap, label, inner: l === 0 ? label : activations?.[l - 1] ?? "", ...(biases && l > 0 && biases[l - 1]?.[index] !== undefined ? {bias: biases[l - 1]![index]!} : {})};
      nodes.push(node);
      position.set(`${l}:${index}`, node);
    });
    if (elided) ellipses.push({layer: l, x: colX(l), y: y0 + (indices.length - 1) * gap, hidden: sizes[l]! - indices.length + 1});
  });

  const present = (l: number, i: number, j: number) => !masks?.[l - 1] || !!masks[l - 1]![i]?.[j];
  let scale = options.weightScale ?? 0;
  if (!options.weightScale && weights) for (const w of weights) for (const row of w) for (const v of row) scale = Math.max(scale, Math.abs(v));
  const edges: DiagramEdge[] = [];
  for (let l = 1; l <= last; l++) {
    for (const i of shown[l - 1]!) {
      for (const j of shown[l]!) {
        const a = position.get(`${l - 1}:${i}`)!, b = position.get(`${l}:${j}`)!;
        const on = present(l, i, j);
        if (!on && !showMissing) continue;
        const weight = weights?.[l - 1]?.[i]?.[j];
        const magnitude = weight === undefined ? 0.35 : scale > 0 ? Math.min(1, Math.abs(weight) / scale) : 0;
        edges.push({
          layer: l, from: i, to: j, x1: a.x + radius, y1: a.y, x2: b.x - radius, y2: b.y, present: on,
          ...(weight !== undefined ? {weight} : {}),
          stroke: on ? Math.max(0.6, magnitude * maxStroke) : 1,
          sign: !on || weight === undefined ? "none" : Math.abs(weight) < 1e-9 ? "zero" : weight > 0 ? "positive" : "negative"
        });
      }
    }
  }

  const names = options.layerNames ?? sizes.map((_, l) => defaultName(l));
  const columns = sizes.map((size, l) => ({x: colX(l), name: names[l] ?? defaultName(l), size}));
  let connections = 0, possible = 0;
  for (let l = 1; l <= last; l++) {
    for (let i = 0; i < sizes[l - 1]!; i++) for (let j = 0; j < sizes[l]!; j++) (possible++, (connections += present(l, i, j) ? 1 : 0));
  }
  const hidden = sizes.slice(1, -1);
  const summary = `${options.title ? `${options.title}: a` : "A"} ${sizes.join("-")} network: ${sizes[0]} input${sizes[0] === 1 ? "" : "s"}, ` +
    `${hidden.length ? `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"} of ${hidden.join(", ")} neuron${hidden.length === 1 && hidden[0] === 1 ? "" : "s"}, ` : "no hidden layer, "}` +
    `${sizes[last]} output${sizes[last] === 1 ? "" : "s"}; ${connections} of ${possible} possible connections ` +
    `(${connections === possible ? "fully connected" : "sparsely connected"}), ${sizes.slice(1).reduce((a, b) => a + b, 0)} biases.`;
  const rows: DiagramLayout["rows"] = [];
  if (possible <= 64) {
    for (let l = 1; l <= last; l++) {
      for (let i = 0; i < sizes[l - 1]!; i++) {
        for (let j = 0; j < sizes[l]!; j++) {
          const weight = weights?.[l - 1]?.[i]?.[j];
          rows.push({from: options.nodeLabels?.[l - 1]?.[i] ?? defaultLabel(l - 1, i), to: options.nodeLabels?.[l]?.[j] ?? defaultLabel(l, j), present: present(l, i, j), ...(weight !== undefined ? {weight} : {})});
        }
      }
    }
  }
  return {width, height, radius, nodes, edges, ellipses, columns, summary, rows};
}

const SVG_NS = "http://www.w3.org/2000/svg";
// Mid-tone blue and orange: ≥ 3:1 against both the light and the dark page background.
const POSITIVE = "#3b82f6", NEGATIVE = "#ea580c";
let uid = 0;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The diagram as a <figure>: the SVG (role img, titled, described), a caption and the weights as a table. */
export function networkDiagram(options: NetworkDiagramOptions & {caption?: string}): HTMLElement {
  const layout = diagramLayout(options);
  const id = `network-diagram-${++uid}`;
  const figure = document.createElement("figure");
  figure.className = "network-diagram";
  figure.style.margin = "0.5rem 0";
  figure.style.maxWidth = `${layout.width}px`;
  const svg = el("svg", {viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, role: "img", "aria-labelledby": `${id}-title ${id}-desc`, style: "max-width: 100%; height: auto; font-family: var(--sans-serif, sans-serif); overflow: visible"});
  svg.append(el("title", {id: `${id}-title`}, options.title ?? "Network diagram"), el("desc", {id: `${id}-desc`}, layout.summary));
  const edgeLabels = options.edgeLabels ?? layout.edges.filter((e) => e.present).length <= 9;

  const edges = el("g", {"stroke-linecap": "round"});
  for (const e of layout.edges) {
    const colour = e.sign === "negative" ? NEGATIVE : e.sign === "positive" ? POSITIVE : "currentColor";
    edges.append(el("line", {
      x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, stroke: colour, "stroke-width": e.stroke.toFixed(2),
      ...(e.present ? {} : {"stroke-dasharray": "1 5", opacity: 0.45}),
      ...(e.sign === "negative" ? {"stroke-dasharray": `${Math.max(4, 2 * e.stroke)} ${Math.max(3, e.stroke)}`} : {}),
      ...(e.sign === "none" && e.present ? {opacity: 0.5} : {}),
      "data-layer": e.layer, "data-from": e.from, "data-to": e.to
    }));
  }
  svg.append(edges);
  if (edgeLabels) {
    const labels = el("g", {"font-size": 12, "text-anchor": "middle", fill: "currentColor", stroke: "var(--bg, #fff)", "stroke-width": 4, "paint-order": "stroke", "stroke-linejoin": "round"});
    for (const e of layout.edges) {
      if (!e.present || e.weight === undefined) continue;
      const t = 0.32;
      labels.append(el("text", {x: e.x1 + t * (e.x2 - e.x1), y: e.y1 + t * (e.y2 - e.y1) - 4, "font-variant-numeric": "tabular-nums"}, formatWeight(e.weight)));
    }
    svg.append(labels);
  }
  const r = layout.radius;
  const nodes = el("g", {});
  for (const n of layout.nodes) {
    const g = el("g", {"data-layer": n.layer, "data-index": n.index});
    g.append(el("circle", {cx: n.x, cy: n.y, r, fill: "var(--bg-soft, #f5f6f8)", stroke: "currentColor", "stroke-width": 1.5}));
    if (n.inner) g.append(el("text", {x: n.x, y: n.y, "text-anchor": "middle", "dominant-baseline": "central", "font-size": n.inner.length > 3 ? 10 : 13, fill: "currentColor"}, n.inner));
    const lastLayer = n.layer === layout.columns.length - 1;
    if (n.layer > 0 && lastLayer) g.append(el("text", {x: n.x + r + 6, y: n.y, "dominant-baseline": "central", "font-size": 14, fill: "currentColor"}, n.label));
    if (n.bias !== undefined && layout.nodes.filter((m) => m.layer === n.layer).length <= 4) {
      g.append(el("text", {x: n.x, y: n.y + r + 13, "text-anchor": "middle", "font-size": 11, fill: "currentColor", "font-variant-numeric": "tabular-nums"}, `b = ${formatWeight(n.bias)}`));
    }
    nodes.append(g);
  }
  svg.append(nodes);
  for (const e of layout.ellipses) {
    svg.append(el("text", {x: e.x, y: e.y + layout.radius * 1.3, "text-anchor": "middle", "dominant-baseline": "central", "font-size": 18, fill: "currentColor"}, "⋮"));
  }
  const names = el("g", {"font-size": 12, "text-anchor": "middle", fill: "currentColor", opacity: 0.8});
  for (const c of layout.columns) names.append(el("text", {x: c.x, y: layout.height - 6}, c.size > (options.maxNodes ?? 8) ? `${c.name} (${c.size})` : c.name));
  svg.append(names);
  figure.append(svg);

  const caption = document.createElement("figcaption");
  caption.style.fontSize = "0.9rem";
  caption.style.color = "var(--fg-muted, #57606a)";
  caption.textContent = options.caption ?? layout.summary;
  if (layout.rows.length && layout.rows.some((row) => row.weight !== undefined || !row.present)) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Connections as a table";
    const table = document.createElement("table");
    table.innerHTML = "<thead><tr><th scope=col>from</th><th scope=col>to</th><th scope=col>weight</th></tr></thead>";
    const body = document.createElement("tbody");
    for (const row of layout.rows) {
      const tr = document.createElement("tr");
      for (const text of [row.from, row.to, row.present ? (row.weight === undefined ? "present" : formatWeight(row.weight)) : "no connection"]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
    details.append(summary, table);
    caption.append(details);
  }
  figure.append(caption);
  return figure;
}
