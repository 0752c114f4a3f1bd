// The page side of a worker run must not load tfjs: the worker does. Bundled as the build does
// (esbuild, splitting), the page's static import graph has no @tensorflow module; tfjs comes only
// through the dynamic import of the main-thread trainer.
import * as esbuild from "esbuild";
import {resolve} from "node:path";
import {expect, test} from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

test("a page using train(), the spec helpers and the trainer widget loads no tfjs up front", async () => {
  const result = await esbuild.build({
    stdin: {
      contents: `export {train} from "./cells/train/client.ts"; export * from "./cells/train/spec.ts"; export {trainer} from "./cells/widgets/trainer.ts";`,
      resolveDir: ROOT,
      loader: "ts"
    },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    outdir: "/virtual",
    write: false,
    metafile: true,
    define: {LECTERN_ASSETS: "{}"},
    logLevel: "silent"
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((f) => outputs[f]!.entryPoint)!;
  // Everything reachable from the entry by static imports.
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const i of outputs[file]!.imports) if (i.kind === "import-statement") visit(i.path);
  };
  visit(entry);
  const tfjsInputs = [...reached].flatMap((f) => Object.keys(outputs[f]!.inputs)).filter((i) => i.includes("@tensorflow/"));
  expect(tfjsInputs).toEqual([]);
  // …while the main-thread trainer is one dynamic import away, and it does bring tfjs.
  const dynamic = [...reached].flatMap((f) => outputs[f]!.imports.filter((i) => i.kind === "dynamic-import").map((i) => i.path));
  expect(dynamic.some((f) => Object.keys(outputs[f]!.inputs).some((i) => i.endsWith("cells/train/trainer-core.ts")))).toBe(true);
});
