import {existsSync, readdirSync, readFileSync, mkdirSync, rmSync, renameSync, writeFileSync, copyFileSync} from "node:fs";
import {join, relative, basename, resolve, dirname} from "node:path";
import {compileNotebook, type CompiledNotebook} from "../notebook/notebook.js";
import {formatDiagnostic, sortDiagnostics, type Diagnostic} from "../notebook/diagnostic.js";
import {createImportResolver} from "./resolve.js";
import {renderPage, type LessonLink} from "./page.js";
import {bundlePages, bundleEntry, pageModule} from "./bundle.js";
import {convertMnist} from "./mnist.js";
import {buildStylesheet, writeHashed, packageDir, FAVICON} from "./static.js";

export interface BuildOptions {
  /** The project root (package.json, cells/, node_modules/). */
  root: string;
  /** Folder of notebooks, relative to root. */
  notebooks?: string;
  /** Output folder, relative to root (or absolute). */
  out?: string;
  /** Publish even with errors, showing them in place (preview and test fixtures). */
  keepGoing?: boolean;
  minify?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  pages: string[];
  outDir: string;
}

export interface CourseNotebook {
  slug: string;
  path: string;
  notebook: CompiledNotebook;
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Compiles every notebook of a course and checks the course as a whole (home page, unique orders). */
export function compileCourse(root: string, notebooksDir = "notebooks"): {notebooks: CourseNotebook[]; diagnostics: Diagnostic[]} {
  const dir = resolve(root, notebooksDir);
  const resolver = createImportResolver(root);
  const diagnostics: Diagnostic[] = [];
  const notebooks: CourseNotebook[] = [];
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")).sort() : [];
  for (const name of files) {
    const slug = basename(name, ".md");
    const path = join(dir, name);
    const file = relative(root, path).split("\\").join("/");
    if (!SLUG.test(slug)) {
      diagnostics.push({file, line: 1, column: 1, severity: "error", message: `the file name \`${name}\` cannot be a page address: use lower-case letters, digits and dashes (e.g. \`${slug.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "lesson"}.md\`)`});
      continue;
    }
    const bytes = readFileSync(path);
    const source = new TextDecoder("utf-8", {fatal: false}).decode(bytes);
    if (source.includes("\uFFFD") || bytes.includes(0)) {
      const at = source.indexOf(bytes.includes(0) ? "\0" : "\uFFFD");
      const line = source.slice(0, at).split("\n").length;
      diagnostics.push({file, line, column: at - source.lastIndexOf("\n", at - 1), severity: "error", message: bytes.includes(0) ? "this file is binary, not a Markdown notebook" : "this file is not valid UTF-8: save it as UTF-8"});
      continue;
    }
    const notebook = compileNotebook(source, {file, lesson: slug !== "index", resolveImport: (s) => resolver.check(s)});
    diagnostics.push(...notebook.diagnostics);
    notebooks.push({slug, path, notebook});
  }
  const home = relative(root, join(dir, "index.md"));
  if (!files.includes("index.md")) diagnostics.push({file: home, line: 1, column: 1, severity: "error", message: "the course home is missing: create it with front matter `title: …` and a short introduction"});
  const orders = new Map<number, CourseNotebook>();
  for (const nb of notebooks) {
    const order = nb.notebook.frontMatter.order;
    if (nb.slug === "index" || typeof order !== "number") continue;
    const other = orders.get(order);
    if (other) {
      const line = source(nb).split("\n").findIndex((l) => l.startsWith("order:")) + 1;
      diagnostics.push({file: nb.notebook.file, line: Math.max(1, line), column: 1, severity: "error", message: `order ${order} is also used by ${other.notebook.file}; give each lesson its own place`});
    } else orders.set(order, nb);
  }
  return {notebooks, diagnostics: sortDiagnostics(diagnostics)};
}

function source(nb: CourseNotebook): string {
  return readFileSync(nb.path, "utf8");
}

export function lessonsOf(notebooks: CourseNotebook[]): LessonLink[] {
  return notebooks
    .filter((nb) => nb.slug !== "index" && typeof nb.notebook.frontMatter.order === "number")
    .map((nb) => ({slug: nb.slug, title: nb.notebook.title, order: nb.notebook.frontMatter.order as number, summary: String(nb.notebook.frontMatter.summary ?? "")}))
    .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
}

/**
 * Builds the static site. Everything is written to a fresh temporary folder beside the output and
 * swapped in only when the build succeeds, so a failed build never leaves a half-written site.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const root = resolve(options.root);
  const outDir = resolve(root, options.out ?? "site");
  const log = options.log ?? (() => {});
  const {notebooks, diagnostics} = compileCourse(root, options.notebooks);
  const errors = diagnostics.filter((d) => d.severity === "error");
  for (const d of diagnostics) log(formatDiagnostic(d));
  if (errors.length && !options.keepGoing) return {ok: false, diagnostics, pages: [], outDir};

  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, {recursive: true, force: true});
  const assetsDir = join(tmp, "assets");
  mkdirSync(assetsDir, {recursive: true});
  try {
    const assets = writeStaticAssets(root, assetsDir);
    assets.mnist = writeHashed(assetsDir, "mnist", "bin", await cachedMnist(root));
    const workerEntry = join(root, "cells/train/worker.ts");
    if (existsSync(workerEntry)) assets["train-worker"] = await bundleEntry(workerEntry, tmp, "train-worker", assets);
    const clientEntry = join(root, "src/client/main.ts");
    const bundled = await bundlePages({
      root,
      outDir: tmp,
      pages: notebooks.map((nb) => ({slug: nb.slug, source: pageModule(nb.notebook, clientEntry)})),
      resolver: createImportResolver(root),
      assets,
      minify: options.minify
    });
    if (bundled.errors.length) {
      for (const e of bundled.errors) log(e);
      rmSync(tmp, {recursive: true, force: true});
      return {ok: false, diagnostics: [...diagnostics, ...bundled.errors.map((message) => ({file: "", line: 0, column: 0, severity: "error" as const, message}))], pages: [], outDir};
    }
    const courseTitle = notebooks.find((nb) => nb.slug === "index")?.notebook.title ?? "Course";
    const lessons = lessonsOf(notebooks);
    const pages: string[] = [];
    for (const nb of notebooks) {
      const html = renderPage({courseTitle, lessons, slug: nb.slug, notebook: nb.notebook, assets: {style: assets.style, favicon: assets.favicon, script: bundled.entries.get(nb.slug)}});
      const file = nb.slug === "index" ? join(tmp, "index.html") : join(tmp, nb.slug, "index.html");
      mkdirSync(dirname(file), {recursive: true});
      writeFileSync(file, html);
      pages.push(relative(tmp, file));
    }
    writeFileSync(join(tmp, "404.html"), `<!doctype html><html lang="en"><meta charset="utf-8"><title>Not found</title><link rel="icon" href="data:,"><p>No page here. <a href="./">Go to the course home</a>.</p></html>\n`);
    swapInto(tmp, outDir);
    return {ok: !errors.length, diagnostics, pages, outDir};
  } catch (error) {
    rmSync(tmp, {recursive: true, force: true});
    throw error;
  }
}

/** The stylesheet, favicon, tfjs wasm binaries and data sets; returns logical name → file name. */
function writeStaticAssets(root: string, assetsDir: string): Record<string, string> {
  const assets: Record<string, string> = {};
  assets.style = buildStylesheet(root, assetsDir);
  assets.favicon = writeHashed(assetsDir, "favicon", "svg", FAVICON);
  try {
    const wasmDir = join(packageDir(root, "@tensorflow/tfjs-backend-wasm"), "dist");
    const version = JSON.parse(readFileSync(join(wasmDir, "../package.json"), "utf8")).version;
    const folder = `tfjs-wasm-${version}/`;
    mkdirSync(join(assetsDir, folder), {recursive: true});
    for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm")) copyFileSync(join(wasmDir, f), join(assetsDir, folder, f));
    assets["tfjs-wasm/"] = folder;
  } catch {
    // No wasm backend installed: pages that need it say so when they start.
  }
  return assets;
}

/** The MNIST binary, converted once per version of the `mnist` package and kept in .cache/. */
async function cachedMnist(root: string): Promise<Uint8Array> {
  const version = JSON.parse(readFileSync(join(packageDir(root, "mnist"), "package.json"), "utf8")).version;
  const file = join(root, ".cache", `mnist-${version}.lmn1`);
  if (existsSync(file)) return readFileSync(file);
  const bytes = await convertMnist();
  mkdirSync(dirname(file), {recursive: true});
  writeFileSync(file, bytes);
  return bytes;
}

/** Replaces outDir with tmp in two renames; the old site is removed only after the new one is in place. */
function swapInto(tmp: string, outDir: string): void {
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(tmp, outDir);
  rmSync(old, {recursive: true, force: true});
}
