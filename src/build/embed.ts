// Embeds: site/embed/<slug>/<id>.html for every `id=` cell (the cell and its upstream closure,
// hidden), site/embed/<slug>/index.html (the same by `#<id>`, and the "no cell" message),
// site/embed.js (the <lectern-cell> element) and the stylesheet its shadow root loads.
import * as esbuild from "esbuild";
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {CompiledNotebook} from "../notebook/notebook.js";
import {escapeHtml} from "../notebook/markdown.js";
import {cellClosure} from "../notebook/closure.js";
import {cellsModule} from "./bundle.js";
import {renderCell} from "./page.js";
import {writeHashed} from "./static.js";

const J = JSON.stringify;

/** The ids a lesson promises to embeds: its `id=` cells that run (or fail to compile). */
export function embeddableIds(notebook: CompiledNotebook): string[] {
  return notebook.cells.filter((c) => c.source.explicitId && (c.runnable || c.error) && c.source.run).map((c) => c.id);
}

/** The upstream closure of a cell of a compiled notebook (ids in document order), or undefined. */
export function notebookClosure(notebook: CompiledNotebook, id: string): string[] | undefined {
  const cells = notebook.cells.filter((c) => c.source.run).map((c) => ({id: c.id, inputs: c.runnable?.inputs ?? [], outputs: c.runnable?.outputs ?? c.outputs}));
  return cellClosure(cells, id);
}

/** A lesson's embed module: its cells and their roots, registered with the embed runtime (src/client/embed.ts). */
export function embedModule(slug: string, notebook: CompiledNotebook, embedEntry: string): string {
  const roots: Record<string, string> = {};
  for (const cell of notebook.cells) if (cell.source.run) roots[cell.id] = renderCell(cell, notebook.file).trim();
  return `import {registerLesson} from ${J(embedEntry)};\n${cellsModule(notebook).replace(/^export /gm, "")}` +
    `export const lesson = registerLesson({slug: ${J(slug)}, file, broken, cells, roots: ${J(roots)}, ids: ${J(embeddableIds(notebook))}});\n`;
}

export interface EmbedPageContext {
  slug: string;
  /** The cell's id; none for embed/<slug>/index.html, which reads `#<id>`. */
  id?: string;
  title: string;
  assets: {style: string; favicon: string; script: string};
}

/** The iframe page: the cell's root is made by the embed module, so the page itself is a shell. */
export function renderEmbedPage({slug, id, title, assets}: EmbedPageContext): string {
  const base = id === undefined ? "../../" : "../../";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(id ? `${id} · ${title}` : title)}</title>
<meta name="color-scheme" content="light dark">
<link rel="icon" href="${base}assets/${assets.favicon}" type="image/svg+xml">
<link rel="stylesheet" href="${base}assets/${assets.style}">
<script type="module" src="${base}assets/${assets.script}"></script>
</head>
<body class="embed" data-lectern-embed="${escapeHtml(slug)}"${id === undefined ? "" : ` data-embed-cell="${escapeHtml(id)}"`}>
<main class="embed-cells" aria-label="${escapeHtml(`Live cell from ${title}`)}"></main>
<noscript><p>This live cell needs JavaScript.</p></noscript>
</body>
</html>
`;
}

/** The shadow root's stylesheet: the site's, with the page-level selectors moved onto the embed's wrapper. */
export function embedStylesheet(css: string): string {
  return css.replace(/:root/g, ".lectern-embed").replace(/^body \{/m, ".lectern-embed {").replace(/^body\.embed \{[^}]*\}$/m, "");
}

export interface WriteEmbedsInput {
  root: string;
  outDir: string;
  notebooks: {slug: string; notebook: CompiledNotebook}[];
  /** slug → the lesson's embed module file under assets/. */
  modules: Map<string, string>;
  assets: {style: string; favicon: string};
}

/** Writes the embed pages, the shadow stylesheet and embed.js; returns the pages written (relative paths). */
export async function writeEmbeds({root, outDir, notebooks, modules, assets}: WriteEmbedsInput): Promise<string[]> {
  const pages: string[] = [];
  for (const {slug, notebook} of notebooks) {
    const script = modules.get(slug);
    if (!script) continue;
    const dir = join(outDir, "embed", slug);
    mkdirSync(dir, {recursive: true});
    const context = {slug, title: notebook.title, assets: {...assets, script}};
    writeFileSync(join(dir, "index.html"), renderEmbedPage(context));
    for (const id of embeddableIds(notebook)) {
      writeFileSync(join(dir, `${id}.html`), renderEmbedPage({...context, id}));
      pages.push(`embed/${slug}/${id}.html`);
    }
  }
  const style = writeHashed(join(outDir, "assets"), "embed-style", "css", embedStylesheet(readFileSync(join(outDir, "assets", assets.style), "utf8")));
  await esbuild.build({
    entryPoints: [join(root, "src/client/embed-element.ts")],
    outfile: join(outDir, "embed.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    define: {LECTERN_EMBED: J({modules: Object.fromEntries(modules), style})}
  });
  return pages;
}
