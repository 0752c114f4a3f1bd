import {afterEach, describe, expect, test, vi} from "vitest";
import {backendFromSearch, chooseBackend, initBackend, isSoftwareRenderer, probeWebGL} from "../../cells/tf/backend.js";
import {tf} from "../../cells/tf/tfjs.js";

/** A page whose canvas offers WebGL with this unmasked renderer (null: no WebGL at all). */
function fakeWebGL(renderer: string | null) {
  const loseContext = vi.fn();
  const gl = {
    getExtension: (name: string) =>
      name === "WEBGL_debug_renderer_info" ? {UNMASKED_RENDERER_WEBGL: 0x9246} : name === "WEBGL_lose_context" ? {loseContext} : null,
    getParameter: (p: number) => (p === 0x9246 ? renderer : "WebKit WebGL")
  };
  vi.stubGlobal("document", {createElement: () => ({getContext: () => (renderer === null ? null : gl)})});
  return {loseContext};
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("choosing a backend by what works", () => {
  test("without WebGL (here, Node) it is wasm with SIMD, with the matMul routes, silently", async () => {
    const choice = await chooseBackend();
    expect(choice).toMatchObject({name: "wasm", label: "WebAssembly (SIMD)"});
    expect(choice.note).toBeUndefined();
    expect(choice.routes.join()).toMatch(/_FusedMatMul/);
    expect(tf.getBackend()).toBe("wasm");
  });

  test("a software-emulated WebGL loses to wasm, and the page is told why", async () => {
    const {loseContext} = fakeWebGL("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)");
    const choice = await chooseBackend();
    expect(choice.name).toBe("wasm");
    expect(choice.note).toBe("WebGL is software-emulated here; using WebAssembly (SIMD).");
    expect(loseContext).toHaveBeenCalled(); // the probe gives its context back
  });

  test("a page whose WebGL cannot start says so and runs on wasm", async () => {
    fakeWebGL(null);
    const choice = await chooseBackend();
    expect(choice).toMatchObject({name: "wasm", note: "WebGL is not available here; using WebAssembly (SIMD)."});
  });

  test("?backend=webgl asks for WebGL even when software; when it cannot start, the next one runs", async () => {
    fakeWebGL("SwiftShader");
    const choice = await chooseBackend("webgl");
    expect(choice.name).toBe("wasm"); // tfjs registers no webgl backend outside a browser
    expect(choice.note).toMatch(/^WebGL failed to start.*; using WebAssembly \(SIMD\)\.$/);
  });

  test("asking for cpu gets cpu, with no note and no routes", async () => {
    expect(await chooseBackend("cpu")).toEqual({name: "cpu", label: "the CPU backend (plain JavaScript)", routes: []});
    expect(tf.getBackend()).toBe("cpu");
  });

  test("asking for WebGPU, which this site does not bundle, falls back with a note", async () => {
    const choice = await chooseBackend("webgpu");
    expect(choice).toMatchObject({name: "wasm", note: "This site does not include the WebGPU backend; using WebAssembly (SIMD)."});
  });

  test("initBackend reads ?backend= from the address and remembers its choice", async () => {
    vi.stubGlobal("location", {search: "?lesson=2&backend=cpu"});
    const first = initBackend();
    expect(initBackend()).toBe(first);
    expect((await first).name).toBe("cpu");
    vi.stubGlobal("location", {search: ""});
    expect((await initBackend({preferred: "wasm"})).name).toBe("wasm");
  });
});

describe("telling a software GPU from a real one", () => {
  test("renderer names", () => {
    expect(isSoftwareRenderer("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)")).toBe(true);
    expect(isSoftwareRenderer("llvmpipe (LLVM 15.0.6, 256 bits)")).toBe(true);
    expect(isSoftwareRenderer("ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)")).toBe(false);
    expect(isSoftwareRenderer("Apple M2")).toBe(false);
  });

  test("probeWebGL: none without a canvas API; the unmasked renderer with one", () => {
    expect(probeWebGL()).toBeNull();
    fakeWebGL("Apple M2");
    expect(probeWebGL()).toEqual({available: true, renderer: "Apple M2", software: false});
  });

  test("backendFromSearch ignores what is not a backend", () => {
    expect(backendFromSearch("?backend=wasm")).toBe("wasm");
    expect(backendFromSearch("?backend=cuda")).toBeUndefined();
    expect(backendFromSearch(undefined)).toBeUndefined();
  });
});
