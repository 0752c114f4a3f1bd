// The course's tfjs wasm binaries (Node only; notebooks/index.md names this module under `assets:`
// as tfjs-wasm/): the backend's .wasm files, shipped in one folder that cells/tf finds by the
// logical name "tfjs-wasm/".
import {readdirSync, readFileSync} from "node:fs";
import {createRequire} from "node:module";
import path from "node:path";

export default function tfjsWasmAsset(): Record<string, Uint8Array> {
  const require = createRequire(import.meta.url);
  // The package's exports map hides package.json; its main file is in dist/.
  const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dist)) if (f.endsWith(".wasm")) files[f] = readFileSync(path.join(dist, f));
  return files;
}
