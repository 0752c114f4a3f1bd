// Its own file: a wasm backend that failed to load stays failed for the rest of the process.
import {expect, test} from "vitest";
import {chooseBackend} from "../../cells/tf/backend.js";
import {tf} from "../../cells/tf/tfjs.js";

test("when the wasm binary cannot load, the CPU backend runs and the page says why", async () => {
  const choice = await chooseBackend(undefined, "/nowhere/tfjs-wasm/");
  expect(choice.name).toBe("cpu");
  expect(choice.note).toBe("WebAssembly failed to start; using the CPU backend (plain JavaScript).");
  expect(tf.getBackend()).toBe("cpu");
  expect(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0])).toBe(5);
});
