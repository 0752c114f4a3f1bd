import * as esbuild from "esbuild";
import {createHash} from "node:crypto";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join, relative, basename, dirname, resolve} from "node:path";
import type {CompiledNotebook} from "../notebook/notebook.js";
import {builtinMembers, type PartialBuiltin} from "../notebook/javascript/builtin-members.js";
import type {ImportResolver} from "./resolve.js";

const J = JSON.stringify;

/** How every browser bundle is made (pages, worker, preview): ES modules, split, content-hashed. */
export const BROWSER_BUNDLE = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  logLevel: "silent"
} as const satisfies esbuild.BuildOptions;

/**
 * A page's cells as a module: `file`, `broken` and `cells` (data plus bodies). The page entry boots
 * the runtime with them; the preview imports newer ones to redefine what changed.
 */
export function cellsModule(notebook: CompiledNotebook): string {
  const cells = notebook.cells.flatMap((c) => {
    if (!c.runnable) return [];
    const r = c.runnable;
    return [`{id: ${J(c.id)}, inputs: ${J(r.inputs)}, outputs: ${J(r.outputs)}, autodisplay: ${r.autodisplay}, inline: ${r.inline}, line: ${c.source.line}, column: ${c.source.column}${c.source.indent ? `, indent: ${c.source.indent}` : ""},\nbody: ${r.body}}`];
  });
  // What an edited cell may import: the modules this page's cells import (the same chunks, loaded
  // only when asked for). Plot and Inputs are built-ins, used by name.
  const specifiers = [...new Set(notebook.cells.flatMap((c) => c.runnable?.imports ?? []))].sort();
  const modules = specifiers.map((s) => `${J(s)}: () => import(${J(s)})`);
  const checks = notebook.exercises.flatMap((e) => (e.check ? [`${J(e.id)}: (${e.check.body}\n)`] : []));
  const broken = notebook.cells.flatMap((c) =>
    c.error ? [`{id: ${J(c.id)}, outputs: ${J(c.outputs)}, message: ${J(c.error.message)}, line: ${c.error.line}, column: ${c.error.column}}`] : []
  );
  return `export const file = ${J(notebook.file)};\nexport const broken = [${broken.join(",\n")}];\nexport const cells = [\n${cells.join(",\n")}\n];\n` +
    `export const modules = {${modules.join(", ")}};\nexport const checks = {${checks.join(",\n")}};\n`;
}

/** The ES module a published page loads: the runtime booted with the page's cells. */
export function pageModule(notebook: CompiledNotebook, clientEntry: string): string {
  return `import {boot} from ${J(clientEntry)};\n${cellsModule(notebook).replace(/^export /gm, "")}boot({file, broken, cells, modules, checks});\n`;
}

/**
 * The members of the built-in `name` (Plot, Inputs) that the notebooks' cells use, the ones its
 * package exports; null when a cell uses it as a whole (then the built-in stays the whole of it).
 */
export async function builtinMembersOf(notebooks: CompiledNotebook[], name: PartialBuiltin, specifier: string): Promise<string[] | null> {
  const used = new Set<string>();
  for (const cell of notebooks.flatMap((nb) => nb.cells)) {
    if (!cell.runnable?.inputs.includes(name)) continue;
    const members = builtinMembers(cell.runnable.body, name);
    if (!members) return null;
    for (const m of members) used.add(m);
  }
  const exported = new Set(Object.keys(await import(specifier)));
  return [...used].filter((m) => exported.has(m)).sort();
}

export interface BundleInput {
  root: string;
  outDir: string;
  /** `slug` keys the entry; `out` names its file (default `page-<slug>`). */
  pages: {slug: string; source: string; out?: string}[];
  resolver: ImportResolver;
  /** Logical asset names → file names under assets/, given to cells as LECTERN_ASSETS. */
  assets: Record<string, string>;
  /**
   * The course's module workers (logical name, entry module), bundled in the same run as the pages
   * so that a package both use (tfjs) is one chunk, fetched once and cached for both.
   */
  workers?: {name: string; path: string}[];
  minify?: boolean;
  /**
   * Per package of a built-in (Plot, Inputs), the members the pages' cells use (builtinMembersOf):
   * `importer`'s import of the package (the runtime's built-ins) then gets a module holding only
   * those, and the bundler leaves the rest out of the pages' chunks. A package not listed: whole.
   */
  builtins?: {importer: string; members: Record<string, string[]>};
}

export interface BundleOutput {
  /** slug → entry file name under assets/. */
  entries: Map<string, string>;
  /** A worker's logical name → its file name under assets/. */
  workers: Map<string, string>;
  errors: string[];
}

/**
 * Bundles every page module at once with code splitting: a package two lessons use is one shared,
 * content-hashed chunk, and `import()` inside cells means a page loads only what its cells run.
 */
export async function bundlePages(input: BundleInput): Promise<BundleOutput> {
  const {root, outDir, pages, resolver} = input;
  const workers = input.workers ?? [];
  const sources = new Map(pages.map((p) => [p.slug, workersPrelude(workers.map((w) => w.name)) + p.source]));
  const plugin: esbuild.Plugin = {
    name: "lectern",
    setup(build) {
      build.onResolve({filter: /^lectern-page:/}, (args) => ({path: args.path.slice("lectern-page:".length), namespace: "lectern-page"}));
      build.onLoad({filter: /.*/, namespace: "lectern-page"}, (args) => ({contents: sources.get(args.path)!, resolveDir: root, loader: "js"}));
      // `../cells/<name>.js` means the course module cells/<name>.ts wherever the notebook lives.
      build.onResolve({filter: /^(\.\.\/)+cells\//}, (args) => {
        if (args.namespace !== "lectern-page") return undefined;
        const path = resolver.cellsModule(args.path);
        return path ? {path} : {errors: [{text: `cannot resolve ${args.path}`}]};
      });
      // One `import("@observablehq/plot")` of the whole namespace anywhere in the build would put
      // every part of Plot in the chunk that the cells' own `Plot.line` imports share (esbuild
      // splits by file, not by export), so the runtime's built-ins ask for the members only.
      const builtins = input.builtins;
      if (builtins) {
        build.onResolve({filter: /^@observablehq\/(plot|inputs)$/}, (args) =>
          args.importer === builtins.importer && builtins.members[args.path] ? {path: args.path, namespace: "lectern-builtin"} : undefined);
        build.onLoad({filter: /.*/, namespace: "lectern-builtin"}, (args) =>
          ({contents: `export {${builtins.members[args.path]!.join(", ")}} from ${J(args.path)};\n`, resolveDir: root, loader: "js"}));
      }
    }
  };
  try {
    const result = await esbuild.build({
      entryPoints: [
        ...pages.map((p) => ({in: `lectern-page:${p.slug}`, out: p.out ?? `page-${p.slug}`})),
        ...workers.map((w) => ({in: w.path, out: w.name}))
      ],
      outdir: join(outDir, "assets"),
      ...BROWSER_BUNDLE,
      minify: input.minify ?? true,
      define: {LECTERN_ASSETS: J(input.assets)},
      legalComments: "none",
      plugins: [plugin]
    });
    const entries = new Map<string, string>();
    const built = new Map<string, string>();
    const byPath = new Map(workers.map((w) => [w.path, w.name]));
    for (const [file, meta] of Object.entries(result.metafile.outputs)) {
      if (!meta.entryPoint) continue;
      const m = /^lectern-page:(.*)$/.exec(meta.entryPoint);
      if (m) entries.set(m[1]!, basename(file));
      else {
        const name = byPath.get(resolve(meta.entryPoint));
        if (name) built.set(name, basename(file));
      }
    }
    const missing = workers.filter((w) => !built.has(w.name));
    if (missing.length) throw new Error(`esbuild made no file for the worker(s) ${missing.map((w) => w.name).join(", ")}`);
    for (const [slug, file] of entries) entries.set(slug, nameWorkers(join(outDir, "assets", file), built));
    return {entries, workers: built, errors: []};
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (!failure.errors) throw error;
    return {entries: new Map(), workers: new Map(), errors: failure.errors.map((e) => `${e.location ? `${relative(root, e.location.file)}:${e.location.line}:${e.location.column + 1} ` : ""}error: ${e.text}`)};
  }
}

// A page finds a worker's file by its logical name, like any asset, but a worker
// built in the pages' own run has a name (a hash) the pages cannot know while they are built: so
// each page entry registers its workers under a placeholder, and once esbuild is done the entry's
// placeholders become the workers' file names and the entry is renamed for its new content. Only
// entries change (nothing imports them but the HTML), never a chunk. The registry is keyed by the
// assets folder, so embeds from two sites on one page each find their own site's workers.
const WORKER_FILE = (name: string) => `lectern-worker-file:${name}`;

function workersPrelude(names: string[]): string {
  if (!names.length) return "";
  const files = Object.fromEntries(names.map((n) => [n, WORKER_FILE(n)]));
  return `{const folder = new URL(".", import.meta.url).href, workers = (globalThis.LECTERN_WORKERS ??= {}); workers[folder] = {...workers[folder], ...${J(files)}};}\n`;
}

/** Writes the workers' file names into an entry in place of their placeholders; returns its new name. */
function nameWorkers(path: string, workers: Map<string, string>): string {
  const text = readFileSync(path, "utf8");
  let named = text;
  for (const [name, file] of workers) named = named.split(WORKER_FILE(name)).join(file);
  if (named === text) return basename(path);
  const hash = createHash("sha256").update(named).digest("hex").slice(0, 8).toUpperCase();
  const renamed = join(dirname(path), basename(path).replace(/-[A-Z0-9]{8}\.js$/, "") + `-${hash}.js`);
  writeFileSync(renamed, named);
  rmSync(path);
  return basename(renamed);
}

/**
 * Bundles an extra entry on its own, content-hashed, under assets/: the whole of Plot or Inputs,
 * fetched only by an edited cell (the course's workers are bundled with the pages, above).
 */
export async function bundleEntry(entry: string, outDir: string, name: string, assets: Record<string, string>): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [{in: entry, out: name}],
    outdir: join(outDir, "assets"),
    ...BROWSER_BUNDLE,
    // What the entry imports on demand becomes its own chunk, fetched only if used.
    chunkNames: `${name}-chunk-[hash]`,
    minify: true,
    define: {LECTERN_ASSETS: J(assets)},
    legalComments: "none"
  });
  const out = Object.keys(result.metafile.outputs).find((f) => f.endsWith(".js"))!;
  return basename(out);
}
