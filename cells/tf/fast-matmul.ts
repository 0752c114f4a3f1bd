// A faster matMul for the wasm backend. tfjs-backend-wasm 4.22.0 runs XNNPACK only when neither
// operand is transposed; a transposed operand falls to a scalar loop (~2.5–3 GFLOP/s), and a dense
// layer's backward pass transposes both ways. This registers, as the wasm backend's BatchMatMul
// and _FusedMatMul, a register-blocked wasm SIMD kernel (kernels/matmul.ts, compiled into
// ./matmul-wasm.ts) that packs either operand as it reads it, so all four transpose cases run at
// the same speed, with bias and activation applied in the same call.
//
// It reads and writes tensors in place in the backend's own WebAssembly.Memory (the module imports
// it): the backend's data map gives each tensor's byte offset, outputs come from the backend's
// allocator (makeOutput), scratch from its malloc. Those are tfjs internals, so tfjs is pinned to
// an exact version and `installFastMatMul` checks them (shape of the objects, a probe tensor, and
// the kernel against the stock one on small odd sizes) before registering anything; if they are
// not what it expects it says so with console.warn and leaves the stock kernels in place
// (test/cells/fast-matmul.test.ts fails then too). Anything the kernel does not cover (other
// dtypes, prelu, a bias that is not one value per column, batch shapes that broadcast both ways)
// goes to the kernel registered before it.
//
// With it, for the same reasons (fewer, fuller passes over memory, same float32 results):
// Identity without a copy, Sum over leading axes in one pass, AdamOptimizer's per-variable update
// in one pass, and (for harness models compiled with it) binary cross-entropy in one pass each
// way, and lesson 11's LSTM and vanilla RNN over a whole sequence as one kernel each way
// (./fused-sequence.ts). `?kernels=stock` (./backend-names.ts) and removeFastMatMul() put all of
// tfjs's back.
import {tf} from "./tfjs.js";
import {MATMUL_WASM_RELAXED, MATMUL_WASM_SIMD} from "./matmul-wasm.js";
import {setFusedSequence} from "./fused-sequence.js";

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
type KernelArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/** The parts of tfjs-backend-wasm's BackendWasm this relies on (4.22.0). */
interface WasmBackendInternals {
  wasm: {asm?: {memory?: unknown}; _malloc?: (bytes: number) => number; _free?: (pointer: number) => void};
  dataIdMap: {get(dataId: object): {memoryOffset?: unknown; shape?: number[]; dtype?: string} | undefined};
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface KernelExports {
  gatherRows(x: number, indices: number, out: number, count: number, rowBytes: number): void;
  reluGrad(dy: number, x: number, out: number, n: number): void;
  sigmoidGrad(dy: number, y: number, out: number, n: number): void;
  sumRows(x: number, out: number, rows: number, cols: number): void;
  bceForward(p: number, t: number, out: number, rows: number, n: number, eps: number, oneMinusEps: number): void;
  bceBackward(p: number, t: number, g: number, dp: number, dt: number, rows: number, n: number, eps: number, oneMinusEps: number): void;
  adam(x: number, g: number, m: number, v: number, outX: number, outM: number, outV: number, n: number, beta1: number, oneMinusBeta1: number,
    beta2: number, oneMinusBeta2: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number, negLr: number, eps: number): void;
  matmul(a: number, b: number, c: number, batches: number, strideA: number, strideB: number, m: number, n: number, k: number,
    transA: number, transB: number, bias: number, activation: number, alpha: number, scratch: number): void;
  scratchBytes(m: number, n: number, k: number): number;
  sequenceWorkFloats(gates: number, batch: number, steps: number, m: number, n: number): number;
  sequenceScratchBytes(gates: number, batch: number, steps: number, m: number, n: number, backward: number): number;
  sequenceForward(gates: number, xs: number, w: number, bias: number, hOut: number, work: number, batch: number, steps: number, m: number, n: number, scratch: number): void;
  sequenceBackward(gates: number, w: number, work: number, dhIn: number, dxs: number, dW: number, db: number, batch: number, steps: number, m: number, n: number, scratch: number): void;
}

/** tfjs activation names → the kernel's numbers (kernels/matmul.ts). */
const ACTIVATIONS: Record<string, number> = {linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5};
const KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;
/** Also replaced: Identity, which tfjs-backend-wasm implements as a copy. The engine clones every
 *  tensor it saves for a gradient (19 activations of 256×784 per autoencoder step), so the copy
 *  costs megabytes per step; like the cpu backend's, ours shares the input's memory (refcounted,
 *  as the wasm backend's own Reshape does). */
const REPLACED = [...KERNELS, "Identity", "Sum", "GatherV2"] as const;

interface Installed {
  module: WebAssembly.Module;
  variant: string;
  /** The kernels registered before ours (what we fall back to, and put back on removal). */
  previous: Map<string, KernelConfig>;
  /** tfjs's gradients for Relu and Sigmoid, put back on removal. */
  gradients: Map<string, NonNullable<ReturnType<typeof tf.getGradient>>>;
  /** tfjs's AdamOptimizer.prototype.applyGradients, put back on removal. */
  adam: AdamOptimizerInternals["applyGradients"];
}

/** The parts of tfjs-core 4.22's AdamOptimizer the one-pass Adam relies on. */
interface AdamOptimizerInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({originalName: string; variable: tf.Variable} | undefined)[];
  accumulatedSecondMoment: ({originalName: string; variable: tf.Variable} | undefined)[];
  applyGradients(variableGradients: tf.NamedTensorMap | {name: string; tensor: tf.Tensor}[]): void;
  incrementIterations(): void;
}
const ADAM_KERNEL = "LecternAdam";
const BCE_KERNEL = "LecternBinaryCrossentropy";
const BCE_GRAD_KERNEL = "LecternBinaryCrossentropyGrad";
const SEQUENCE_KERNEL = "LecternRnnSequence";
const SEQUENCE_GRAD_KERNEL = "LecternRnnSequenceGrad";
let installed: Installed | undefined;
/** Per backend memory: the kernel instance and its scratch area in that memory. */
const instances = new WeakMap<object, {exports: KernelExports; scratch: number; scratchBytes: number}>();
/** Kernel calls since install, by path (tests read it to see the kernel really ran). */
export const fastMatMulCalls = {fast: 0, fallback: 0, loss: 0, sequence: 0};

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Why the wasm backend's internals are not what the kernel expects; null when they are. */
export function fastMatMulProblem(backend: unknown): string | null {
  const b = backend as Partial<WasmBackendInternals> | undefined;
  if (!b || typeof b !== "object") return "no wasm backend object";
  if (!b.wasm || typeof b.wasm !== "object") return "backend.wasm (the Emscripten module) is missing";
  if (!(b.wasm.asm?.memory instanceof WebAssembly.Memory)) return "backend.wasm.asm.memory is not a WebAssembly.Memory";
  if (typeof b.wasm._malloc !== "function" || typeof b.wasm._free !== "function") return "backend.wasm._malloc/_free are missing";
  if (typeof b.dataIdMap?.get !== "function") return "backend.dataIdMap.get is missing";
  if (typeof b.makeOutput !== "function") return "backend.makeOutput is missing";
  // A probe tensor: its data map entry must give the byte offset of its values in that memory.
  const values = [1.5, -2.25, 3, 0.125, 7];
  const probe = tf.tensor1d(values);
  try {
    const entry = b.dataIdMap.get(probe.dataId);
    const offset = entry?.memoryOffset;
    if (typeof offset !== "number" || offset % 4 !== 0) return "the data map gives no memoryOffset for a tensor";
    const seen = new Float32Array(b.wasm.asm.memory.buffer, offset, values.length);
    if (!values.every((v, i) => seen[i] === v)) return "a tensor's values are not at its memoryOffset";
  } finally {
    probe.dispose();
  }
  return null;
}

/** The instance bound to this backend's memory (made on first use; null if it cannot be). */
function instanceFor(backend: WasmBackendInternals): {exports: KernelExports; scratch: number; scratchBytes: number} | null {
  const memory = backend.wasm.asm?.memory as WebAssembly.Memory | undefined;
  if (!installed || !(memory instanceof WebAssembly.Memory)) return null;
  let state = instances.get(memory);
  if (!state) {
    const instance = new WebAssembly.Instance(installed.module, {env: {memory}});
    state = {exports: instance.exports as unknown as KernelExports, scratch: 0, scratchBytes: 0};
    instances.set(memory, state);
  }
  return state;
}

/** A tensor's byte offset in the backend's memory (its data map entry; checked by fastMatMulProblem). */
const addressOf = (backend: WasmBackendInternals) => (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId)!.memoryOffset as number;

function scratchFor(backend: WasmBackendInternals, state: {scratch: number; scratchBytes: number}, bytes: number): number {
  if (bytes > state.scratchBytes) {
    if (state.scratch) backend.wasm._free!(state.scratch);
    // Grow by half again so a run of slowly growing sizes does not reallocate every call.
    state.scratchBytes = Math.max(bytes, Math.ceil(state.scratchBytes * 1.5));
    state.scratch = backend.wasm._malloc!(state.scratchBytes) >>> 0;
  }
  return state.scratch;
}

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Our kernel for both names; `previous` handles what it does not cover. */
function fastKernel(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const previous = installed?.previous.get(name);
  const fallback = () => {
    fastMatMulCalls.fallback++;
    return previous!.kernelFunc(args);
  };
  const {inputs, attrs} = args;
  const backend = args.backend as unknown as WasmBackendInternals;
  const {a, b, bias, preluActivationWeights} = inputs as Record<string, tf.TensorInfo | undefined>;
  const {transposeA = false, transposeB = false, activation = "linear", leakyreluAlpha = 0.2} = (attrs ?? {}) as {
    transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number;
  };
  if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2) return fallback();
  const act = ACTIVATIONS[activation];
  if (act === undefined || preluActivationWeights) return fallback();
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const batchA = size(a.shape.slice(0, -2)), batchB = size(b.shape.slice(0, -2));
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batches = Math.max(batchA, batchB);
  // Only one side may broadcast, and only as a single matrix.
  if ((batchA !== batchB && batchA !== 1 && batchB !== 1) || size(batchShape) !== batches) return fallback();
  if (bias && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== n)) return fallback();
  const state = instanceFor(backend);
  if (!state) return fallback();
  fastMatMulCalls.fast++;
  const out = backend.makeOutput([...batchShape, m, n], "float32");
  if (batches * m * n === 0) return out;
  const scratch = scratchFor(backend, state, state.exports.scratchBytes(m, n, k));
  const offset = addressOf(backend);
  state.exports.matmul(
    offset(a), offset(b), offset(out), batches, batchA === 1 ? 0 : m * k * 4, batchB === 1 ? 0 : k * n * 4,
    m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0, bias ? offset(bias) : 0, act, leakyreluAlpha, scratch
  );
  return out;
}

/** Identity without a copy: the output shares the input's data (one more reference to it). */
function identityKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const x = (args.inputs as Record<string, tf.TensorInfo>).x!;
  if (x.dtype === "string") return installed!.previous.get("Identity")!.kernelFunc(args);
  (args.backend as tf.KernelBackend).incRef(x.dataId);
  return {dataId: x.dataId, shape: x.shape, dtype: x.dtype};
}

/** dy·step(x) or dy·y(1 − y) in one pass (kernels/matmul.ts `reluGrad`, `sigmoidGrad`). */
function activationGradKernel(which: "reluGrad" | "sigmoidGrad") {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as unknown as WasmBackendInternals;
    const {dy, x} = args.inputs as Record<string, tf.TensorInfo>;
    const out = backend.makeOutput(dy!.shape, "float32");
    const offset = addressOf(backend);
    instanceFor(backend)!.exports[which](offset(dy!), offset(x!), offset(out), size(dy!.shape));
    return out;
  };
}
const ACTIVATION_GRADS = {Relu: ["LecternReluGrad", "reluGrad"], Sigmoid: ["LecternSigmoidGrad", "sigmoidGrad"]} as const;

/** Relu's and Sigmoid's gradients as one kernel each on wasm while ours are on; tfjs's elsewhere. */
function activationGradConfig(name: keyof typeof ACTIVATION_GRADS, stock: NonNullable<ReturnType<typeof tf.getGradient>>): NonNullable<ReturnType<typeof tf.getGradient>> {
  return {
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const d = dy as tf.Tensor, x = saved[0]!;
      if (!installed || tf.getBackend() !== "wasm" || d.dtype !== "float32" || x.dtype !== "float32" || !tf.util.arraysEqual(d.shape, x.shape)) {
        return stock.gradFunc(dy, saved, attrs);
      }
      return {x: () => tf.engine().runKernel(ACTIVATION_GRADS[name][0], {dy: d, x}) as tf.Tensor};
    }
  };
}

/** tf.gather along axis 0 (a batch of rows from a data set; tfjs-wasm's generic gather takes
 *  ~5 ms for 256 MNIST rows) as one copy per row; tfjs's kernel for anything else. */
function gatherKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const {x, indices} = args.inputs as Record<string, tf.TensorInfo>;
  const {axis = 0, batchDims = 0} = args.attrs as unknown as {axis?: number; batchDims?: number};
  const stock = () => installed!.previous.get("GatherV2")!.kernelFunc(args);
  if (!x || !indices || !["float32", "int32", "bool"].includes(x.dtype) || indices.dtype !== "int32" || batchDims !== 0 || x.shape.length < 1) return stock();
  if (tf.util.parseAxisParam(axis, x.shape)[0] !== 0) return stock();
  const backend = args.backend as unknown as WasmBackendInternals;
  const memory = backend.wasm.asm!.memory as WebAssembly.Memory;
  const count = size(indices.shape), rows = x.shape[0]!;
  const at = addressOf(backend)(indices);
  const ids = new Int32Array(memory.buffer, at, count);
  for (let i = 0; i < count; i++) if (!(ids[i]! >= 0 && ids[i]! < rows)) return stock(); // tfjs's kernel says which index is wrong
  const rowElements = size(x.shape.slice(1));
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  if (count * rowElements === 0) return out;
  const offset = addressOf(backend);
  instanceFor(backend)!.exports.gatherRows(offset(x), offset(indices), offset(out), count, rowElements * (x.dtype === "bool" ? 1 : 4));
  return out;
}

/** Sum over leading axes of a float32 tensor (a dense layer's bias gradient) in one pass;
 *  tfjs's kernel (which transposes first) for any other reduction. */
function sumKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const x = (args.inputs as Record<string, tf.TensorInfo>).x!;
  const {axis, keepDims = false} = args.attrs as unknown as {axis: number | number[]; keepDims?: boolean};
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== "float32" || !leading || size(x.shape) === 0) return installed!.previous.get("Sum")!.kernelFunc(args);
  const backend = args.backend as unknown as WasmBackendInternals;
  const rest = x.shape.slice(axes.length);
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, "float32");
  const offset = addressOf(backend);
  instanceFor(backend)!.exports.sumRows(offset(x), offset(out), size(x.shape.slice(0, axes.length)), size(rest));
  return out;
}

/** One Adam step for one variable in one pass (kernels/matmul.ts `adam`): outputs x', m', v'. */
function adamKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendInternals;
  const {x, g, m, v} = args.inputs as Record<string, tf.TensorInfo>;
  const a = args.attrs as unknown as {beta1: number; beta2: number; oneMinusAccBeta1: number; oneMinusAccBeta2: number; learningRate: number; epsilon: number};
  const state = instanceFor(backend)!;
  const outs = [x!, m!, v!].map((t) => backend.makeOutput(t.shape, "float32"));
  const offset = addressOf(backend);
  state.exports.adam(offset(x!), offset(g!), offset(m!), offset(v!), offset(outs[0]!), offset(outs[1]!), offset(outs[2]!), size(x!.shape),
    a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2, -a.learningRate, a.epsilon);
  return outs;
}

/** AdamOptimizer.applyGradients with the per-variable arithmetic in one kernel on the wasm
 *  backend (about a dozen kernel launches fewer per variable); tfjs's own method elsewhere, or
 *  for anything not float32. Same state (moments, accBeta), same float32 results. */
function fusedApplyGradients(this: AdamOptimizerInternals, variableGradients: tf.NamedTensorMap | {name: string; tensor: tf.Tensor}[]): void {
  const original = installed?.adam;
  const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  const gradientOf = (name: string, i: number) => (Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name]);
  const registered = tf.engine().registeredVariables;
  const usable = installed && tf.getBackend() === "wasm" && instanceFor(tf.backend() as unknown as WasmBackendInternals) !== null &&
    names.every((name, i) => {
      const value = registered[name], gradient = gradientOf(name, i);
      return value?.dtype === "float32" && (gradient == null || (gradient.dtype === "float32" && gradient.size === value.size));
    });
  if (!usable) return original!.call(this, variableGradients);
  tf.tidy(() => {
    // As tfjs: 1 − β1ᵗ in float32 from the accBeta variables (read back: one scalar each).
    const oneMinusAccBeta1 = tf.sub(1, this.accBeta1).dataSync()[0]!;
    const oneMinusAccBeta2 = tf.sub(1, this.accBeta2).dataSync()[0]!;
    names.forEach((name, i) => {
      const value = registered[name]!;
      this.accumulatedFirstMoment[i] ??= {originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false))};
      this.accumulatedSecondMoment[i] ??= {originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false))};
      const gradient = gradientOf(name, i);
      if (gradient == null) return;
      const firstMoment = this.accumulatedFirstMoment[i]!.variable, secondMoment = this.accumulatedSecondMoment[i]!.variable;
      const [x2, m2, v2] = tf.engine().runKernel(ADAM_KERNEL, {x: value, g: gradient, m: firstMoment, v: secondMoment} as unknown as tf.NamedTensorMap, {
        beta1: this.beta1, beta2: this.beta2, oneMinusAccBeta1, oneMinusAccBeta2, learningRate: this.learningRate, epsilon: this.epsilon
      }) as tf.Tensor[];
      firstMoment.assign(m2!);
      secondMoment.assign(v2!);
      value.assign(x2!);
    });
    this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
    this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
  });
  this.incrementIterations();
}

/** Row means of binary cross-entropy (kernels/matmul.ts `bceForward`). */
function bceKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackendInternals;
  const {p, t} = args.inputs as Record<string, tf.TensorInfo>;
  const {n, epsilon} = args.attrs as unknown as {n: number; epsilon: number};
  const rows = size(p!.shape) / n;
  const out = backend.makeOutput([rows], "float32");
  const offset = addressOf(backend);
  instanceFor(backend)!.exports.bceForward(offset(p!), offset(t!), offset(out), rows, n, epsilon, 1 - epsilon);
  return out;
}

/** Its gradient with respect to predictions and targets (kernels/matmul.ts `bceBackward`). */
function bceGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendInternals;
  const {p, t, g} = args.inputs as Record<string, tf.TensorInfo>;
  const {n, epsilon} = args.attrs as unknown as {n: number; epsilon: number};
  const rows = size(p!.shape) / n;
  const dp = backend.makeOutput(p!.shape, "float32"), dt = backend.makeOutput(t!.shape, "float32");
  const offset = addressOf(backend);
  instanceFor(backend)!.exports.bceBackward(offset(p!), offset(t!), offset(g!), offset(dp), offset(dt), rows, n, epsilon, 1 - epsilon);
  return [dp, dt];
}

type Loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/**
 * tfjs-layers' binaryCrossentropy (mean over the last axis of −(t·ln y + (1−t)·ln(1−y)), y the
 * prediction clipped to [ε, 1 − ε], ε the backend's 1e-7), forward and backward each in one wasm
 * pass instead of ~30 small kernels, while Lectern's kernels are on and the backend is wasm; the
 * given `stock` loss otherwise. Same values and gradients within float32 rounding (the stock one
 * goes through logits, log(y/(1−y)); the formulas are equal). test/cells/fast-matmul.test.ts.
 */
export function fastBinaryCrossentropy(stock: Loss): Loss {
  const fused = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, p, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const n = p.shape[p.shape.length - 1]!;
    const epsilon = tf.backend().epsilon();
    const rows = tf.engine().runKernel(BCE_KERNEL, {p, t}, {n, epsilon} as unknown as tf.NamedAttrMap) as tf.Tensor;
    save([p, t]);
    return {
      value: tf.reshape(rows, p.shape.slice(0, -1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dp, dt] = tf.engine().runKernel(BCE_GRAD_KERNEL, {p: saved[0]!, t: saved[1]!, g: tf.reshape(dy, [-1])}, {n, epsilon} as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return [dt!, dp!];
      }
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as (t: tf.Tensor, p: tf.Tensor) => tf.Tensor;
  return (yTrue, yPred) => {
    const usable = installed && tf.getBackend() === "wasm" && yPred.dtype === "float32" && yTrue.dtype === "float32" && yPred.rank >= 1 &&
      tf.util.arraysEqual(yTrue.shape, yPred.shape) && yPred.size > 0;
    if (!usable) return stock(yTrue, yPred);
    fastMatMulCalls.loss++;
    return fused(yTrue, yPred);
  };
}

/** Sizes of a whole-sequence call: gates (4 for the LSTM, 1 for the RNN), batch, steps, inputs, units. */
function sequenceSizes(xs: tf.TensorInfo, W: tf.TensorInfo, gates: number) {
  const [batch, steps, m] = xs.shape as [number, number, number];
  return {gates, batch, steps, m, n: W.shape[1]! / gates};
}

/** All T steps of the LSTM or RNN forward (kernels/matmul.ts `sequenceForward`): h(T), and the
 *  workspace the backward pass reads. */
function sequenceKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendInternals;
  const {xs, W, b} = args.inputs as Record<string, tf.TensorInfo>;
  const {gates, batch, steps, m, n} = sequenceSizes(xs!, W!, (args.attrs as unknown as {gates: number}).gates);
  const state = instanceFor(backend)!;
  const h = backend.makeOutput([batch, n], "float32");
  const work = backend.makeOutput([state.exports.sequenceWorkFloats(gates, batch, steps, m, n)], "float32");
  const scratch = scratchFor(backend, state, state.exports.sequenceScratchBytes(gates, batch, steps, m, n, 0));
  const offset = addressOf(backend);
  state.exports.sequenceForward(gates, offset(xs!), offset(W!), offset(b!), offset(h), offset(work), batch, steps, m, n, scratch);
  return [h, work];
}

/** Its backward pass through time (kernels/matmul.ts `sequenceBackward`): dxs, dW, db. */
function sequenceGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendInternals;
  const {xs, W, work, dh} = args.inputs as Record<string, tf.TensorInfo>;
  const {gates, batch, steps, m, n} = sequenceSizes(xs!, W!, (args.attrs as unknown as {gates: number}).gates);
  const state = instanceFor(backend)!;
  const dxs = backend.makeOutput(xs!.shape, "float32"), dW = backend.makeOutput(W!.shape, "float32");
  const db = backend.makeOutput([gates * n], "float32");
  const scratch = scratchFor(backend, state, state.exports.sequenceScratchBytes(gates, batch, steps, m, n, 1));
  const offset = addressOf(backend);
  state.exports.sequenceBackward(gates, offset(W!), offset(work!), offset(dh!), offset(dxs), offset(dW), offset(db), batch, steps, m, n, scratch);
  return [dxs, dW, db];
}

/** The cell over a whole sequence as two kernels (forward, and backward through time) instead of
 *  ~20 per step each way, for cells/lstm/cell.ts `logits` (through ./fused-sequence.ts). */
const fusedSequences = {lstm: fusedSequenceOf(4), rnn: fusedSequenceOf(1)};

function fusedSequenceOf(gates: number) {
  return tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, W, b, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const [h, work] = tf.engine().runKernel(SEQUENCE_KERNEL, {xs, W, b}, {gates} as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([xs, W, work!]);
    return {
      value: h!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sW, sWork] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(SEQUENCE_GRAD_KERNEL, {xs: sx, W: sW, work: sWork, dh: dy}, {gates} as unknown as tf.NamedAttrMap) as tf.Tensor[];
      }
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as (xs: tf.Tensor3D, W: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
}

function fusedSequence(kind: "lstm" | "rnn", xs: tf.Tensor3D, W: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D | null {
  const gates = kind === "lstm" ? 4 : 1;
  const usable = installed && tf.getBackend() === "wasm" && [xs, W, b].every((t) => t.dtype === "float32") && xs.rank === 3 && W.rank === 2 &&
    b.rank === 1 && W.shape[1] === b.shape[0] && W.shape[1]! % gates === 0 && W.shape[0] === xs.shape[2] + W.shape[1]! / gates && xs.size > 0;
  if (!usable) return null;
  fastMatMulCalls.sequence++;
  return fusedSequences[kind](xs, W, b);
}

/** Whether a fresh AdamOptimizer has the fields fusedApplyGradients uses. */
function adamProblem(): string | null {
  const probe = tf.train.adam(0.001) as unknown as Partial<AdamOptimizerInternals> & {dispose(): void};
  try {
    if (!(probe.accBeta1 instanceof tf.Variable) || !(probe.accBeta2 instanceof tf.Variable)) return "AdamOptimizer has no accBeta1/accBeta2 variables";
    if (!Array.isArray(probe.accumulatedFirstMoment) || !Array.isArray(probe.accumulatedSecondMoment)) return "AdamOptimizer has no moment arrays";
    if (typeof probe.epsilon !== "number" || typeof probe.incrementIterations !== "function") return "AdamOptimizer lacks epsilon or incrementIterations";
    if (typeof tf.engine().registeredVariables !== "object") return "the engine has no registeredVariables";
    return null;
  } finally {
    probe.dispose();
  }
}

/** The best module this engine runs: relaxed SIMD, else plain SIMD, else none. */
function pickModule(): {bytes: Uint8Array<ArrayBuffer>; variant: string} | null {
  if (typeof WebAssembly === "undefined") return null;
  const relaxed = decode(MATMUL_WASM_RELAXED);
  if (WebAssembly.validate(relaxed)) return {bytes: relaxed, variant: "relaxed SIMD"};
  const simd = decode(MATMUL_WASM_SIMD);
  if (WebAssembly.validate(simd)) return {bytes: simd, variant: "SIMD"};
  return null;
}

/**
 * Registers the kernel on the wasm backend (which must be the active backend). Returns what it
 * did, in words, or null when it kept the stock kernels (and warned if that was unexpected).
 */
export async function installFastMatMul(): Promise<string | null> {
  if (installed) return describe(installed);
  const picked = pickModule();
  if (picked === null) return null; // no wasm SIMD here: stock kernels, as expected
  const backend = tf.findBackend("wasm");
  if ((await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) === true) {
    // A cross-origin isolated page asked for tfjs's threaded build (?threads=tfjs), whose shared
    // memory (not at backend.wasm.asm.memory) this module does not import: tfjs's own kernels, as
    // asked, so no warning.
    console.info("Lectern's wasm kernels are off: tfjs runs its threaded build here (shared memory, ?threads=tfjs).");
    return null;
  }
  const problem = fastMatMulProblem(backend);
  if (problem !== null) {
    console.warn(`Lectern's fast matMul is off (tfjs internals changed: ${problem}); using tfjs's own kernels.`);
    return null;
  }
  const adamTrouble = adamProblem();
  if (adamTrouble !== null) {
    console.warn(`Lectern's fast kernels are off (tfjs internals changed: ${adamTrouble}); using tfjs's own kernels.`);
    return null;
  }
  const module = await WebAssembly.compile(picked.bytes);
  const previous = new Map<string, KernelConfig>();
  for (const name of REPLACED) {
    const config = tf.getKernel(name, "wasm");
    if (!config) {
      console.warn(`Lectern's fast matMul is off (the wasm backend has no ${name} kernel); using tfjs's own kernels.`);
      return null;
    }
    previous.set(name, config);
  }
  const prototype = tf.AdamOptimizer.prototype as unknown as AdamOptimizerInternals;
  const gradients = new Map<string, NonNullable<ReturnType<typeof tf.getGradient>>>();
  for (const name of Object.keys(ACTIVATION_GRADS) as (keyof typeof ACTIVATION_GRADS)[]) {
    const stock = tf.getGradient(name);
    if (stock) gradients.set(name, stock);
  }
  installed = {module, variant: picked.variant, previous, adam: prototype.applyGradients, gradients};
  for (const [name, stock] of gradients) {
    const [kernelName, exported] = ACTIVATION_GRADS[name as keyof typeof ACTIVATION_GRADS];
    if (!tf.getKernel(kernelName, "wasm")) tf.registerKernel({kernelName, backendName: "wasm", kernelFunc: activationGradKernel(exported) as unknown as KernelConfig["kernelFunc"]});
    tf.registerGradient(activationGradConfig(name as keyof typeof ACTIVATION_GRADS, stock));
  }
  for (const name of KERNELS) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({kernelName: name, backendName: "wasm", kernelFunc: (args: KernelArgs) => fastKernel(name, args)});
  }
  tf.unregisterKernel("GatherV2", "wasm");
  tf.registerKernel({kernelName: "GatherV2", backendName: "wasm", kernelFunc: gatherKernel as unknown as KernelConfig["kernelFunc"]});
  tf.unregisterKernel("Sum", "wasm");
  tf.registerKernel({kernelName: "Sum", backendName: "wasm", kernelFunc: sumKernel as unknown as KernelConfig["kernelFunc"]});
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({kernelName: "Identity", backendName: "wasm", kernelFunc: identityKernel as unknown as KernelConfig["kernelFunc"]});
  for (const [name, kernelFunc] of [[BCE_KERNEL, bceKernel], [BCE_GRAD_KERNEL, bceGradKernel], [SEQUENCE_KERNEL, sequenceKernel], [SEQUENCE_GRAD_KERNEL, sequenceGradKernel]] as const) {
    if (!tf.getKernel(name, "wasm")) tf.registerKernel({kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelConfig["kernelFunc"]});
  }
  if (!tf.getKernel(ADAM_KERNEL, "wasm")) tf.registerKernel({kernelName: ADAM_KERNEL, backendName: "wasm", kernelFunc: adamKernel as unknown as KernelConfig["kernelFunc"]});
  prototype.applyGradients = fusedApplyGradients;
  setFusedSequence(fusedSequence);
  const mismatch = selfCheck();
  if (mismatch !== null) {
    removeFastMatMul();
    console.warn(`Lectern's fast matMul is off (it disagreed with tfjs's kernel: ${mismatch}); using tfjs's own kernels.`);
    return null;
  }
  return describe(installed);
}

function describe(state: Installed): string {
  return `${KERNELS.join(", ")}: Lectern's register-blocked wasm kernel (${state.variant}, 6×8 tiles, any transpose); Adam: one pass per variable; Identity: no copy; binary cross-entropy: one pass each way; Sum over leading axes: one pass; relu and sigmoid gradients: one pass; gather of rows: one copy each; lesson 11's LSTM and RNN: one kernel per sequence each way`;
}

/** Puts back the kernels that were registered before ours. */
export function removeFastMatMul(): void {
  if (!installed) return;
  for (const [name, config] of installed.previous) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
  }
  (tf.AdamOptimizer.prototype as unknown as AdamOptimizerInternals).applyGradients = installed.adam;
  for (const config of installed.gradients.values()) tf.registerGradient(config);
  setFusedSequence(null);
  installed = undefined;
}

export function fastMatMulInstalled(): boolean {
  return installed !== undefined;
}

/** Ours against the kernel it replaces, on odd sizes in every transpose case with a fused
 *  bias and sigmoid: a message if any result is off by more than 1e-4 of its scale. */
function selfCheck(): string | null {
  const previous = installed!.previous;
  const backend = tf.findBackend("wasm")!;
  const m = 7, k = 13, n = 11;
  const data = (count: number, seed: number) => Float32Array.from({length: count}, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const a = tf.tensor3d(data(m * k, 1), ta ? [1, k, m] : [1, m, k]);
    const b = tf.tensor3d(data(k * n, 2), tb ? [1, n, k] : [1, k, n]);
    const bias = tf.tensor1d(data(n, 3));
    try {
      for (const [name, inputs, attrs] of [
        ["BatchMatMul", {a, b}, {transposeA: ta, transposeB: tb}],
        // The stock _FusedMatMul is wrong with a transposed operand; compare against BatchMatMul + bias + sigmoid.
        ["_FusedMatMul", {a, b, bias}, {transposeA: ta, transposeB: tb, activation: "sigmoid"}]
      ] as const) {
        const ours = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
        const product = previous.get("BatchMatMul")!.kernelFunc({inputs: {a, b}, backend, attrs: {transposeA: ta, transposeB: tb}}) as tf.TensorInfo;
        const theirs = tf.engine().makeTensorFromTensorInfo(product);
        const want = name === "BatchMatMul" ? theirs : tf.tidy(() => tf.sigmoid(tf.add(theirs, bias)));
        const got = ours.dataSync(), expected = want.dataSync();
        let worst = 0, scale = 0;
        for (let i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
          scale = Math.max(scale, Math.abs(expected[i]!));
        }
        tf.dispose([ours, theirs, want]);
        if (got.length !== expected.length || !(worst <= 1e-4 * scale)) {
          return `${name} transposeA=${ta} transposeB=${tb}: off by ${worst} at scale ${scale}`;
        }
      }
    } finally {
      tf.dispose([a, b, bias]);
    }
  }
  return null;
}
