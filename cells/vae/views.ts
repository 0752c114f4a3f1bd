// Lesson 6's pictures: rows of 28 × 28 digits drawn from pixel probabilities (ink dark on the
// light page, light on the dark one, via currentColor), with a text alternative.

/** A grid of digits from `images` (count × 784 probabilities of ink), `cols` per row. */
export function digitGrid(images: Float32Array | Float32Array[], options: {cols: number; label: string; caption?: string; scale?: number}): HTMLElement {
  const list = Array.isArray(images) ? images : Array.from({length: images.length / 784}, (_, i) => images.subarray(i * 784, (i + 1) * 784));
  const {cols, scale = 2} = options;
  const rows = Math.ceil(list.length / cols);
  const canvas = document.createElement("canvas");
  canvas.width = cols * 28;
  canvas.height = rows * 28;
  canvas.style.cssText = `width: min(100%, ${cols * 28 * scale}px); image-rendering: pixelated; display: block;`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", options.label);
  const context = canvas.getContext("2d");
  if (context) {
    const pixels = context.createImageData(canvas.width, canvas.height);
    list.forEach((image, k) => {
      const x0 = (k % cols) * 28, y0 = Math.floor(k / cols) * 28;
      for (let p = 0; p < 784; p++) {
        const at = 4 * ((y0 + Math.floor(p / 28)) * canvas.width + x0 + (p % 28));
        const ink = Math.round(255 * (1 - Math.min(1, Math.max(0, image[p]!))));
        pixels.data[at] = pixels.data[at + 1] = pixels.data[at + 2] = ink;
        pixels.data[at + 3] = 255;
      }
    });
    context.putImageData(pixels, 0, 0);
  }
  const figure = document.createElement("figure");
  figure.style.margin = "0";
  figure.append(canvas);
  if (options.caption) {
    const caption = document.createElement("figcaption");
    caption.textContent = options.caption;
    caption.style.cssText = "font-size: 0.85rem; margin-top: 0.25rem;";
    figure.append(caption);
  }
  return figure;
}

/** Points evenly spaced from a to b, ends included. */
export function interpolate(a: number[], b: number[], count: number): number[][] {
  return Array.from({length: count}, (_, i) => a.map((ai, d) => ai + ((b[d]! - ai) * i) / (count - 1)));
}
