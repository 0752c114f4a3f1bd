// Counting a dense network's parameters: each layer has (inputs × units) weights and one bias per unit.
import {checkWidths} from "./shapes.js";

export interface LayerCount {
  /** 1 for the first layer after the inputs. */
  layer: number;
  inputs: number;
  units: number;
  weights: number;
  biases: number;
  total: number;
}

export function parameterCounts(widths: number[]): {layers: LayerCount[]; weights: number; biases: number; total: number} {
  checkWidths(widths);
  const layers = widths.slice(1).map((units, l) => {
    const inputs = widths[l]!;
    return {layer: l + 1, inputs, units, weights: inputs * units, biases: units, total: inputs * units + units};
  });
  const sum = (key: "weights" | "biases" | "total") => layers.reduce((s, x) => s + x[key], 0);
  return {layers, weights: sum("weights"), biases: sum("biases"), total: sum("total")};
}

/**
 * Every network with `depth` widths between 1 and `maxWidth` (inputs first) whose weights and
 * biases add up to `total`: the slide's "32 parameters" does not pin down one architecture.
 */
export function networksWithParameters(total: number, {minLayers = 2, maxLayers = 4, maxWidth = 8}: {minLayers?: number; maxLayers?: number; maxWidth?: number} = {}): number[][] {
  const found: number[][] = [];
  const extend = (widths: number[], count: number) => {
    if (widths.length >= minLayers && count === total) found.push(widths);
    if (widths.length === maxLayers) return;
    const last = widths[widths.length - 1]!;
    for (let n = 1; n <= maxWidth; n++) {
      const next = count + last * n + n;
      if (next <= total) extend([...widths, n], next);
    }
  };
  for (let n = 1; n <= maxWidth; n++) extend([n], 0);
  return found;
}
