import type {CompiledNotebook, CompiledCell} from "../notebook/notebook.js";
import {escapeHtml, highlight} from "../notebook/markdown.js";
import {formatPosition} from "../notebook/diagnostic.js";

export interface LessonLink {
  slug: string;
  title: string;
  order: number;
  summary: string;
}

export interface PageContext {
  courseTitle: string;
  /** The course's credit line (HTML), from its home notebook's front matter; no footer without one. */
  credit?: string;
  /** Lessons in course order. */
  lessons: LessonLink[];
  /** `index` for the course home, else the lesson's slug. */
  slug: string;
  notebook: CompiledNotebook;
  /** Files under assets/, by role. */
  assets: {style: string; script?: string; favicon: string};
}

/** Links written as `perceptron.md#xor` become relative site links, so the site works from any base path. */
export function rewriteLink(href: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href)) return href;
  const m = /^(?:\.\/)?([\w-]+)\.md(#.*)?$/.exec(href);
  if (!m) return href;
  return `${base}${m[1] === "index" ? "" : `${m[1]}/`}${m[2] ?? ""}` || "./";
}

export function renderCell(cell: CompiledCell, file: string): string {
  const {source} = cell;
  const code = `<code class="language-js">${highlight(source.code.replace(/\n$/, ""), "js")}</code>`;
  // Code blocks can scroll sideways: tabindex lets a keyboard reach and scroll them.
  if (!source.run) return `<pre class="cell-static" tabindex="0" aria-label="Code (not run)">${code}</pre>\n`;
  const state = cell.error ? "rejected" : "pending";
  // Inline cells sit inside a paragraph, where only phrasing content (a span) may go.
  const box = source.inline ? "span" : "div";
  const error = cell.error
    ? `<${box} class="cell-error" role="alert"><code class="cell-error-position">${escapeHtml(formatPosition({file, ...cell.error}))}</code> error: ${escapeHtml(cell.error.message)}</${box}>`
    : "";
  const attrs = `id="cell-${escapeHtml(cell.id)}" data-cell="${escapeHtml(cell.id)}" data-state="${state}"${source.explicitId ? " data-embed" : ""}${source.exercise ? " data-exercise" : ""}`;
  if (source.inline) return `<span class="cell cell-inline" ${attrs}>${error}</span>`;
  const shown = source.echo === "shown" ? `<pre class="cell-source" tabindex="0">${code}</pre>` : "";
  const folded = source.echo === "collapsed" ? `<details class="cell-code"><summary>Code</summary><pre tabindex="0">${code}</pre></details>` : "";
  return `<div class="cell" ${attrs}>${shown}<div class="cell-output">${error}</div>${folded}</div>\n`;
}

export function renderPage(context: PageContext): string {
  const {courseTitle, credit, lessons, slug, notebook, assets} = context;
  const home = slug === "index";
  const base = home ? "" : "../";
  const fm = notebook.frontMatter;
  const steps = notebook.render({
    renderCell: (cell) => renderCell(cell, notebook.file),
    rewriteLink: (href) => rewriteLink(href, base)
  });
  const index = lessons.findIndex((l) => l.slug === slug);
  const lessonNumber = index >= 0 ? index + 1 : undefined;
  const list = (items: unknown) => Array.isArray(items) ? items.map((x) => `<li>${inlineMarkdown(String(x))}</li>`).join("") : "";
  // The lesson's header opens its first step and the references close its last, so a step shown
  // alone (step and present mode, print) carries them.
  const header = `<header class="notebook-header">
${lessonNumber ? `<p class="eyebrow">Lesson ${lessonNumber} of ${lessons.length}</p>\n` : ""}<h1>${escapeHtml(notebook.title)}</h1>
${!home && typeof fm.summary === "string" ? `<p class="summary">${inlineMarkdown(fm.summary)}</p>\n` : ""}${!home && Array.isArray(fm.objectives) ? `<div class="objectives"><h2 class="objectives-title">You will</h2><ul>${list(fm.objectives)}</ul></div>\n` : ""}</header>\n`;
  const references = !home && Array.isArray(fm.references) ? `<section class="references" aria-labelledby="references"><h2 id="references">References</h2><ul>${list(fm.references)}</ul></section>\n` : "";
  const body = steps.map((html, i) => `<section class="step" id="step-${i + 1}" data-step="${i + 1}" aria-label="Step ${i + 1} of ${steps.length}" tabindex="-1">\n${i === 0 ? header : ""}${home && i === 0 ? insertLessons(html, lessons) : html}${i === steps.length - 1 ? references : ""}</section>`).join("\n");
  const toc = notebook.headings.filter((h) => h.level === 2 || h.level === 3);
  const title = home ? courseTitle : `${notebook.title} · ${courseTitle}`;
  const prev = index > 0 ? lessons[index - 1] : undefined;
  const next = home ? lessons[0] : index >= 0 ? lessons[index + 1] : undefined;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${typeof fm.summary === "string" ? `<meta name="description" content="${escapeHtml(fm.summary)}">\n` : ""}<meta name="color-scheme" content="light dark">
<link rel="icon" href="${base}assets/${assets.favicon}" type="image/svg+xml">
<link rel="stylesheet" href="${base}assets/${assets.style}">
<script>try{var t=localStorage.getItem("lectern-theme");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}</script>
${assets.script ? `<script type="module" src="${base}assets/${assets.script}"></script>\n` : ""}</head>
<body data-page="${escapeHtml(slug)}">
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
<a class="site-title" href="${base || "./"}">${escapeHtml(courseTitle)}</a>
<div class="site-header-tools">
${steps.length > 1 ? `<button id="steps-toggle" class="steps-toggle" type="button" aria-pressed="false">Step through</button>
<button id="present-toggle" class="present-toggle" type="button" aria-keyshortcuts="P">Present</button>\n` : ""}<button id="theme-toggle" class="theme-toggle" type="button">Theme: auto</button>
</div>
</header>
<div class="layout">
<nav class="sidebar" aria-label="Lessons">
<details class="sidebar-details" open>
<summary>Lessons</summary>
<ol class="lesson-list">
<li><a href="${base || "./"}"${home ? ' aria-current="page"' : ""}>Course home</a></li>
${lessons.map((l, i) => `<li><a href="${base}${l.slug}/"${l.slug === slug ? ' aria-current="page"' : ""}><span class="lesson-number">${i + 1}</span> ${escapeHtml(l.title)}</a></li>`).join("\n")}
</ol>
</details>
</nav>
<main id="content" tabindex="-1">
<div class="notice file-notice" role="alert" hidden>This page was opened from a file. Its live cells need a web server: run <code>npm start</code> in the course folder and open the address it prints.</div>
<noscript><div class="notice">The live cells of this page need JavaScript.</div></noscript>
<article class="notebook">
${body}
</article>
${prev || next ? `<nav class="pager" aria-label="Previous and next lesson">
${prev ? `<a class="pager-prev" href="${base}${prev.slug}/" rel="prev"><span>Previous</span>${escapeHtml(prev.title)}</a>` : home ? "" : `<a class="pager-prev" href="${base || "./"}" rel="prev"><span>Previous</span>Course home</a>`}
${next ? `<a class="pager-next" href="${base}${next.slug}/" rel="next"><span>${home ? "Start" : "Next"}</span>${escapeHtml(next.title)}</a>` : ""}
</nav>\n` : ""}${credit ? `<footer class="credit"><p>${credit}</p></footer>` : ""}
</main>
${toc.length ? `<aside class="toc" aria-labelledby="toc-title"><h2 id="toc-title">On this page</h2><ol>${toc.map((h) => `<li class="toc-h${h.level}"><a href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a></li>`).join("")}</ol></aside>\n` : ""}</div>
<script>if(location.protocol==="file:")document.querySelector(".file-notice").hidden=false</script>
</body>
</html>
`;
}

/** The course home lists the lessons where `<!-- lessons -->` stands, else after its first step. */
function insertLessons(html: string, lessons: LessonLink[]): string {
  const list = `<ol class="lesson-cards">\n${lessons.map((l, i) => `<li><a href="${l.slug}/"><span class="lesson-number">Lesson ${i + 1}</span><strong>${escapeHtml(l.title)}</strong><span class="lesson-summary">${inlineMarkdown(l.summary)}</span></a></li>`).join("\n")}\n</ol>\n`;
  return html.includes("<!-- lessons -->") ? html.replace("<!-- lessons -->", list) : html + list;
}

/** Front-matter strings may use `code`, *emphasis* and [links](url); nothing else is interpreted. */
function inlineMarkdown(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*([^*]+)\*/g, "<em>$1</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2">$1</a>');
}
