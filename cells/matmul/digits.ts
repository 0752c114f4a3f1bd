// Test digits with the classifier's answer under each: what "92 % accuracy" looks like.
import {classificationAccuracy} from "./classifier.js";

/** One labelled picture per digit: pixels (784 values in 0…1) drawn 2× on a canvas, the guess under it. */
export function digitPredictions({images, labels, outputs, count = 10}: {images: Float32Array; labels: Uint8Array; outputs?: Float32Array; count?: number}): HTMLElement {
  const root = document.createElement("div");
  root.style.cssText = "display:flex;flex-wrap:wrap;gap:0.9rem 0.7rem;margin:0.5rem 0";
  root.setAttribute("role", "list");
  root.setAttribute("aria-label", "Test digits with the network's guesses");
  for (let k = 0; k < Math.min(count, labels.length); k++) {
    const guess = outputs ? argmax(outputs.subarray(k * 10, k * 10 + 10)) : undefined;
    const right = guess === labels[k];
    const figure = document.createElement("figure");
    figure.setAttribute("role", "listitem");
    figure.style.cssText = "margin:0;display:flex;flex-direction:column;align-items:center;gap:4px;font:0.85rem/1.2 var(--sans-serif, sans-serif)";
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 28;
    canvas.style.cssText = `width:56px;height:56px;image-rendering:pixelated;border-radius:4px;outline:${guess === undefined ? "1px solid var(--border, #ccc)" : right ? "2px solid #3b82f6" : "3px dashed #ea580c"};outline-offset:1px`;
    canvas.setAttribute("role", "img");
    const context = canvas.getContext("2d");
    if (context) {
      const pixels = context.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const v = 255 - Math.round(255 * images[k * 784 + i]!); // dark ink on white paper
        pixels.data.set([v, v, v, 255], 4 * i);
      }
      context.putImageData(pixels, 0, 0);
    }
    const caption = document.createElement("figcaption");
    caption.textContent = guess === undefined ? `a ${labels[k]}` : right ? `${guess} ✓` : `${guess} ✗ (a ${labels[k]})`;
    canvas.setAttribute("aria-label", guess === undefined ? `A handwritten ${labels[k]}` : `A handwritten ${labels[k]}; the network says ${guess}${right ? ", right" : ", wrong"}`);
    figure.append(canvas, caption);
    root.append(figure);
  }
  return root;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

export {classificationAccuracy};
