// The run's data, from its description in a start message: MNIST (loaded once per worker, then
// split) or arrays the page sent. Flat Float32Arrays plus one sample's shape.
import {loadMnist, splitMnist} from "../data/mnist.js";
import type {DataSpec} from "./protocol.js";

export interface PreparedData {
  x: Float32Array;
  y: Float32Array;
  xShape: number[];
  yShape: number[];
  count: number;
  testX?: Float32Array;
  testY?: Float32Array;
  testCount: number;
  testLabels?: Uint8Array;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export async function prepareData(spec: DataSpec, progress: (what: string, loaded: number, total?: number) => void): Promise<PreparedData> {
  if (spec.kind === "inline") {
    const per = size(spec.xShape), perY = size(spec.yShape);
    const count = spec.x.length / per;
    if (!Number.isInteger(count) || spec.y.length !== count * perY) {
      throw new Error(`Inline data: x holds ${spec.x.length} numbers and y ${spec.y.length}; with xShape [${spec.xShape}] and yShape [${spec.yShape}] that is not a whole number of matching samples.`);
    }
    const testCount = spec.testX ? spec.testX.length / per : 0;
    return {x: spec.x, y: spec.y, xShape: spec.xShape, yShape: spec.yShape, count, testCount, ...(spec.testX ? {testX: spec.testX} : {}), ...(spec.testY ? {testY: spec.testY} : {}), ...(spec.testLabels ? {testLabels: spec.testLabels} : {})};
  }
  let last = 0;
  const set = await loadMnist({
    onProgress: ({what, loaded, total}) => {
      if (performance.now() - last < 100) return; // a few updates a second is plenty
      last = performance.now();
      progress(what, loaded, total);
    }
  });
  const {train, test} = splitMnist(set, spec);
  const target = spec.target ?? "self";
  const labelsAs = (labels: Uint8Array) => (target === "onehot" ? oneHot(labels) : Float32Array.from(labels));
  return {
    x: train.images,
    y: target === "self" ? train.images : labelsAs(train.labels),
    xShape: [784],
    yShape: target === "self" ? [784] : target === "onehot" ? [10] : [1],
    count: train.count,
    testX: test.images,
    testY: target === "self" ? test.images : labelsAs(test.labels),
    testCount: test.count,
    testLabels: test.labels
  };
}

function oneHot(labels: Uint8Array): Float32Array {
  const out = new Float32Array(labels.length * 10);
  labels.forEach((label, i) => (out[i * 10 + label] = 1));
  return out;
}
