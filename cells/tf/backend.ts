// Chooses the tfjs backend by what works here: WebGPU (when bundled) → WebGL → WASM → CPU.
// A software-emulated GPU (SwiftShader, llvmpipe) does not count: on a machine without a GPU it
// trains the autoencoder 2–8× slower than wasm (lessons.md, Traps; bench/train.mjs), so it loses
// to wasm unless the page asks for it with ?backend=webgl. Works in a window and in a worker.
import {tf} from "./tfjs.js";
import {numericsRoute} from "./numerics.js";
import {installFastMatMul, removeFastMatMul} from "./fast-matmul.js";
import {backendFromSearch, kernelsFromSearch, threadsFromSearch, DEFAULT_THREADS, type BackendChoice, type BackendName, type KernelChoice, type ThreadChoice} from "./backend-names.js";

export type {BackendChoice, BackendName, KernelChoice, ThreadChoice} from "./backend-names.js";
export {BACKEND_NAMES, backendFromSearch, kernelsFromSearch, threadsFromSearch} from "./backend-names.js";

export interface BackendOptions {
  /** Try this backend first; defaults to `?backend=` in the page address. */
  preferred?: BackendName;
  /** Folder (ending in "/") holding the tfjs-backend-wasm .wasm files; defaults to the site's. */
  wasmPaths?: string;
  /** "fast" (Lectern's wasm matMul, ./fast-matmul.ts) or "stock" (tfjs's own kernels); defaults
   *  to `?kernels=` in the page address, else "fast". */
  kernels?: KernelChoice;
  /** On a cross-origin isolated page: one thread (Lectern's kernels) or tfjs's threaded build;
   *  defaults to `?threads=` in the page address, else DEFAULT_THREADS. */
  threads?: ThreadChoice;
}

let current: {key: string; choice: Promise<BackendChoice>} | undefined;

/** Selects and readies a backend once per page or worker (again only if the preference changes). */
export function initBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const preferred = options.preferred ?? backendFromSearch(globalThis.location?.search);
  const kernels = options.kernels ?? kernelsFromSearch(globalThis.location?.search);
  const threads = options.threads ?? threadsFromSearch(globalThis.location?.search);
  const key = `${preferred ?? ""}|${options.wasmPaths ?? ""}|${kernels}|${threads}`;
  if (current?.key !== key) current = {key, choice: chooseBackend(preferred, options.wasmPaths, kernels, threads)};
  return current.choice;
}

/** The choice itself, every time it is called (initBackend remembers it). */
export async function chooseBackend(preferred?: BackendName, wasmPaths?: string, kernels: KernelChoice = "fast", threads: ThreadChoice = DEFAULT_THREADS): Promise<BackendChoice> {
  const order: BackendName[] = ["webgpu", "webgl", "wasm", "cpu"];
  const candidates = preferred ? [preferred, ...order.filter((n) => n !== preferred)] : order;
  const skipped: string[] = [];
  for (const name of candidates) {
    const asked = name === preferred;
    const reason = await unavailable(name, asked, wasmPaths);
    if (reason !== null) {
      if (asked || reason !== "") skipped.push(reason || `${label(name)} is not available here`);
      continue;
    }
    // The wasm backend reads this flag when it starts: false loads its one-thread build even on a
    // cross-origin isolated page (whose threaded build's shared memory Lectern's kernels cannot use).
    if (name === "wasm" && threads === "one" && kernels === "fast") tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    let started = false;
    try {
      // setBackend returns false (Chromium) or throws (Firefox) when a backend fails to start.
      started = (await tf.setBackend(name)) && tf.getBackend() === name && smokeTest();
    } catch (error) {
      skipped.push(`${label(name)} failed to start (${String((error as Error)?.message ?? error)})`);
      continue;
    }
    if (!started) {
      skipped.push(`${label(name)} failed to start`);
      continue;
    }
    const said = `${skipped.join("; ")}; using ${await labelNow(name)}.`;
    const note = skipped.length ? said[0]!.toUpperCase() + said.slice(1) : undefined;
    const routes = numericsRoute(name);
    if (name === "wasm" && kernels === "fast") {
      const fast = await installFastMatMul();
      if (fast !== null) routes.unshift(fast);
    } else if (name === "wasm") {
      removeFastMatMul();
    }
    return {name, label: await labelNow(name), note, routes};
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.join("; ")}.`);
}

/** null when worth trying; otherwise why not ("" for a silent skip of an optional backend). */
async function unavailable(name: BackendName, asked: boolean, wasmPaths?: string): Promise<string | null> {
  switch (name) {
    case "webgpu":
      if (!tf.findBackendFactory("webgpu")) return asked ? "this site does not include the WebGPU backend" : "";
      if (!asked && (await webgpuIsSoftware())) return "WebGPU is software-emulated here";
      return null;
    case "webgl": {
      const gl = probeWebGL();
      if (gl === null) return asked ? "WebGL is not available here" : ""; // no canvas at all (Node)
      if (!gl.available) return "WebGL is not available here";
      if (gl.software && !asked) return "WebGL is software-emulated here";
      if (!tf.findBackendFactory("webgl")) await import("@tensorflow/tfjs-backend-webgl");
      return null;
    }
    case "wasm": {
      // In a page the site's folder is set when ./tfjs.ts loads; an explicit folder (Node, tests) is set here.
      if (wasmPaths !== undefined) {
        const {setWasmPaths} = await import("@tensorflow/tfjs-backend-wasm");
        // setWasmPaths concatenates strings: the folder must end in "/".
        setWasmPaths(wasmPaths.endsWith("/") ? wasmPaths : `${wasmPaths}/`);
      }
      return null;
    }
    case "cpu":
      return null;
  }
}

/** A backend that "starts" but cannot run a matMul is no backend. */
function smokeTest(): boolean {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync());
  return [19, 22, 43, 50].every((v, i) => Math.abs(product[i]! - v) < 1e-3);
}

export interface WebGLProbe {
  available: boolean;
  renderer: string | null;
  software: boolean;
}

/** Whether WebGL works here and whether it is a software rasteriser; null without a canvas API. */
export function probeWebGL(): WebGLProbe | null {
  let canvas: HTMLCanvasElement | OffscreenCanvas | undefined;
  if (typeof OffscreenCanvas !== "undefined") canvas = new OffscreenCanvas(1, 1);
  else if (typeof document !== "undefined") canvas = document.createElement("canvas");
  if (canvas === undefined) return null;
  const none = {available: false, renderer: null, software: false};
  let gl: WebGLRenderingContext | WebGL2RenderingContext | null = null;
  try {
    gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext | null;
  } catch {
    return none;
  }
  if (gl === null) return none;
  // Plain gl.RENDERER says nothing; the unmasked renderer names SwiftShader.
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : null;
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return {available: true, renderer, software: renderer !== null && isSoftwareRenderer(renderer)};
}

export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software rasterizer|microsoft basic render/i.test(renderer);
}

async function webgpuIsSoftware(): Promise<boolean> {
  const gpu = (globalThis.navigator as {gpu?: {requestAdapter(): Promise<{info?: {isFallbackAdapter?: boolean}} | null>}} | undefined)?.gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  return !adapter || adapter.info?.isFallbackAdapter === true;
}

function label(name: BackendName): string {
  return {webgpu: "WebGPU", webgl: "WebGL", wasm: "WebAssembly", cpu: "the CPU backend (plain JavaScript)"}[name];
}

async function labelNow(name: BackendName): Promise<string> {
  if (name === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    const {getThreadsCount} = await import("@tensorflow/tfjs-backend-wasm");
    const count = threads ? getThreadsCount() : 1;
    return `WebAssembly (${simd ? "SIMD" : "no SIMD"}${count > 1 ? `, ${count} threads` : ""})`;
  }
  if (name === "webgl") {
    const renderer = probeWebGL()?.renderer;
    return renderer ? `WebGL (${renderer})` : "WebGL";
  }
  return label(name);
}
