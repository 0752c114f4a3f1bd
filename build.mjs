#!/usr/bin/env node
// The one build entry. Node 20 cannot run TypeScript, so compile the CLI with esbuild (milliseconds)
// into .cache/ and run it; npm packages stay external and load from node_modules.
import * as esbuild from "esbuild";
import {fileURLToPath, pathToFileURL} from "node:url";
import {dirname, join} from "node:path";

const root = dirname(fileURLToPath(import.meta.url));
const outfile = join(root, ".cache", "lectern-cli.mjs");
await esbuild.build({
  entryPoints: [join(root, "src/cli.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning"
});
await import(pathToFileURL(outfile).href);
