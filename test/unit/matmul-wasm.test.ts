// The committed kernel bytes (cells/tf/matmul-wasm.ts) must be what kernels/build.mjs makes from
// kernels/matmul.ts with the pinned AssemblyScript: the site ships the generated file, so a
// source change without a rebuild would ship stale code.
import {execFileSync} from "node:child_process";
import {expect, test} from "vitest";
import {MATMUL_WASM_RELAXED, MATMUL_WASM_SIMD} from "../../cells/tf/matmul-wasm.js";

test("cells/tf/matmul-wasm.ts matches kernels/matmul.ts (node kernels/build.mjs --check)", () => {
  const said = execFileSync(process.execPath, ["kernels/build.mjs", "--check"], {encoding: "utf8"});
  expect(said).toMatch(/matches/);
});

/** The ids of a wasm binary's sections (11 is data). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    ids.push(bytes[p++]!);
    let size = 0, shift = 0, byte: number;
    do {
      byte = bytes[p++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    p += size;
  }
  return ids;
}

test("both builds import one memory and keep no data in it (they share the tfjs backend's memory)", () => {
  for (const base64 of [MATMUL_WASM_RELAXED, MATMUL_WASM_SIMD]) {
    const bytes = Buffer.from(base64, "base64");
    expect(sectionIds(bytes)).not.toContain(11); // no data section
    expect(sectionIds(bytes)).not.toContain(5); // no memory of its own
  }
  // Node 20 compiles only the plain-SIMD build (relaxed SIMD is behind a flag there).
  const module = new WebAssembly.Module(Buffer.from(MATMUL_WASM_SIMD, "base64"));
  expect(WebAssembly.Module.imports(module)).toEqual([{module: "env", name: "memory", kind: "memory"}]);
  expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(["adam", "bceBackward", "bceForward", "gatherRows", "matmul", "reluGrad", "scratchBytes", "sequenceBackward", "sequenceForward", "sequenceScratchBytes", "sequenceWorkFloats", "sigmoidGrad", "sumRows"]);
});
