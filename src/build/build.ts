import {existsSync, readdirSync, readFileSync, mkdirSync, rmSync, renameSync, writeFileSync} from "node:fs";
import {join, relative, basename, resolve, dirname} from "node:path";
import {compileNotebook, type CompiledNotebook} from "../notebook/notebook.js";
import {formatDiagnostic, sortDiagnostics, type Diagnostic} from "../notebook/diagnostic.js";
import {createImportResolver} from "./resolve.js";
import {renderPage, type LessonLink} from "./page.js";
import {bundlePages, bundleEntry, pageModule, builtinMembersOf} from "./bundle.js";
import {PARTIAL_BUILTINS} from "../notebook/javascript/builtin-members.js";
import {writeStaticAssets} from "./assets.js";
import {checkCourse} from "./course-check.js";
import {courseConfig, writeCourseAssets} from "./course-config.js";
import {embedModule, writeEmbeds} from "./embed.js";

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
  /** site/embed/<slug>/<id>.html pages written (relative paths). */
  embeds?: string[];
  outDir: string;
}

export interface CourseNotebook {
  slug: string;
  path: string;
  notebook: CompiledNotebook;
  /** The text the notebook was compiled from. */
  source: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Compiled notebooks by path, with the text they were compiled from (the preview keeps one). */
export type NotebookCache = Map<string, {text: string; notebook: CompiledNotebook}>;

/**
 * Compiles every notebook of a course and checks the course as a whole (home page, unique orders,
 * links and anchors between pages, ids, reserved slugs). With a cache, an unchanged file is not
 * compiled again.
 */
export function compileCourse(root: string, notebooksDir = "notebooks", cache?: NotebookCache): {notebooks: CourseNotebook[]; diagnostics: Diagnostic[]} {
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
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue; // deleted between the listing and the read
    }
    const source = new TextDecoder("utf-8", {fatal: false}).decode(bytes);
    if (source.includes("\uFFFD") || bytes.includes(0)) {
      const at = source.indexOf(bytes.includes(0) ? "\0" : "\uFFFD");
      const line = source.slice(0, at).split("\n").length;
      diagnostics.push({file, line, column: at - source.lastIndexOf("\n", at - 1), severity: "error", message: bytes.includes(0) ? "this file is binary, not a Markdown notebook" : "this file is not valid UTF-8: save it as UTF-8"});
      continue;
    }
    let cached = cache?.get(path);
    if (cached?.text !== source) {
      cached = {text: source, notebook: compileNotebook(source, {file, lesson: slug !== "index", resolveImport: (s) => resolver.check(s)})};
      cache?.set(path, cached);
    }
    diagnostics.push(...cached.notebook.diagnostics);
    notebooks.push({slug, path, notebook: cached.notebook, source});
  }
  if (cache) for (const path of cache.keys()) if (!files.includes(basename(path))) cache.delete(path);
  const home = relative(root, join(dir, "index.md"));
  if (!files.includes("index.md")) diagnostics.push({file: home, line: 1, column: 1, severity: "error", message: "the course home is missing: create it with front matter `title: …` and a short introduction"});
  const orders = new Map<number, CourseNotebook>();
  for (const nb of notebooks) {
    const order = nb.notebook.frontMatter.order;
    if (nb.slug === "index" || typeof order !== "number") continue;
    const other = orders.get(order);
    if (other) {
      const line = nb.source.split("\n").findIndex((l) => l.startsWith("order:")) + 1;
      diagnostics.push({file: nb.notebook.file, line: Math.max(1, line), column: 1, severity: "error", message: `order ${order} is also used by ${other.notebook.file}; give each lesson its own place`});
    } else orders.set(order, nb);
  }
  return {notebooks, diagnostics: sortDiagnostics([...diagnostics, ...checkCourse(notebooks), ...courseConfig(root, notebooks).diagnostics])};
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
    // Lectern's files, then the course's own (front matter of its home notebook): data and
    // binaries, which pages and workers load. The workers are bundled with the pages (below).
    const {config} = courseConfig(root, notebooks);
    const assets = {...(await writeStaticAssets(root, assetsDir)), ...(await writeCourseAssets(root, config, assetsDir))};
    const files = {...assets};
    const clientEntry = join(root, "src/client/main.ts");
    // The pages' built-in Plot and Inputs hold what their cells use; the whole of each is a bundle
    // of its own, fetched only when a student's edited cell names a member the pages do not.
    const members: Record<string, string[]> = {};
    for (const [name, {specifier, asset}] of Object.entries(PARTIAL_BUILTINS)) {
      const used = await builtinMembersOf(notebooks.map((nb) => nb.notebook), name as keyof typeof PARTIAL_BUILTINS, specifier);
      if (!used) continue;
      members[specifier] = used;
      assets[asset] = await bundleEntry(join(root, `src/client/whole-${asset}.ts`), tmp, asset, files);
    }
    const bundled = await bundlePages({
      root,
      outDir: tmp,
      pages: [
        ...notebooks.map((nb) => ({slug: nb.slug, source: pageModule(nb.notebook, clientEntry)})),
        // One embed module per lesson, in the same bundle so embeds share the lesson pages' chunks.
        ...notebooks.map((nb) => ({slug: `embed:${nb.slug}`, out: `embed-${nb.slug}`, source: embedModule(nb.slug, nb.notebook, join(root, "src/client/embed.ts"))}))
      ],
      resolver: createImportResolver(root),
      assets,
      workers: config.workers,
      minify: options.minify,
      builtins: {importer: clientEntry, members}
    });
    if (bundled.errors.length) {
      for (const e of bundled.errors) log(e);
      rmSync(tmp, {recursive: true, force: true});
      return {ok: false, diagnostics: [...diagnostics, ...bundled.errors.map((message) => ({file: "", line: 0, column: 0, severity: "error" as const, message}))], pages: [], outDir};
    }
    const courseTitle = config.title;
    const lessons = lessonsOf(notebooks);
    const pages: string[] = [];
    for (const nb of notebooks) {
      const html = renderPage({courseTitle, credit: config.credit, lessons, slug: nb.slug, notebook: nb.notebook, assets: {style: assets.style, favicon: assets.favicon, script: bundled.entries.get(nb.slug)}});
      const file = nb.slug === "index" ? join(tmp, "index.html") : join(tmp, nb.slug, "index.html");
      mkdirSync(dirname(file), {recursive: true});
      writeFileSync(file, html);
      pages.push(relative(tmp, file));
    }
    const modules = new Map(notebooks.map((nb) => [nb.slug, bundled.entries.get(`embed:${nb.slug}`)!]));
    const embeds = await writeEmbeds({root, outDir: tmp, notebooks, modules, assets: {style: assets.style, favicon: assets.favicon}});
    writeFileSync(join(tmp, "404.html"), `<!doctype html><html lang="en"><meta charset="utf-8"><title>Not found</title><link rel="icon" href="data:,"><p>No page here. <a href="./">Go to the course home</a>.</p></html>\n`);
    swapInto(tmp, outDir);
    return {ok: !errors.length, diagnostics, pages, embeds, outDir};
  } catch (error) {
    rmSync(tmp, {recursive: true, force: true});
    throw error;
  }
}

/** Replaces outDir with tmp in two renames; the old site is removed only after the new one is in place. */
function swapInto(tmp: string, outDir: string): void {
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(tmp, outDir);
  rmSync(old, {recursive: true, force: true});
}
