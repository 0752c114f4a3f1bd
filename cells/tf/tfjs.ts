// The one place cells load TensorFlow.js from: core + layers + the cpu and wasm backends.
// Core alone lacks the chained ops (x.square()) and the gradients, so register both here;
// every module that trains imports tf from this file, never "@tensorflow/tfjs-core" directly.
// WebGL (large) is imported on demand by ./backend.ts; the umbrella "@tensorflow/tfjs" is not used.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import {setWasmPaths} from "@tensorflow/tfjs-backend-wasm";
import * as tfl from "@tensorflow/tfjs-layers";
import {assetURL} from "../assets.js";

// Point the wasm backend at the binaries the site ships before anything can use it: a cell that
// touches tf before initBackend() settles would otherwise start wasm from the wrong folder.
const wasmFolder = assetURL("tfjs-wasm/");
if (wasmFolder) setWasmPaths(wasmFolder.href);

export {tf, tfl};
