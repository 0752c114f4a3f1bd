// Routes around the wasm backend's matMul problems (measured in test/cells/numerics.test.ts):
//  - `_FusedMatMul` with a transposed operand plus a bias or activation returns wrong values;
//  - `BatchMatMul` with a transposed operand skips XNNPACK for a slow generic loop, and a dense
//    layer's backward pass transposes both ways.
// Both kernels are re-registered to transpose the operand first (a cheap native Transpose),
// then call the original kernel with no transpose flags.
import {tf} from "./tfjs.js";
import {removeFastMatMul} from "./fast-matmul.js";

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
type KernelArgs = Parameters<KernelConfig["kernelFunc"]>[0];

const ROUTED_KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;
const installed = new Map<string, KernelConfig>();

/** Applies the numeric routes a backend needs; returns what it routed (empty for none). */
export function numericsRoute(backend: string): string[] {
  if (backend !== "wasm") return [];
  for (const name of ROUTED_KERNELS) if (!installed.has(name)) materialiseTransposes(name);
  return ROUTED_KERNELS.map((name) => `${name}: transposes materialised before the wasm kernel`);
}

/** Puts the original wasm kernels back (tests use it to show the bug the route avoids), and
 *  takes Lectern's fast matMul (./fast-matmul.ts) off too: tfjs as shipped. */
export function removeNumericsRoutes(): void {
  removeFastMatMul();
  for (const [name, original] of installed) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(original);
  }
  installed.clear();
}

function materialiseTransposes(kernelName: string): void {
  const original = tf.getKernel(kernelName, "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (original === undefined || transpose === undefined) return;
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc(args: KernelArgs) {
      const {inputs, backend, attrs} = args;
      const {transposeA, transposeB} = (attrs ?? {}) as {transposeA?: boolean; transposeB?: boolean};
      if (!transposeA && !transposeB) return original.kernelFunc(args);
      const made: tf.TensorInfo[] = [];
      const swapLastTwo = (x: tf.TensorInfo): tf.TensorInfo => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
        const t = transpose.kernelFunc({inputs: {x}, backend, attrs: {perm}}) as tf.TensorInfo;
        made.push(t);
        return t;
      };
      const a = transposeA ? swapLastTwo(inputs.a!) : inputs.a!;
      const b = transposeB ? swapLastTwo(inputs.b!) : inputs.b!;
      const out = original.kernelFunc({
        inputs: {...inputs, a, b},
        backend,
        attrs: {...attrs, transposeA: false, transposeB: false}
      });
      // Intermediates made inside a kernel are the kernel's to free (as BatchMatMul does).
      for (const t of made) (backend as tf.KernelBackend).disposeData(t.dataId);
      return out;
    }
  });
  installed.set(kernelName, original);
}
