import * as esbuild from "esbuild";
import {basename, join} from "node:path";
import {existsSync, writeFileSync} from "node:fs";
import {createHash} from "node:crypto";
import type {DepsBundle} from "./deps.js";
import type {CompiledNotebook} from "../notebook/notebook.js";
import type {Diagnostic} from "../notebook/diagnostic.js";
import type {ImportResolver} from "../build/resolve.js";
import {esbuildDiagnostics} from "./assets.js";
import {cellsModule, BROWSER_BUNDLE} from "../build/bundle.js";

const J = JSON.stringify;

/** The page's entry: the shared runtime booted with this page's cells (both already built). */
export function pageEntry(client: string, cells: string): string {
  return `import {boot} from "./${client}";\nimport {file, cells, broken, modules, checks} from "./${cells}";\nboot({file, cells, broken, modules, checks});\n`;
}

export interface PageBuild {
  /** File names under assets/: the page's entry (loaded by the HTML) and its cells module (imported on update). */
  page: string;
  cells: string;
  /** Absolute paths of the course files in the page's code, to know which saves concern it. */
  inputs: Set<string>;
}

export interface PageBundlerOptions {
  root: string;
  slug: string;
  assetsDir: string;
  resolver: () => ImportResolver;
  deps: DepsBundle;
  assets: Record<string, string>;
  /** Called with packages the shared bundle lacks; the page is rebuilt once they are added. */
  onMissing(specifiers: string[]): Promise<void>;
}

/**
 * One esbuild context per previewed page, for the course's own code only (the cells module and
 * cells/): npm packages and the runtime come from the shared DepsBundle, so a rebuild takes
 * milliseconds. With content-hashed chunks an unchanged cells/ module keeps its file name, so the
 * page keeps its module instance; old files stay in assets/, since a kept cell may still import
 * the chunk it was built against.
 */
export class PageBundler {
  private context?: esbuild.BuildContext<{metafile: true; write: true}>;
  private source = "";
  /** Packages the last build needed that the shared bundle lacks. */
  private missing = new Set<string>();
  last?: PageBuild;
  errors: Diagnostic[] = [];

  constructor(private options: PageBundlerOptions) {}

  /** Whether the code would differ from the last build for this notebook (or a file it uses changed). */
  stale(notebook: CompiledNotebook, changed: Iterable<string>): boolean {
    if (!this.last || this.errors.length || cellsModule(notebook) !== this.source) return true;
    for (const path of changed) if (this.last.inputs.has(path)) return true;
    return false;
  }

  async build(notebook: CompiledNotebook): Promise<PageBuild | undefined> {
    const {root, deps} = this.options;
    this.source = cellsModule(notebook);
    for (let attempt = 0; attempt < 2; ++attempt) {
      this.missing.clear();
      // (Re)created here: adding packages to the shared bundle may have disposed it.
      this.context ??= await this.createContext();
      try {
        const result = await this.context.rebuild();
        if (this.missing.size && attempt === 0) {
          await this.options.onMissing([...this.missing]);
          continue; // again, now that the packages are bundled
        }
        const cells = basename(Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === `lectern-cells:${this.options.slug}`)![0]);
        const entry = pageEntry(deps.client, cells);
        const page = `page-${this.options.slug}-${createHash("sha256").update(entry).digest("hex").slice(0, 8).toUpperCase()}.js`;
        if (!existsSync(join(this.options.assetsDir, page))) writeFileSync(join(this.options.assetsDir, page), entry);
        this.last = {page, cells, inputs: new Set(Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("lectern-")).map((f) => join(root, f)))};
        this.errors = [];
        return this.last;
      } catch (error) {
        this.errors = esbuildDiagnostics(error, root, notebook.file);
        return undefined;
      }
    }
    return undefined;
  }

  /** The assets' names are compiled into the code (LECTERN_ASSETS): a new worker file means a new context. */
  async setAssets(assets: Record<string, string>): Promise<void> {
    if (J(assets) === J(this.options.assets)) return;
    this.options = {...this.options, assets};
    await this.dispose();
    this.last = undefined;
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
    this.context = undefined;
  }

  private createContext() {
    const {root, slug, deps} = this.options;
    const source = () => this.source;
    const resolver = this.options.resolver;
    const missing = this.missing;
    const plugin: esbuild.Plugin = {
      name: "lectern-preview",
      setup(build) {
        build.onResolve({filter: /^lectern-cells:/}, (args) => ({path: args.path.slice("lectern-cells:".length), namespace: "lectern-cells"}));
        build.onLoad({filter: /.*/, namespace: "lectern-cells"}, () => ({contents: source(), resolveDir: root, loader: "js"}));
        // `../cells/<name>.js` in a notebook means the course module cells/<name>.ts, wherever the notebook lives.
        build.onResolve({filter: /^(\.\.\/)+cells\//}, (args) => {
          if (args.namespace !== "lectern-cells") return undefined;
          const path = resolver().cellsModule(args.path);
          return path ? {path} : {errors: [{text: `cannot resolve ${args.path}`}]};
        });
        // Packages come from the shared bundle, as the same module instance for every cell.
        build.onResolve({filter: /^[^./]/}, (args) => {
          if (args.kind === "entry-point") return undefined;
          const file = deps.files.get(args.path);
          if (!file) missing.add(args.path);
          return {path: `./${file ?? "missing.js"}`, external: true};
        });
      }
    };
    return esbuild.context({
      entryPoints: [{in: `lectern-cells:${slug}`, out: `cells-${slug}`}],
      outdir: this.options.assetsDir,
      absWorkingDir: root,
      ...BROWSER_BUNDLE,
      define: {LECTERN_ASSETS: J(this.options.assets)},
      write: true,
      plugins: [plugin]
    });
  }
}
