import * as esbuild from "esbuild";
import {existsSync} from "node:fs";
import {basename, dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";
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

export {writeStaticAssets} from "../build/assets.js";

/**
 * One of the course's workers (named in its home notebook's front matter), rebuilt when one of its
 * sources changes (it is an asset other modules name).
 */
export class WorkerBundle {
  file?: string;
  inputs = new Set<string>();
  errors: Diagnostic[] = [];
  private context?: esbuild.BuildContext<{metafile: true; write: true}>;
  private defined = "";

  constructor(private root: string, private assetsDir: string, readonly name: string, readonly entry: string) {}

  /** Builds (or rebuilds) the worker with the names of the assets besides workers; returns whether its file changed. */
  async build(assets: Record<string, string>): Promise<boolean> {
    if (!existsSync(this.entry)) return false;
    const define = JSON.stringify(assets);
    if (!this.context || define !== this.defined) {
      await this.context?.dispose();
      this.defined = define;
      this.context = await esbuild.context({
        entryPoints: [{in: this.entry, out: this.name}],
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
