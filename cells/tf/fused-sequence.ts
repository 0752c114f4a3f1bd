// The slot through which lesson 11's cells (cells/lstm/cell.ts) reach the whole-sequence LSTM and
// RNN kernels (kernels/matmul.ts `sequenceForward`/`sequenceBackward`, registered by
// ./fast-matmul.ts). Kept free of value imports so the cell module does not pull tfjs or the
// kernel's bytes into a bundle that only wants its plain-arithmetic helpers (bench/jax-workloads.ts).
import type {tf as TF} from "./tfjs.js";

/** Final h (B×n) of the cell run over xs (B×T×m) from h = c = 0, differentiable in xs, W and b. */
export type FusedSequence = (kind: "lstm" | "rnn", xs: TF.Tensor3D, W: TF.Tensor2D, b: TF.Tensor1D) => TF.Tensor2D | null;

let current: FusedSequence | null = null;

/** Set by installFastMatMul, cleared by removeFastMatMul. */
export function setFusedSequence(f: FusedSequence | null): void {
  current = f;
}

/** h(T) from the fused kernels, or null when they are not installed or not on the active backend
 *  (then the caller runs the cell op by op). */
export function fusedSequence(kind: "lstm" | "rnn", xs: TF.Tensor3D, W: TF.Tensor2D, b: TF.Tensor1D): TF.Tensor2D | null {
  return current ? current(kind, xs, W, b) : null;
}
