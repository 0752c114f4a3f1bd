import {existsSync, readdirSync, readFileSync} from "node:fs";
import {basename, join, relative, resolve} from "node:path";
import type {CourseNotebook} from "../build/build.js";
import {checkCourse} from "../build/course-check.js";
import {createImportResolver, type ImportResolver} from "../build/resolve.js";
import {sortDiagnostics, type Diagnostic} from "../notebook/diagnostic.js";
import {compileNotebook, type CompiledNotebook} from "../notebook/notebook.js";

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

export interface CompiledCourse {
  notebooks: CourseNotebook[];
  diagnostics: Diagnostic[];
}

/**
 * The course as the instructor edits it: compileCourse (src/build/build.ts) with a cache, so a save
 * recompiles one notebook, not all of them. It reports what compileCourse reports (the test
 * "the preview reports what the build reports" holds the two together), plus the course checks.
 */
export class LiveCourse {
  private cache = new Map<string, {text: string; notebook: CompiledNotebook}>();
  private resolver: ImportResolver;
  readonly dir: string;

  constructor(readonly root: string, notebooks = "notebooks") {
    this.dir = resolve(root, notebooks);
    this.resolver = createImportResolver(root);
  }

  /** Forgets every compiled notebook: what `../cells/…` resolves to may have changed. */
  forget(): void {
    this.cache.clear();
    this.resolver = createImportResolver(this.root);
  }

  compile(): CompiledCourse {
    const diagnostics: Diagnostic[] = [];
    const notebooks: CourseNotebook[] = [];
    const files = existsSync(this.dir) ? readdirSync(this.dir).filter((f) => f.endsWith(".md")).sort() : [];
    for (const name of files) {
      const slug = basename(name, ".md");
      const path = join(this.dir, name);
      const file = relative(this.root, path).split("\\").join("/");
      if (!SLUG.test(slug)) {
        diagnostics.push({file, line: 1, column: 1, severity: "error", message: `the file name \`${name}\` cannot be a page address: use lower-case letters, digits and dashes (e.g. \`${slug.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "lesson"}.md\`)`});
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        continue; // deleted between the listing and the read: the next change event sees it gone
      }
      const text = new TextDecoder("utf-8", {fatal: false}).decode(bytes);
      if (text.includes("\uFFFD") || bytes.includes(0)) {
        const at = text.indexOf(bytes.includes(0) ? "\0" : "\uFFFD");
        const line = text.slice(0, at).split("\n").length;
        diagnostics.push({file, line, column: at - text.lastIndexOf("\n", at - 1), severity: "error", message: bytes.includes(0) ? "this file is binary, not a Markdown notebook" : "this file is not valid UTF-8: save it as UTF-8"});
        continue;
      }
      let cached = this.cache.get(path);
      if (cached?.text !== text) {
        cached = {text, notebook: compileNotebook(text, {file, lesson: slug !== "index", resolveImport: (s) => this.resolver.check(s)})};
        this.cache.set(path, cached);
      }
      diagnostics.push(...cached.notebook.diagnostics);
      notebooks.push({slug, path, notebook: cached.notebook});
    }
    for (const path of this.cache.keys()) if (!files.includes(basename(path))) this.cache.delete(path);
    if (!files.includes("index.md")) {
      diagnostics.push({file: relative(this.root, join(this.dir, "index.md")), line: 1, column: 1, severity: "error", message: "the course home is missing: create it with front matter `title: …` and a short introduction"});
    }
    const orders = new Map<number, CourseNotebook>();
    for (const nb of notebooks) {
      const order = nb.notebook.frontMatter.order;
      if (nb.slug === "index" || typeof order !== "number") continue;
      const other = orders.get(order);
      if (other) {
        const line = this.cache.get(nb.path)!.text.split("\n").findIndex((l) => l.startsWith("order:")) + 1;
        diagnostics.push({file: nb.notebook.file, line: Math.max(1, line), column: 1, severity: "error", message: `order ${order} is also used by ${other.notebook.file}; give each lesson its own place`});
      } else orders.set(order, nb);
    }
    return {notebooks, diagnostics: sortDiagnostics([...diagnostics, ...checkCourse(notebooks)])};
  }
}
