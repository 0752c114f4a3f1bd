// Turns model data (./spec.ts) into a real, compiled tfl.LayersModel. Seeded: every random
// initializer gets a seed derived from the run's seed and its place, so a fixed seed gives
// identical weights on every backend and every re-run. (Dropout masks stay unseeded: tfjs reuses
// a seeded mask at every step, which would not be dropout.)
import {subSeed} from "../data/random.js";
import {tf, tfl} from "../tf/tfjs.js";
import {fastBinaryCrossentropy} from "../tf/fast-matmul.js";
import type {CompileArgs, Initializer, LayerName, LayerSpec, ModelData} from "./spec.js";

/** tfjs's default random initializers per layer; the rest (zeros, ones) need no seed. */
const RANDOM_DEFAULTS: Partial<Record<LayerName, Record<string, Initializer>>> = {
  dense: {kernelInitializer: "glorotUniform"},
  simpleRNN: {kernelInitializer: "glorotUniform", recurrentInitializer: "orthogonal"},
  lstm: {kernelInitializer: "glorotUniform", recurrentInitializer: "orthogonal"},
  gru: {kernelInitializer: "glorotUniform", recurrentInitializer: "orthogonal"}
};

export interface BuiltModel {
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  /** Per-sample loss, as compiled (tfjs-layers' own function for the loss name). */
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  /** Frees the weights and the optimizer's state. */
  dispose(): void;
}

export async function buildModel(data: ModelData, seed = 0): Promise<BuiltModel> {
  if (data.compiled === undefined) throw new Error("Compile the model before training it: model.compile({optimizer: \"adam\", loss: \"meanSquaredError\"}).");
  const model = data.kind === "sequential" ? buildSequential(data.layers, seed, data.name) : await buildFromTopology(data);
  const optimizer = makeOptimizer(data.compiled);
  try {
    model.compile({optimizer, loss: data.compiled.loss});
  } catch (error) {
    model.dispose();
    optimizer.dispose();
    throw error;
  }
  return {
    model,
    optimizer,
    // binaryCrossentropy: one wasm pass each way while Lectern's kernels are on (../tf/fast-matmul.ts).
    loss: data.compiled.loss === "binaryCrossentropy" ? fastBinaryCrossentropy(compiledLoss(model)) : compiledLoss(model),
    dispose() {
      model.dispose();
      optimizer.dispose(); // compile() does not own an optimizer it was handed
    }
  };
}

function buildSequential(layers: LayerSpec[], seed: number, name?: string): tfl.Sequential {
  return tfl.sequential({
    ...(name ? {name} : {}),
    layers: layers.map((spec, index) => {
      const args: Record<string, unknown> = {...RANDOM_DEFAULTS[spec.layer], ...spec.args};
      Object.keys(args).forEach((key, k) => {
        if (key.endsWith("Initializer")) args[key] = initializer(args[key] as Initializer, subSeed(seed, index * 16 + k));
      });
      const factory = tfl.layers[spec.layer] as (args: unknown) => tfl.layers.Layer;
      return factory(args);
    })
  }) as tfl.Sequential;
}

function initializer(spec: Initializer, seed: number): unknown {
  const {name, args = {}} = typeof spec === "string" ? {name: spec, args: {}} : spec;
  const factory = (tfl.initializers as unknown as Record<string, (args?: object) => unknown>)[name];
  if (typeof factory !== "function") throw new Error(`Unknown initializer "${name}".`);
  return name === "zeros" || name === "ones" ? factory() : factory({...args, seed});
}

async function buildFromTopology(data: Extract<ModelData, {kind: "topology"}>): Promise<tfl.LayersModel> {
  const model = await tfl.models.modelFromJSON(data.topology as Parameters<typeof tfl.models.modelFromJSON>[0]);
  if (data.weights) {
    const expected = model.weights.length;
    if (data.weights.length !== expected) {
      model.dispose();
      throw new Error(`The model has ${expected} weight tensors but ${data.weights.length} were given.`);
    }
    const tensors = data.weights.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  return model;
}

/** Optimizers as tfjs's compile strings make them (Keras's defaults), with one epsilon everywhere. */
export function makeOptimizer(c: CompileArgs): tf.Optimizer {
  const epsilon = c.epsilon ?? 1e-7;
  switch (c.optimizer) {
    case "sgd":
      return tf.train.sgd(c.learningRate ?? 0.01);
    case "momentum":
      return tf.train.momentum(c.learningRate ?? 0.01, c.momentum ?? 0.9);
    case "adam":
      return tf.train.adam(c.learningRate ?? 0.001, c.beta1 ?? 0.9, c.beta2 ?? 0.999, epsilon);
    case "adamax":
      return tf.train.adamax(c.learningRate ?? 0.002, c.beta1 ?? 0.9, c.beta2 ?? 0.999, epsilon, 0);
    case "adagrad":
      return tf.train.adagrad(c.learningRate ?? 0.01);
    case "adadelta":
      // tf.train.adadelta() defaults to 0.001 and barely learns; the 'adadelta' string gives 1.0.
      return tf.train.adadelta(c.learningRate ?? 1.0, c.rho ?? 0.95, epsilon);
    case "rmsprop":
      return tf.train.rmsprop(c.learningRate ?? 0.001, c.rho ?? 0.9, c.momentum ?? 0, epsilon);
  }
}

/** The loss compile() resolved, read from the model so the name means what tfjs means by it. */
function compiledLoss(model: tfl.LayersModel): BuiltModel["loss"] {
  // tfl.Sequential wraps an inner LayersModel that holds the compiled loss functions.
  const inner = (model as unknown as {model?: {lossFunctions?: BuiltModel["loss"][]}}).model ?? (model as unknown as {lossFunctions?: BuiltModel["loss"][]});
  const loss = inner.lossFunctions?.[0];
  if (loss === undefined) throw new Error("The compiled model has no loss function.");
  if ((inner.lossFunctions?.length ?? 0) > 1) throw new Error("The harness trains models with one output.");
  return loss;
}
