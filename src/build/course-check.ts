import {readFileSync, statSync} from "node:fs";
import type {Diagnostic} from "../notebook/diagnostic.js";
import {didYouMean} from "../notebook/suggest.js";
import type {CourseNotebook} from "./build.js";

/** Folders the site itself writes: a lesson with one of these slugs would collide with them. */
const RESERVED_SLUGS: Record<string, string> = {
  assets: "site/assets/ (the pages' scripts, styles and data)",
  embed: "site/embed/ (the embeddable cells)"
};

/** Above this a notebook still builds, but its page is slow to load: say so. */
const LARGE_NOTEBOOK_BYTES = 1_000_000;

/** An element id on a built page and what gives it that id, to name both sides of a collision. */
interface PageId {
  what: string;
  line?: number;
}

/**
 * Checks what only the whole course can tell: links and anchors between lessons, element ids that
 * collide on a page, slugs the site itself uses, and lessons too large to load well.
 */
export function checkCourse(notebooks: CourseNotebook[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const pages = new Map(notebooks.map((nb) => [nb.slug, pageIds(nb, diagnostics)]));
  const titles = new Map<string, CourseNotebook>();
  for (const nb of notebooks) {
    const {file} = nb.notebook;
    const report = (line: number, column: number, message: string, severity: Diagnostic["severity"] = "error") =>
      diagnostics.push({file, line, column, severity, message});
    if (RESERVED_SLUGS[nb.slug]) {
      report(1, 1, `the slug \`${nb.slug}\` is taken by ${RESERVED_SLUGS[nb.slug]}: rename the file (e.g. \`${nb.slug}-lesson.md\`)`);
    }
    const size = fileSize(nb.path);
    if (size > LARGE_NOTEBOOK_BYTES) {
      report(1, 1, `this notebook is ${(size / 1e6).toFixed(1)} MB: its page will load slowly; keep the lesson to prose and thin glue, and move data and long code into cells/`, "warning");
    }
    if (nb.slug !== "index") {
      const other = titles.get(nb.notebook.title);
      if (other) report(lineOf(nb, "title"), 1, `the title \`${nb.notebook.title}\` is also used by ${other.notebook.file}: the sidebar would list two lessons with the same name`, "warning");
      else titles.set(nb.notebook.title, nb);
    }
    for (const link of nb.notebook.links) {
      const problem = checkLink(link.href, nb.slug, pages);
      if (problem) report(link.line, link.column, problem);
    }
  }
  return diagnostics;
}

/** Every element id the built page will have, reporting ids that two things on the page both claim. */
function pageIds(nb: CourseNotebook, diagnostics: Diagnostic[]): Map<string, PageId> {
  const {notebook} = nb;
  const ids = new Map<string, PageId>([
    ["content", {what: "the page's main content"}],
    ["theme-toggle", {what: "the theme switch"}]
  ]);
  if (notebook.headings.some((h) => h.level === 2 || h.level === 3)) ids.set("toc-title", {what: "the table of contents"});
  if (nb.slug !== "index" && Array.isArray(notebook.frontMatter.references)) ids.set("references", {what: "the References section (from the front matter)"});
  for (const cell of notebook.cells) {
    if (!cell.source.run) continue;
    ids.set(`cell-${cell.id}`, {what: `the cell ${cell.source.explicitId ? `id=${cell.id}` : `\`${cell.id}\``}`, line: cell.source.fenceLine});
  }
  for (const anchor of notebook.anchors) {
    const what = anchor.kind === "heading" ? `the heading \`${notebook.headings.find((h) => h.id === anchor.id)?.text ?? anchor.id}\`` : `the HTML element with id="${anchor.id}"`;
    const first = ids.get(anchor.id);
    if (first) {
      const where = first.line ? ` (line ${first.line})` : "";
      const fix = anchor.kind === "heading" ? "rename the heading" : "choose another id";
      diagnostics.push({file: notebook.file, line: anchor.line, column: anchor.column, severity: "error",
        message: `${what} has the id \`${anchor.id}\`, which ${first.what}${where} already has: a link to #${anchor.id} reaches only one of them; ${fix}`});
    } else ids.set(anchor.id, {what, line: anchor.line});
  }
  return ids;
}

/** Why a link written in lesson `from` would be broken on the site, or undefined when it works. */
function checkLink(href: string, from: string, pages: Map<string, Map<string, PageId>>): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(href)) return undefined; // another site, mail, etc.
  const [path, fragment] = splitHash(href);
  let slug = from;
  if (path) {
    const m = /^(?:\.\/)?([\w-]+)\.md$/.exec(path);
    if (!m) {
      if (/\.md$/i.test(path)) return `the link \`${href}\` will not work on the site: link to a lesson by its file name alone, e.g. \`${path.slice(path.lastIndexOf("/") + 1)}${fragment === undefined ? "" : `#${fragment}`}\``;
      return undefined; // a site-relative file or folder: not a notebook, not checked
    }
    slug = m[1];
    if (!pages.has(slug)) {
      const guess = didYouMean(slug, pages.keys());
      return `broken link \`${href}\`: there is no notebook \`${slug}.md\` in this course${guess ? ` (did you mean \`${guess}.md\`?)` : ""}`;
    }
  }
  if (!fragment) return undefined;
  const ids = pages.get(slug)!;
  let id = fragment;
  try {
    id = decodeURIComponent(fragment);
  } catch {
    // Keep the fragment as written.
  }
  if (ids.has(id)) return undefined;
  const page = path ? `\`${slug}.md\`` : "this page";
  const hint = ids.has(`cell-${id}`)
    ? ` (the cell id=${id} is at \`#cell-${id}\`)`
    : (() => {
        const guess = didYouMean(id, ids.keys());
        return guess ? ` (did you mean \`#${guess}\`?)` : "";
      })();
  return `broken link \`${href}\`: ${page} has no heading or element with the id \`${id}\`${hint}`;
}

function splitHash(href: string): [string, string | undefined] {
  const i = href.indexOf("#");
  return i < 0 ? [href, undefined] : [href.slice(0, i), href.slice(i + 1)];
}

/** The line of a front-matter key (the compiled notebook keeps values, not their positions). */
function lineOf(nb: CourseNotebook, key: string): number {
  const lines = readFileSync(nb.path, "utf8").split("\n");
  return Math.max(1, lines.findIndex((line) => line.startsWith(`${key}:`)) + 1);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
