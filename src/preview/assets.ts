import * as esbuild from "esbuild";
import {copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {basename, dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";
import {createHash} from "node:crypto";
import {buildStylesheet, writeHashed, packageDir, FAVICON} from "../build/static.js";
import {convertMnist} from "../build/mnist.js";
import type {Diagnostic} from "../notebook/diagnostic.js";

/** The Lectern installation: where src/client/ and node_modules/ are (the course may live elsewhere). */
export function lecternDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "src/client/main.ts"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find Lectern's src/client/main.ts above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/**
 * The files pages load besides their scripts, named as the build names them (stylesheet, favicon,
 * tfjs wasm, MNIST), so a page behaves in the preview as it does under `npm start`. This mirrors
 * the asset steps of build() in src/build/build.ts: keep the two in step.
 */
export async function writeStaticAssets(lectern: string, assetsDir: string): Promise<Record<string, string>> {
  mkdirSync(assetsDir, {recursive: true});
  const assets: Record<string, string> = {};
  assets.style = buildStylesheet(lectern, assetsDir);
  assets.favicon = writeHashed(assetsDir, "favicon", "svg", FAVICON);
  try {
    const wasmDir = join(packageDir(lectern, "@tensorflow/tfjs-backend-wasm"), "dist");
    const version = JSON.parse(readFileSync(join(wasmDir, "../package.json"), "utf8")).version;
    const folder = `tfjs-wasm-${version}/`;
    mkdirSync(join(assetsDir, folder), {recursive: true});
    for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm") && !existsSync(join(assetsDir, folder, f))) copyFileSync(join(wasmDir, f), join(assetsDir, folder, f));
    assets["tfjs-wasm/"] = folder;
  } catch {
    // No wasm backend installed: pages that need it say so when they start.
  }
  try {
    assets.mnist = writeOnce(assetsDir, "mnist", "bin", await cachedMnist(lectern));
  } catch {
    // No mnist package: the lessons that need the digits say so.
  }
  return assets;
}

function writeOnce(dir: string, name: string, ext: string, bytes: Uint8Array): string {
  const file = `${name}-${createHash("sha256").update(bytes).digest("hex").slice(0, 10)}.${ext}`;
  if (!existsSync(join(dir, file))) writeFileSync(join(dir, file), bytes);
  return file;
}

/** The same cache file the build uses (.cache/mnist-<version>.lmn1 in the Lectern folder). */
async function cachedMnist(lectern: string): Promise<Uint8Array> {
  const version = JSON.parse(readFileSync(join(packageDir(lectern, "mnist"), "package.json"), "utf8")).version;
  const file = join(lectern, ".cache", `mnist-${version}.lmn1`);
  if (existsSync(file)) return readFileSync(file);
  const bytes = await convertMnist();
  mkdirSync(dirname(file), {recursive: true});
  writeFileSync(file, bytes);
  return bytes;
}

/** The training worker, rebuilt when one of its sources changes (it is an asset other modules name). */
export class WorkerBundle {
  file?: string;
  inputs = new Set<string>();
  errors: Diagnostic[] = [];
  private context?: esbuild.BuildContext<{metafile: true; write: true}>;
  private defined = "";

  constructor(private root: string, private assetsDir: string) {}

  get entry(): string {
    return join(this.root, "cells/train/worker.ts");
  }

  /** Builds (or rebuilds) the worker with the other assets' names; returns whether its file changed. */
  async build(assets: Record<string, string>): Promise<boolean> {
    if (!existsSync(this.entry)) return false;
    const {"train-worker": _, ...others} = assets;
    const define = JSON.stringify(others);
    if (!this.context || define !== this.defined) {
      await this.context?.dispose();
      this.defined = define;
      this.context = await esbuild.context({
        entryPoints: [{in: this.entry, out: "train-worker"}],
        outdir: this.assetsDir,
        absWorkingDir: this.root,
        bundle: true,
        format: "esm",
        platform: "browser",
        target: "es2022",
        entryNames: "[name]-[hash]",
        define: {LECTERN_ASSETS: define},
        metafile: true,
        write: true,
        logLevel: "silent"
      });
    }
    const before = this.file;
    try {
      const result = await this.context.rebuild();
      this.errors = [];
      this.inputs = new Set(Object.keys(result.metafile.inputs).map((f) => join(this.root, f)));
      this.file = basename(Object.keys(result.metafile.outputs).find((f) => f.endsWith(".js"))!);
    } catch (error) {
      this.errors = esbuildDiagnostics(error, this.root);
    }
    return this.file !== before;
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
  }
}

/** esbuild's errors as diagnostics at file:line:col (column 1-based, paths from the course root). */
export function esbuildDiagnostics(error: unknown, root: string, fallbackFile = ""): Diagnostic[] {
  const failure = error as esbuild.BuildFailure;
  if (!failure?.errors) throw error;
  return failure.errors.map((e) => {
    const inCourse = e.location && !e.location.file.includes(":");
    return {
      file: inCourse ? relative(root, join(root, e.location!.file)).split("\\").join("/") : fallbackFile,
      line: inCourse ? e.location!.line : 1,
      column: inCourse ? e.location!.column + 1 : 1,
      severity: "error" as const,
      message: e.text
    };
  });
}
