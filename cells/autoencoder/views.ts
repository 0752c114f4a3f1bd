// The lesson's pictures: originals above their reconstructions, one decoded digit, and the latent
// plane (2-unit bottleneck) as a picker: click a point, or move its two sliders, to choose a code.
import * as Plot from "@observablehq/plot";

/** A 28×28 canvas of `pixels` (0…1, clipped), dark ink on white, drawn at `scale`. */
export function digitCanvas(pixels: ArrayLike<number>, label: string, scale = 2): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 28;
  canvas.style.cssText = `width:${28 * scale}px;height:${28 * scale}px;image-rendering:pixelated;border-radius:3px;outline:1px solid var(--border, #999)`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const context = canvas.getContext("2d");
  if (context) {
    const image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - Math.round(255 * Math.min(1, Math.max(0, pixels[i]!)));
      image.data.set([v, v, v, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }
  return canvas;
}

/** Two rows: originals and the model's reconstructions of them, `count` digits. */
export function reconstructionGrid({originals, outputs, labels, count = 10, caption}: {originals: Float32Array; outputs?: Float32Array; labels?: Uint8Array; count?: number; caption: string}): HTMLElement {
  const figure = document.createElement("figure");
  figure.style.cssText = "margin:0.5rem 0";
  const row = (name: string, source: Float32Array | undefined) => {
    const div = document.createElement("div");
    div.style.cssText = "display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin-bottom:4px";
    const title = document.createElement("span");
    title.textContent = name;
    title.style.cssText = "width:7.5em;font-size:0.85rem";
    div.append(title);
    for (let k = 0; k < count; k++) {
      const what = labels ? `a ${labels[k]}` : `digit ${k + 1}`;
      div.append(source ? digitCanvas(source.subarray(k * 784, (k + 1) * 784), `${name}: ${what}`) : document.createElement("span"));
    }
    return div;
  };
  const text = document.createElement("figcaption");
  text.textContent = caption;
  text.style.cssText = "font-size:0.85rem;color:var(--fg-muted, inherit)";
  figure.append(row("original", originals), row("reconstruction", outputs), text);
  return figure;
}

export type LatentPicker = HTMLElement & {value: [number, number]; update(codes: Float32Array, labels: Uint8Array): void};

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** The 2-D latent plane: test digits' codes coloured by digit; a click (or the sliders) picks a point. */
export function latentPicker({width = 420}: {width?: number} = {}): LatentPicker {
  const root = document.createElement("div") as unknown as LatentPicker;
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "Pick a point of the latent plane");
  root.value = [0, 0];
  const plotBox = document.createElement("div");
  const sliders = document.createElement("div");
  sliders.style.cssText = "display:flex;flex-wrap:wrap;gap:0.4rem 1.2rem;font-size:0.9rem";
  const slider = (name: string, index: 0 | 1) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "range";
    input.step = "any";
    input.min = "-5";
    input.max = "5";
    input.value = "0";
    input.setAttribute("aria-label", `latent code ${name}`);
    const out = document.createElement("output");
    out.textContent = "0.00";
    input.addEventListener("input", () => {
      root.value = index === 0 ? [Number(input.value), root.value[1]] : [root.value[0], Number(input.value)];
      out.textContent = Number(input.value).toFixed(2);
      draw();
      root.dispatchEvent(new Event("input", {bubbles: true}));
    });
    label.append(`${name} `, input, " ", out);
    sliders.append(label);
    return {input, out};
  };
  const z1 = slider("z₁", 0), z2 = slider("z₂", 1);
  root.append(plotBox, sliders);
  let codes: ArrayLike<number> = new Float32Array(0), labels: ArrayLike<number> = new Uint8Array(0);
  let domain: [[number, number], [number, number]] = [[-5, 5], [-5, 5]];

  const set = (point: [number, number]) => {
    root.value = point;
    z1.input.value = String(point[0]);
    z2.input.value = String(point[1]);
    z1.out.textContent = point[0].toFixed(2);
    z2.out.textContent = point[1].toFixed(2);
    draw();
    root.dispatchEvent(new Event("input", {bubbles: true}));
  };

  function draw() {
    const points = Array.from(labels, (label, k) => ({z1: codes[2 * k]!, z2: codes[2 * k + 1]!, digit: String(label)}));
    const chart = Plot.plot({
      width,
      height: Math.round(width * 0.8),
      marginLeft: 45,
      marginBottom: 40,
      style: {background: "transparent", fontSize: "12px", cursor: "crosshair"},
      x: {label: "latent code z₁", domain: domain[0], labelAnchor: "center", labelArrow: "none"},
      y: {label: "latent code z₂", domain: domain[1], labelArrow: "none"},
      color: {domain: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], range: PALETTE, legend: true},
      marks: [
        Plot.dot(points, {x: "z1", y: "z2", fill: "digit", r: 2.5, fillOpacity: 0.8}),
        Plot.dot([root.value], {x: (d: number[]) => d[0], y: (d: number[]) => d[1], r: 7, stroke: "currentColor", strokeWidth: 2.5, fill: "none"})
      ],
      ariaLabel: `Latent plane: ${points.length} test digits placed by their 2 codes, coloured by digit; the picked point is (${root.value[0].toFixed(2)}, ${root.value[1].toFixed(2)}).`
    }) as unknown as HTMLElement & {scale(name: string): {invert?(v: number): number}};
    const svg = chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector(":scope > svg")!;
    svg.classList.add("latent-plane");
    svg.addEventListener("click", (event: Event) => {
      const {clientX, clientY} = event as MouseEvent;
      const box = svg.getBoundingClientRect();
      const sx = chart.scale("x"), sy = chart.scale("y");
      const viewWidth = (svg as unknown as SVGSVGElement).viewBox?.baseVal?.width || box.width;
      const k = viewWidth / box.width;
      const x = sx.invert?.((clientX - box.left) * k), y = sy.invert?.((clientY - box.top) * k);
      if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y)) set([x, y]);
    });
    plotBox.replaceChildren(chart);
  }

  root.update = (newCodes, newLabels) => {
    codes = newCodes;
    labels = newLabels;
    let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
    for (let k = 0; k < labels.length; k++) for (const j of [0, 1]) {
      lo[j] = Math.min(lo[j]!, codes[2 * k + j]!);
      hi[j] = Math.max(hi[j]!, codes[2 * k + j]!);
    }
    if (!(hi[0]! > lo[0]!)) (lo = [-5, -5]), (hi = [5, 5]);
    const pad = (j: number) => 0.05 * (hi[j]! - lo[j]!) || 1;
    domain = [[lo[0]! - pad(0), hi[0]! + pad(0)], [lo[1]! - pad(1), hi[1]! + pad(1)]];
    for (const [j, s] of [[0, z1], [1, z2]] as const) {
      s.input.min = String(domain[j][0]);
      s.input.max = String(domain[j][1]);
      s.input.step = String((domain[j][1] - domain[j][0]) / 100);
    }
    draw();
  };
  draw();
  return root;
}
