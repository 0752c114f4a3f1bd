import {BROWSER_BUNDLE} from "../build/bundle.js";
import * as esbuild from "esbuild";
import {basename} from "node:path";
import type {Diagnostic} from "../notebook/diagnostic.js";
import {esbuildDiagnostics} from "./assets.js";

/**
 * The page runtime (src/client/main.ts) and every npm package the course's code imports, bundled
 * once together with code splitting, so a package is one module instance on the page and a save
 * rebuilds only the course's own code. Rebuilt when a new package is imported; if that moves a
 * file an open page already loaded, the page must reload (two instances of a package would not
 * share state).
 */
export class DepsBundle {
  /** Bare specifier → file name under assets/. */
  files = new Map<string, string>();
  client = "";
  errors: Diagnostic[] = [];
  private specifiers = new Set<string>();
  private context?: esbuild.BuildContext<{metafile: true; write: true}>;

  constructor(private root: string, private assetsDir: string, private clientEntry: string) {}

  has(specifier: string): boolean {
    return this.specifiers.has(specifier);
  }

  /** Makes sure every specifier is bundled; returns whether a file an open page may use was renamed. */
  async ensure(specifiers: Iterable<string>): Promise<{moved: boolean}> {
    const wanted = new Set([...this.specifiers, ...specifiers]);
    if (this.context && wanted.size === this.specifiers.size) return {moved: false};
    const before = new Map(this.files);
    const client = this.client;
    this.specifiers = wanted;
    await this.context?.dispose();
    const entries = [...wanted].sort();
    this.context = await esbuild.context({
      entryPoints: [{in: this.clientEntry, out: "lectern-client"}, ...entries.map((s) => ({in: s, out: depName(s)}))],
      outdir: this.assetsDir,
      absWorkingDir: this.root,
      ...BROWSER_BUNDLE,
      define: {LECTERN_ASSETS: "{}"},
      write: true
    });
    try {
      const result = await this.context.rebuild();
      const outputs = Object.entries(result.metafile.outputs).filter(([, o]) => o.entryPoint).map(([file]) => basename(file));
      const find = (name: string) => outputs.find((f) => f.startsWith(`${name}-`) && /^[A-Z0-9]+\.js$/.test(f.slice(name.length + 1)));
      this.client = find("lectern-client") ?? "";
      this.files.clear();
      for (const s of entries) {
        const file = find(depName(s));
        if (file) this.files.set(s, file);
      }
      this.errors = [];
    } catch (error) {
      this.errors = esbuildDiagnostics(error, this.root);
    }
    const moved = (client !== "" && client !== this.client) || [...before].some(([s, f]) => this.files.get(s) !== f);
    return {moved};
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
  }
}

/** `@tensorflow/tfjs-core` → `dep-tensorflow-tfjs-core` (the output file adds `-<hash>.js`). */
function depName(specifier: string): string {
  return `dep-${specifier.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "")}`;
}
