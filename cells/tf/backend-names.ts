// Backend names and the page's ?backend= override, without loading tfjs: the page side of a
// worker run (cells/train/client.ts) needs these, and must not pull tfjs into the page bundle.

export type BackendName = "webgpu" | "webgl" | "wasm" | "cpu";
/** "fast": Lectern's own wasm matMul kernels (cells/tf/fast-matmul.ts); "stock": tfjs's. */
export type KernelChoice = "fast" | "stock";
export const BACKEND_NAMES: readonly BackendName[] = ["webgpu", "webgl", "wasm", "cpu"];

export interface BackendChoice {
  /** The tfjs backend in use. */
  name: BackendName;
  /** What to show on the page, e.g. "WebAssembly (SIMD)". */
  label: string;
  /** Why this is not the first choice (a fallback, an override), in words for the page. */
  note?: string;
  /** Kernels rerouted for correctness or speed on this backend (see ./numerics.ts). */
  routes: string[];
}

/** The `?backend=` override in an address's query string, if it names a backend. */
export function backendFromSearch(search: string | undefined): BackendName | undefined {
  const asked = new URLSearchParams(search ?? "").get("backend");
  return BACKEND_NAMES.find((name) => name === asked);
}

/** On a cross-origin isolated page, tfjs-backend-wasm loads its threaded build (shared memory,
 *  XNNPACK on a pool of threads), which Lectern's kernels cannot run in: "one" keeps tfjs on one
 *  thread there so they do, "tfjs" takes tfjs's threads. Elsewhere both mean one thread. */
export type ThreadChoice = "one" | "tfjs";
/** One thread: on 2 cores tfjs's threaded build started one pool thread (getThreadsCount() = 1)
 *  and runs its own kernels, 0.93 s per autoencoder epoch against 0.20 s for one thread with
 *  Lectern's kernels (bench/train.mjs, cross-origin isolated page, quiet machine, 2026-12-06). */
export const DEFAULT_THREADS: ThreadChoice = "one";

/** The `?threads=` choice in an address's query string ("tfjs" or "1"), else DEFAULT_THREADS. */
export function threadsFromSearch(search: string | undefined): ThreadChoice {
  const asked = new URLSearchParams(search ?? "").get("threads");
  return asked === "tfjs" ? "tfjs" : asked === "1" ? "one" : DEFAULT_THREADS;
}

/** The `?kernels=` choice in an address's query string: "stock" turns Lectern's kernels off. */
export function kernelsFromSearch(search: string | undefined): KernelChoice {
  return new URLSearchParams(search ?? "").get("kernels") === "stock" ? "stock" : "fast";
}
