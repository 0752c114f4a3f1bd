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

/** The `?kernels=` choice in an address's query string: "stock" turns Lectern's kernels off. */
export function kernelsFromSearch(search: string | undefined): KernelChoice {
  return new URLSearchParams(search ?? "").get("kernels") === "stock" ? "stock" : "fast";
}
