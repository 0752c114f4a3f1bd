import * as esbuild from "esbuild";
import {createHash} from "node:crypto";
import {readdirSync} from "node:fs";
import {basename, join, resolve} from "node:path";
import {lessonsOf, type CourseNotebook} from "../build/build.js";
import {courseConfig, writeCourseAssets, type CourseConfig} from "../build/course-config.js";
import {renderPage} from "../build/page.js";
import {createImportResolver} from "../build/resolve.js";
import {formatDiagnostic, type Diagnostic} from "../notebook/diagnostic.js";
import {lecternDir, writeStaticAssets, WorkerBundle} from "./assets.js";
import {PageBundler, type PageBuild} from "./bundle.js";
import {DepsBundle} from "./deps.js";
import {LiveChannel, type LiveClient} from "./channel.js";
import {LiveCourse, type CompiledCourse} from "./course.js";

export interface PreviewOptions {
  /** The course root: package.json, notebooks/, cells/. */
  root: string;
  /** The notebooks folder, relative to root. */
  notebooks?: string;
  /** Where the preview keeps built files (default: <root>/.cache/preview). Old files are kept on purpose. */
  cacheDir?: string;
}

/** What the page's hot client reads from the HTML: its cells module and the problems to show. */
export interface PreviewData {
  file: string;
  module: string | null;
  diagnostics: {text: string; severity: Diagnostic["severity"]; cell?: string}[];
}

interface PageState {
  slug: string;
  bundler: PageBundler;
  build?: PageBuild;
  html: string;
  state: string;
  /** Files changed while no page was open on this notebook: brought up to date when it is opened again. */
  pending?: Set<string>;
}

/**
 * The preview's model of the course: compiled notebooks, one bundler per open page, the HTML each
 * page has now, and the open pages to tell when that changes. All work runs one step at a time.
 */
export class Preview {
  readonly course: LiveCourse;
  readonly channel = new LiveChannel();
  readonly assetsDir: string;
  private lectern = lecternDir();
  private compiled: CompiledCourse = {notebooks: [], diagnostics: []};
  private pages = new Map<string, PageState>();
  private assets: Record<string, string> = {};
  private hotScript = "";
  /** The course's workers (front matter of its home notebook), and the settings they came from. */
  private workers: WorkerBundle[] = [];
  private config: CourseConfig = {title: "Course", assets: [], workers: []};
  private configKey = "";
  private configErrors: Diagnostic[] = [];
  private deps: DepsBundle;
  private queue: Promise<unknown> = Promise.resolve();
  private cellsFiles = "";
  private resolver;

  constructor(readonly options: PreviewOptions) {
    const root = resolve(options.root);
    this.course = new LiveCourse(root, options.notebooks);
    this.assetsDir = join(resolve(root, options.cacheDir ?? ".cache/preview"), "assets");
    this.deps = new DepsBundle(root, this.assetsDir, join(this.lectern, "src/client/main.ts"));
    this.resolver = createImportResolver(root);
  }

  get root(): string {
    return this.course.root;
  }

  get cellsDir(): string {
    return join(this.root, "cells");
  }

  async start(): Promise<void> {
    this.compiled = this.course.compile();
    await this.applyConfig();
    const hot = await esbuild.build({
      entryPoints: [{in: join(this.lectern, "src/client/hot.ts"), out: "lectern-hot"}],
      outdir: this.assetsDir,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      entryNames: "[name]-[hash]",
      metafile: true,
      logLevel: "silent"
    });
    this.hotScript = basename(Object.keys(hot.metafile.outputs).find((f) => f.endsWith(".js"))!);
    this.cellsFiles = this.cellsListing();
    // The packages the notebooks import directly; those only cells/ modules import are found on first build.
    const bare = this.compiled.notebooks.flatMap((nb) => nb.notebook.cells.flatMap((c) => c.runnable?.imports ?? [])).filter((s) => /^[^./]/.test(s));
    await this.deps.ensure(bare);
  }

  /** A new package was imported: bundle it with the others; if that moved a file pages loaded, they reload. */
  private async addPackages(specifiers: string[]): Promise<void> {
    const {moved} = await this.deps.ensure(specifiers);
    if (!moved) return;
    for (const page of this.pages.values()) await page.bundler.dispose();
    for (const slug of this.channel.pages()) for (const c of this.channel.of(slug)) c.send("reload", {reason: `new package: ${specifiers.join(", ")}`});
  }

  /** Runs one piece of work after the others, so a request never sees half an update. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  diagnostics(): Diagnostic[] {
    return this.compiled.diagnostics;
  }

  /** The page's HTML as it is now (building its code on first request), or undefined for no such notebook. */
  html(slug: string): Promise<string | undefined> {
    return this.serial(async () => (await this.ensure(slug))?.html);
  }

  /** Opens the live channel for a page; sends the current page at once if the client is behind. */
  connect(req: Parameters<LiveChannel["open"]>[0], res: Parameters<LiveChannel["open"]>[1], slug: string, state: string): Promise<LiveClient> {
    return this.serial(async () => {
      const client = this.channel.open(req, res, slug, state);
      const page = await this.ensure(slug);
      if (!page) client.send("removed", {file: this.fileOf(slug)});
      else if (page.state !== state) client.send("update", {state: page.state, html: page.html}, page.state);
      return client;
    });
  }

  /**
   * After files changed on disk: recompile, rebuild what uses them, and send each open page its new
   * HTML. The page works out which cells changed (it compares definitions), so a page that was
   * open across a restart of the preview is resynced the same way.
   */
  refresh(paths: string[]): Promise<{updated: string[]; ms: number}> {
    return this.serial(async () => {
      const started = performance.now();
      const changed = new Set(paths.map((p) => resolve(p)));
      const listing = this.cellsListing();
      if (listing !== this.cellsFiles) {
        // A module added, removed or renamed under cells/ changes what notebooks may import.
        this.cellsFiles = listing;
        this.course.forget();
        this.resolver = createImportResolver(this.root);
      }
      this.compiled = this.course.compile();
      if (!(await this.applyConfig())) {
        for (const worker of this.workers) {
          if ([...changed].some((p) => worker.inputs.has(p)) && (await worker.build(this.filesBesideWorkers()))) this.assets = {...this.assets, [worker.name]: worker.file!};
        }
      }
      const updated: string[] = [];
      const open = this.channel.pages();
      for (const page of [...this.pages.values()]) {
        if (!open.has(page.slug)) {
          page.pending = new Set([...(page.pending ?? []), ...changed]);
          continue;
        }
        const before = page.state;
        const current = await this.update(page, changed);
        if (!current) {
          this.pages.delete(page.slug);
          await page.bundler.dispose();
          for (const c of this.channel.of(page.slug)) c.send("removed", {file: this.fileOf(page.slug)});
          updated.push(page.slug);
        } else if (current.state !== before) {
          for (const c of this.channel.of(page.slug)) c.send("update", {state: current.state, html: current.html}, current.state);
          updated.push(page.slug);
        }
      }
      return {updated, ms: performance.now() - started};
    });
  }

  async close(): Promise<void> {
    this.channel.close();
    await this.serial(async () => {
      for (const page of this.pages.values()) await page.bundler.dispose();
      for (const worker of this.workers) await worker.dispose();
      await this.deps.dispose();
    });
  }

  /**
   * Reads the course's settings from its home notebook; when its assets or workers changed (or on
   * the first call), writes the assets and (re)builds the workers. Returns whether it did.
   */
  private async applyConfig(): Promise<boolean> {
    const {config} = courseConfig(this.root, this.compiled.notebooks);
    this.config = config;
    const key = JSON.stringify([config.assets, config.workers]);
    if (key === this.configKey) return false;
    this.configKey = key;
    let files = await writeStaticAssets(this.lectern, this.assetsDir);
    this.configErrors = [];
    try {
      files = {...files, ...(await writeCourseAssets(this.root, config, this.assetsDir))};
    } catch (error) {
      const home = this.notebook("index")?.notebook.file ?? "notebooks/index.md";
      this.configErrors = [{file: home, line: 1, column: 1, severity: "error", message: `a course asset could not be made: ${error instanceof Error ? error.message : String(error)}`}];
    }
    for (const worker of this.workers) await worker.dispose();
    this.workers = config.workers.map((w) => new WorkerBundle(this.root, this.assetsDir, w.name, w.path));
    this.assets = files;
    for (const worker of this.workers) await worker.build(files);
    for (const worker of this.workers) if (worker.file) this.assets[worker.name] = worker.file;
    return true;
  }

  /** The assets a worker may name: everything but the workers. */
  private filesBesideWorkers(): Record<string, string> {
    const names = new Set(this.workers.map((w) => w.name));
    return Object.fromEntries(Object.entries(this.assets).filter(([name]) => !names.has(name)));
  }

  /** The files under cells/, to notice one added or removed (an edit keeps the list the same). */
  private cellsListing(): string {
    try {
      return readdirSync(this.cellsDir, {recursive: true, encoding: "utf8"}).sort().join("\n");
    } catch {
      return "";
    }
  }

  private notebook(slug: string): CourseNotebook | undefined {
    return this.compiled.notebooks.find((nb) => nb.slug === slug);
  }

  private fileOf(slug: string): string {
    return this.notebook(slug)?.notebook.file ?? `${this.options.notebooks ?? "notebooks"}/${slug}.md`;
  }

  private async ensure(slug: string): Promise<PageState | undefined> {
    const existing = this.pages.get(slug);
    if (existing?.pending) {
      const changed = existing.pending;
      existing.pending = undefined;
      const current = await this.update(existing, changed);
      if (!current) {
        this.pages.delete(slug);
        await existing.bundler.dispose();
      }
      return current;
    }
    if (existing) return existing;
    if (!this.notebook(slug)) return undefined;
    const page: PageState = {
      slug,
      bundler: new PageBundler({
        root: this.root,
        slug,
        assetsDir: this.assetsDir,
        resolver: () => this.resolver,
        deps: this.deps,
        assets: this.assets,
        onMissing: (specifiers) => this.addPackages(specifiers)
      }),
      html: "",
      state: ""
    };
    this.pages.set(slug, page);
    return this.update(page, new Set());
  }

  /** Rebuilds the page's code if it is stale, and re-renders its HTML. */
  private async update(page: PageState, changed: Set<string>): Promise<PageState | undefined> {
    const nb = this.notebook(page.slug);
    if (!nb) return undefined;
    await page.bundler.setAssets(this.assets);
    if (page.bundler.stale(nb.notebook, changed)) page.build = await page.bundler.build(nb.notebook);
    const files = new Set(this.compiled.notebooks.map((n) => n.notebook.file));
    const problems = [
      ...this.compiled.diagnostics.filter((d) => d.file === nb.notebook.file || !files.has(d.file)),
      ...page.bundler.errors,
      ...this.deps.errors,
      ...this.configErrors,
      ...this.workers.flatMap((w) => w.errors)
    ];
    const data: PreviewData = {
      file: nb.notebook.file,
      module: page.bundler.errors.length || !page.build ? null : `/assets/${page.build.cells}`,
      diagnostics: problems.map((d) => ({text: formatDiagnostic(d), severity: d.severity, cell: d.cell}))
    };
    const html = renderPage({
      courseTitle: this.config.title,
      credit: this.config.credit,
      lessons: lessonsOf(this.compiled.notebooks),
      slug: page.slug,
      notebook: nb.notebook,
      assets: {style: this.assets.style, favicon: this.assets.favicon, script: data.module ? page.build?.page : undefined}
    });
    const json = JSON.stringify(data).replace(/</g, "\\u003c");
    page.state = createHash("sha256").update(html).update(json).digest("hex").slice(0, 16);
    const injected = `<meta name="lectern-preview" content="${page.state}">\n<script type="application/json" id="lectern-preview-data">${json}</script>\n<script type="module" src="/assets/${this.hotScript}"></script>\n`;
    page.html = html.replace("</head>", `${injected}</head>`);
    return page;
  }
}
