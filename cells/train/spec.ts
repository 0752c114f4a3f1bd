// A model as plain data, written in tfjs's own words, so a page can describe a model without
// loading tfjs: `sequential({layers: [dense({units: 128, activation: "relu", inputShape: [784]})]})`
// then `model.compile({optimizer: "adam", loss: "meanSquaredError"})`, exactly as in tfjs. The
// worker turns it into a real tf.LayersModel (./build-model.ts). A real tfjs model can come too,
// as its toJSON() topology and weights (`fromTfjsModel`). Nothing here imports tfjs.

export type Activation =
  | "elu" | "hardSigmoid" | "linear" | "relu" | "relu6" | "selu" | "sigmoid" | "softmax"
  | "softplus" | "softsign" | "tanh" | "swish" | "mish" | "gelu" | "gelu_new";

export type InitializerName =
  | "glorotUniform" | "glorotNormal" | "heNormal" | "heUniform" | "leCunNormal" | "leCunUniform"
  | "orthogonal" | "randomNormal" | "randomUniform" | "truncatedNormal" | "zeros" | "ones" | "identity";
/** An initializer by tfjs name, or with its tfjs arguments (the seed is the run's). */
export type Initializer =
  | InitializerName
  | {name: InitializerName; args?: {mean?: number; stddev?: number; minval?: number; maxval?: number; gain?: number; value?: number}};

interface LayerCommon {
  name?: string;
  inputShape?: number[];
  batchInputShape?: (number | null)[];
  trainable?: boolean;
}
export interface DenseArgs extends LayerCommon {
  units: number;
  activation?: Activation;
  useBias?: boolean;
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
}
export interface RecurrentArgs extends LayerCommon {
  units: number;
  activation?: Activation;
  recurrentActivation?: Activation;
  useBias?: boolean;
  returnSequences?: boolean;
  unitForgetBias?: boolean;
  kernelInitializer?: Initializer;
  recurrentInitializer?: Initializer;
  biasInitializer?: Initializer;
}

/** The tf.layers factories this harness can rebuild from data, with their arguments. */
export interface LayerArgs {
  dense: DenseArgs;
  dropout: LayerCommon & {rate: number; seed?: number};
  activation: LayerCommon & {activation: Activation};
  leakyReLU: LayerCommon & {alpha?: number};
  flatten: LayerCommon;
  reshape: LayerCommon & {targetShape: number[]};
  batchNormalization: LayerCommon & {momentum?: number; epsilon?: number};
  gaussianNoise: LayerCommon & {stddev: number};
  simpleRNN: RecurrentArgs;
  lstm: RecurrentArgs;
  gru: RecurrentArgs;
}
export type LayerName = keyof LayerArgs;
export type LayerSpec = {[N in LayerName]: {layer: N; args: LayerArgs[N]}}[LayerName];

const LAYER_NAMES: readonly LayerName[] = ["dense", "dropout", "activation", "leakyReLU", "flatten", "reshape", "batchNormalization", "gaussianNoise", "simpleRNN", "lstm", "gru"];

const layer = <N extends LayerName>(name: N) => (args: LayerArgs[N]): LayerSpec => ({layer: name, args: {...args}}) as LayerSpec;
export const dense = layer("dense");
export const dropout = layer("dropout");
export const activation = layer("activation");
export const leakyReLU = (args: LayerArgs["leakyReLU"] = {}) => layer("leakyReLU")(args);
export const flatten = (args: LayerArgs["flatten"] = {}) => layer("flatten")(args);
export const reshape = layer("reshape");
export const batchNormalization = (args: LayerArgs["batchNormalization"] = {}) => layer("batchNormalization")(args);
export const gaussianNoise = layer("gaussianNoise");
export const simpleRNN = layer("simpleRNN");
export const lstm = layer("lstm");
export const gru = layer("gru");

export type OptimizerName = "sgd" | "momentum" | "adam" | "adamax" | "adagrad" | "adadelta" | "rmsprop";
export type LossName =
  | "meanSquaredError" | "meanAbsoluteError" | "meanAbsolutePercentageError" | "meanSquaredLogarithmicError"
  | "squaredHinge" | "hinge" | "categoricalHinge" | "logcosh" | "categoricalCrossentropy"
  | "sparseCategoricalCrossentropy" | "binaryCrossentropy" | "kullbackLeiblerDivergence" | "poisson" | "cosineProximity";

/** tfjs's `compile` arguments, as data: the optimizer by name, its settings beside it. */
export interface CompileArgs {
  optimizer: OptimizerName;
  loss: LossName;
  /** Defaults as the optimizer string does in tfjs and Keras: adam 0.001, sgd 0.01, adadelta 1.0 … */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  /** Defaults to 1e-7 on every backend (tfjs would take 1e-4 from WebGL: curves would differ). */
  epsilon?: number;
  rho?: number;
  momentum?: number;
}

export const OPTIMIZERS: readonly OptimizerName[] = ["sgd", "momentum", "adam", "adamax", "adagrad", "adadelta", "rmsprop"];
export const LOSSES: readonly LossName[] = [
  "meanSquaredError", "meanAbsoluteError", "meanAbsolutePercentageError", "meanSquaredLogarithmicError",
  "squaredHinge", "hinge", "categoricalHinge", "logcosh", "categoricalCrossentropy",
  "sparseCategoricalCrossentropy", "binaryCrossentropy", "kullbackLeiblerDivergence", "poisson", "cosineProximity"
];

/** What crosses to the worker: a layer stack or a tfjs topology, and how to train it. */
export type ModelData =
  | {kind: "sequential"; layers: LayerSpec[]; name?: string; compiled?: CompileArgs}
  | {kind: "topology"; topology: object; weights?: WeightData[]; compiled?: CompileArgs};
export interface WeightData {
  shape: number[];
  values: Float32Array;
}

/** tf.sequential's twin: holds the layers as data; `compile` records the training settings. */
export class SequentialSpec {
  readonly kind = "sequential";
  readonly layers: LayerSpec[];
  readonly name?: string;
  compiled?: CompileArgs;

  constructor(args: {layers: LayerSpec[]; name?: string}) {
    this.layers = [...args.layers];
    if (args.name !== undefined) this.name = args.name;
    checkLayers(this.layers);
  }

  /** As tfjs's model.compile: settles optimizer and loss (checked here, so typos fail early). */
  compile(args: CompileArgs): void {
    this.compiled = checkCompile(args);
  }

  /** Weights + biases, as tfjs's countParams() would say (dense stacks and shape-only layers). */
  countParams(): number {
    return layerParams(this.layers).reduce((a, b) => a + b, 0);
  }
}

export function sequential(args: {layers: LayerSpec[]; name?: string}): SequentialSpec {
  return new SequentialSpec(args);
}

/** The duck type of a tf.LayersModel this module reads (so it need not import tfjs). */
export interface TfjsModelLike {
  toJSON(unused?: null, returnString?: boolean): unknown;
  getWeights(): {shape: number[]; data(): Promise<ArrayLike<number>>}[];
  loss?: unknown;
  optimizer?: {getClassName(): string; getConfig(): Record<string, unknown>};
}

/** A real tfjs model (e.g. from a lesson's literal tfjs code) as data the worker can rebuild,
 *  with its current weights. Compile settings come from `compile`, else from the model's own. */
export async function fromTfjsModel(model: TfjsModelLike, compile?: CompileArgs): Promise<ModelData> {
  const weights = await Promise.all(model.getWeights().map(async (w) => ({shape: [...w.shape], values: Float32Array.from(await w.data())})));
  const topology = model.toJSON(null, false) as object;
  const compiled = compile ? checkCompile(compile) : compileOf(model);
  return {kind: "topology", topology, weights, ...(compiled ? {compiled} : {})};
}

function compileOf(model: TfjsModelLike): CompileArgs | undefined {
  if (typeof model.loss !== "string" || model.optimizer === undefined) return undefined;
  const optimizerNames: Record<string, OptimizerName> = {
    SGD: "sgd", Momentum: "momentum", Adam: "adam", Adamax: "adamax", Adagrad: "adagrad", Adadelta: "adadelta", RMSProp: "rmsprop"
  };
  const optimizer = optimizerNames[model.optimizer.getClassName()];
  if (optimizer === undefined) throw new Error(`The harness cannot rebuild a ${model.optimizer.getClassName()} optimizer; pass compile settings to fromTfjsModel.`);
  const config = model.optimizer.getConfig();
  const number = (key: string) => (typeof config[key] === "number" ? (config[key] as number) : undefined);
  const settings: CompileArgs = {optimizer, loss: model.loss as LossName};
  for (const [key, from] of [["learningRate", "learningRate"], ["beta1", "beta1"], ["beta2", "beta2"], ["epsilon", "epsilon"], ["rho", "rho"], ["momentum", "momentum"]] as const) {
    const value = number(from);
    if (value !== undefined) settings[key] = value;
  }
  return checkCompile(settings);
}

/** Plain data for postMessage, whether given a SequentialSpec or ModelData. */
export function modelData(model: SequentialSpec | ModelData): ModelData {
  if (model instanceof SequentialSpec) {
    return {kind: "sequential", layers: model.layers, ...(model.name ? {name: model.name} : {}), ...(model.compiled ? {compiled: model.compiled} : {})};
  }
  return model;
}

export function checkCompile(args: CompileArgs): CompileArgs {
  if (!OPTIMIZERS.includes(args.optimizer)) {
    throw new Error(`Unknown optimizer "${String(args.optimizer)}". Use one of: ${OPTIMIZERS.join(", ")}.`);
  }
  if (!LOSSES.includes(args.loss)) {
    const hint = /_/.test(String(args.loss)) ? ` tfjs spells Keras's snake_case names in camelCase (binary_crossentropy → binaryCrossentropy).` : "";
    throw new Error(`Unknown loss "${String(args.loss)}". Use one of: ${LOSSES.join(", ")}.${hint}`);
  }
  for (const key of ["learningRate", "beta1", "beta2", "epsilon", "rho", "momentum"] as const) {
    const value = args[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new Error(`compile: ${key} must be a number ≥ 0, got ${value}.`);
  }
  return {...args};
}

function checkLayers(layers: LayerSpec[]): void {
  if (layers.length === 0) throw new Error("sequential() needs at least one layer.");
  layers.forEach((spec, i) => {
    if (!LAYER_NAMES.includes(spec?.layer)) throw new Error(`Layer ${i + 1}: "${String(spec?.layer)}" is not a layer this harness builds (${LAYER_NAMES.join(", ")}).`);
    const args = spec.args as {units?: unknown};
    if (["dense", "simpleRNN", "lstm", "gru"].includes(spec.layer) && !(Number.isInteger(args.units) && (args.units as number) > 0)) {
      throw new Error(`Layer ${i + 1} (${spec.layer}): units must be a whole number ≥ 1, got ${String(args.units)}.`);
    }
  });
  const first = layers[0]!.args;
  if (first.inputShape === undefined && first.batchInputShape === undefined) {
    throw new Error(`The first layer needs inputShape, e.g. ${layers[0]!.layer}({…, inputShape: [784]}), as in tfjs.`);
  }
}

/** Parameters per layer, following shapes from the first layer's inputShape. */
export function layerParams(layers: LayerSpec[]): number[] {
  const first = layers[0]!.args;
  let shape: number[] = first.inputShape ?? (first.batchInputShape ?? []).slice(1).map((d) => d ?? NaN);
  return layers.map((spec) => {
    const last = shape[shape.length - 1]!;
    switch (spec.layer) {
      case "dense": {
        const {units, useBias = true} = spec.args;
        shape = [...shape.slice(0, -1), units];
        return last * units + (useBias ? units : 0);
      }
      case "simpleRNN":
      case "lstm":
      case "gru": {
        const {units, useBias = true, returnSequences = false} = spec.args;
        const gates = {simpleRNN: 1, lstm: 4, gru: 3}[spec.layer];
        // tfjs's GRU keeps one bias vector per gate (resetAfter is not supported), like Keras 1.
        const count = gates * (last * units + units * units + (useBias ? units : 0));
        shape = returnSequences ? [...shape.slice(0, -1), units] : [units];
        return count;
      }
      case "batchNormalization":
        return 4 * last; // gamma, beta (trained) and moving mean, variance (tracked), as tfjs counts
      case "flatten":
        shape = [shape.reduce((a, b) => a * b, 1)];
        return 0;
      case "reshape":
        shape = [...spec.args.targetShape];
        return 0;
      default:
        return 0;
    }
  });
}
