import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import katex from "katex";
import hljs from "highlight.js/lib/core";
import javascript from "highlight.js/lib/languages/javascript";
import typescript from "highlight.js/lib/languages/typescript";
import python from "highlight.js/lib/languages/python";
import bash from "highlight.js/lib/languages/bash";
import json from "highlight.js/lib/languages/json";
import {dollarPlugin} from "./math.js";
import {parseFenceInfo, EXERCISE_PARTS, type CellSource, type Echo, type ExercisePart} from "./cells.js";

hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("python", python);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);

/** A problem found while reading the Markdown, at a 1-based position in the file. */
export interface MarkdownProblem {
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

export interface Heading {
  level: number;
  id: string;
  text: string;
}

/** A link as written (`[x](perceptron.md#xor)`), where it is, for the course-level link check. */
export interface LinkUse {
  href: string;
  line: number;
  column: number;
}

/** An element id the page will have (a heading's, or an `id=` in raw HTML), where it comes from. */
export interface Anchor {
  id: string;
  kind: "heading" | "html";
  line: number;
  column: number;
}

/** What rendering needs to know about cells, decided after their code is analyzed. */
export interface RenderEnv {
  /** `cell index → html` for the cell's output root (and its source, when shown). */
  renderCell(cell: CellSource): string;
  /** Rewrites a relative link (e.g. `perceptron.md#xor`) for the page being built. */
  rewriteLink?(href: string): string;
}

interface Env {
  sourceLines: string[];
  inlineMap?: [number, number] | null;
  problems: MarkdownProblem[];
  render?: RenderEnv;
  slugs: Map<string, number>;
}

export interface ParsedMarkdown {
  tokens: Token[];
  cells: CellSource[];
  /** Hints, solutions and checks of exercises, in document order. */
  parts: ExercisePart[];
  headings: Heading[];
  links: LinkUse[];
  anchors: Anchor[];
  problems: MarkdownProblem[];
  steps: number;
  env: Env;
}

const md = createMarkdown();

function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({html: true, linkify: false, typographer: false});
  md.use(dollarPlugin);
  // Inline tokens carry no line numbers; remember the block's so `${…}` and math can be placed.
  md.core.ruler.at("inline", (state) => {
    const env = state.env as Env;
    for (const token of state.tokens) {
      if (token.type !== "inline") continue;
      env.inlineMap = token.map;
      state.md.inline.parse(token.content, state.md, state.env, token.children!);
    }
    env.inlineMap = null;
  });
  md.renderer.rules.math_inline = (tokens, i) => renderMath(tokens[i]);
  md.renderer.rules.math_block = (tokens, i) => `<div class="math-display">${renderMath(tokens[i])}</div>\n`;
  md.renderer.rules.live = (tokens, i, _options, env: Env) => env.render!.renderCell(tokens[i].meta.cell);
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, i, options, env: Env, self) => {
    const token = tokens[i];
    if (token.meta?.cell) return env.render!.renderCell(token.meta.cell);
    if (token.meta?.part) return renderExercisePart(token.meta.part);
    // A listing can scroll sideways: tabindex lets a keyboard reach and scroll it.
    return fence(tokens, i, options, env, self).replace(/^<pre>/, '<pre tabindex="0">');
  };
  md.options.highlight = (code, lang) => highlight(code, lang);
  md.renderer.rules.heading_open = (tokens, i, options, env: Env, self) => {
    const token = tokens[i];
    if (token.attrGet("id") === null) token.attrSet("id", token.meta?.id ?? "");
    return self.renderToken(tokens, i, options);
  };
  md.renderer.rules.link_open = (tokens, i, options, env: Env, self) => {
    const token = tokens[i];
    const href = token.attrGet("href");
    if (href && env.render?.rewriteLink) token.attrSet("href", env.render.rewriteLink(href));
    return self.renderToken(tokens, i, options);
  };
  return md;
}

const inline = new MarkdownIt({html: true, linkify: false, typographer: false});

/** One line of inline Markdown (and inline HTML) as HTML: a course's credit line. */
export function renderInlineMarkdown(text: string): string {
  return inline.renderInline(text);
}

/** Syntax-highlights a code listing at build time (no highlighter ships to the page). */
export function highlight(code: string, lang: string): string {
  const language = {js: "javascript", ts: "typescript", py: "python", sh: "bash", shell: "bash"}[lang] ?? lang;
  if (language && hljs.getLanguage(language)) return hljs.highlight(code, {language, ignoreIllegals: true}).value;
  return md.utils.escapeHtml(code);
}

function renderMath(token: Token): string {
  const math = typesetMath(token);
  return "html" in math ? math.html : `<span class="math-error" title="${md.utils.escapeHtml(math.error)}">${md.utils.escapeHtml(token.content)}</span>`;
}

/** KaTeX's HTML (and MathML) for a math token, typeset once and kept on the token. */
function typesetMath(token: Token): {html: string} | {error: string} {
  token.meta ??= {};
  return (token.meta.typeset ??= (() => {
    try {
      return {html: katex.renderToString(token.content, {displayMode: token.meta.display ?? true, throwOnError: true, output: "htmlAndMathml"})};
    } catch (error) {
      return {error: error instanceof Error ? error.message.replace(/^KaTeX parse error: /, "") : String(error)};
    }
  })());
}

/** Typesets every math token while parsing, so a TeX mistake is reported at its line, not just drawn red. */
function checkMath(token: Token, line: number, column: number, problems: MarkdownProblem[]): void {
  const math = typesetMath(token);
  if ("error" in math) problems.push({line, column, severity: "error", message: `TeX: ${math.error}`});
}

/** Heading ids: lower-case words joined by `-`; repeats get `-2`, `-3`. */
export function slugify(text: string, seen: Map<string, number>): string {
  const base = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "section";
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

/** Parses a notebook's Markdown body (front matter already blanked out) into tokens and cells. */
export function parseMarkdown(body: string): ParsedMarkdown {
  const env: Env = {sourceLines: body.split("\n"), problems: [], slugs: new Map()};
  const tokens = md.parse(body, env);
  const cells: CellSource[] = [];
  const parts: ExercisePart[] = [];
  const headings: Heading[] = [];
  const links: LinkUse[] = [];
  const anchors: Anchor[] = [];
  let step = 0;
  for (let i = 0; i < tokens.length; ++i) {
    const token = tokens[i];
    if (token.type === "hr" && token.level === 0) ++step;
    else if (token.type === "heading_open") {
      const text = (tokens[i + 1]?.children ?? []).filter((t) => t.type === "text" || t.type === "code_inline").map((t) => t.content).join("");
      const id = slugify(text, env.slugs);
      token.meta = {id};
      headings.push({level: Number(token.tag.slice(1)), id, text});
      const raw = env.sourceLines[token.map![0]] ?? "";
      anchors.push({id, kind: "heading", line: token.map![0] + 1, column: raw.length - raw.trimStart().length + 1});
      // A `---` right under a line of text underlines it into a heading (a "setext" heading):
      // almost always a step break that lost its blank line, and the paragraph becomes a title.
      if (token.markup === "-") {
        const underline = token.map![1];
        env.problems.push({line: underline, column: 1, severity: "warning", message: `this \`---\` turns the text above it into a heading, not a step break: put a blank line before it (or write the heading with \`## \` if a heading was meant)`});
      }
    } else if (token.type === "fence") {
      const {lang, attributes, bad} = parseFenceInfo(token.info);
      const fenceLine = token.map![0] + 1;
      const raw = env.sourceLines[token.map![0]];
      const indent = raw.length - raw.trimStart().length;
      const kind = EXERCISE_PARTS.find((k) => attributes.has(k));
      if (kind) {
        const target = attributes.get(kind);
        if (typeof target !== "string") env.problems.push({line: fenceLine, column: Math.max(1, raw.indexOf(kind) + 1), severity: "error", message: `\`${kind}\` needs the exercise's id: \`${kind}=<id>\``});
        else {
          const part: ExercisePart = {kind, target, code: token.content, line: fenceLine + 1, column: indent + 1, indent, fenceLine, fenceColumn: indent + 1};
          token.meta = {part};
          parts.push(part);
        }
        continue;
      }
      if (lang !== "js") continue;
      for (const part of bad) env.problems.push({line: fenceLine, column: raw.indexOf(part) + 1, severity: "error", message: `cannot read the fence attribute \`${part}\`: write \`name=value\` or a bare \`echo\``});
      const cell = makeCell(cells.length + 1, token.content, false, fenceLine + 1, indent + 1, indent, fenceLine, indent + 1, step, attributes, env, raw);
      // An unterminated fence runs to the end of the file: say so, since the rest of the file became code.
      if (!new RegExp(`^\\s*${token.markup[0] === "~" ? "~" : "`"}{${token.markup.length},}\\s*$`).test(env.sourceLines[token.map![1] - 1] ?? "") || token.map![1] - token.map![0] < 2) {
        env.problems.push({line: fenceLine, column: indent + 1, severity: "error", message: `unterminated code fence: close it with a line of ${token.markup}`});
      }
      token.meta = {cell};
      cells.push(cell);
    } else if (token.type === "inline") {
      const found = {line: token.map?.[0] ?? 0, column: 0};
      for (const child of token.children ?? []) {
        if (child.type === "link_open") {
          const href = child.attrGet("href") ?? "";
          links.push({href, ...locate(href, token, env, found)});
        } else if (child.type === "html_inline") {
          htmlIds(child.content, token.map?.[0] ?? 0, env, anchors);
        } else if (child.type === "live") {
          const pos = inlinePosition(token, child.meta.offset, env);
          const cell = makeCell(cells.length + 1, child.content, true, pos.line, pos.column, 0, pos.line, pos.column - 2, step, new Map(), env);
          cell.inlineError = child.meta.error && {message: child.meta.error.message, offset: child.meta.error.offset - child.meta.offset};
          child.meta.cell = cell;
          cells.push(cell);
        } else if (child.type === "math_inline") {
          const pos = inlinePosition(token, child.meta.offset, env);
          checkMath(child, pos.line, pos.column, env.problems);
        }
      }
    } else if (token.type === "math_block") {
      checkMath(token, token.map![0] + 1, 1, env.problems);
    } else if (token.type === "html_block") {
      htmlIds(token.content, token.map![0], env, anchors);
    }
  }
  return {tokens, cells, parts, headings, links, anchors, problems: env.problems, steps: step + 1, env};
}

/**
 * Where a link's target is written: inline tokens carry no offsets, so look for the text in the
 * block (after the previous link of the block), then anywhere (a reference definition), else the block.
 */
function locate(href: string, token: Token, env: Env, from: {line: number; column: number}): {line: number; column: number} {
  const [start, end] = token.map ?? [0, 0];
  const candidates = [href];
  try {
    if (decodeURI(href) !== href) candidates.push(decodeURI(href));
  } catch {
    // A malformed escape: search for the text as written only.
  }
  for (const text of candidates) {
    for (let i = from.line; i < end; ++i) {
      const at = (env.sourceLines[i] ?? "").indexOf(text, i === from.line ? from.column : 0);
      if (at >= 0) {
        from.line = i;
        from.column = at + text.length;
        return {line: i + 1, column: at + 1};
      }
    }
    const i = env.sourceLines.findIndex((line) => new RegExp(`^\\s*\\[[^\\]]+\\]:\\s*<?${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(line));
    if (i >= 0) return {line: i + 1, column: env.sourceLines[i].indexOf(text) + 1};
  }
  const raw = env.sourceLines[start] ?? "";
  return {line: start + 1, column: raw.length - raw.trimStart().length + 1};
}

/** `id="…"` attributes in raw HTML: the page will have those element ids too. */
function htmlIds(html: string, firstLine: number, env: Env, anchors: Anchor[]): void {
  for (const m of html.matchAll(/<[A-Za-z][^>]*?\sid\s*=\s*["']([^"']+)["']/g)) {
    const id = m[1];
    const line = env.sourceLines.findIndex((l, i) => i >= firstLine && (l.includes(`"${id}"`) || l.includes(`'${id}'`)));
    const at = line >= 0 ? line : firstLine;
    anchors.push({id, kind: "html", line: at + 1, column: Math.max(0, (env.sourceLines[at] ?? "").search(/\sid\s*=/)) + 2});
  }
}

function makeCell(index: number, code: string, inline: boolean, line: number, column: number, indent: number, fenceLine: number, fenceColumn: number, step: number, attributes: Map<string, string | true>, env: Env, raw = ""): CellSource {
  const echoAttr = attributes.get("echo");
  const exercise = !inline && attributes.has("exercise");
  // An exercise's code is what the student works on: always shown.
  const echo: Echo = inline ? "hidden" : exercise ? "shown" : echoAttr === "false" ? "hidden" : echoAttr === true || echoAttr === "true" ? "shown" : "collapsed";
  const id = attributes.get("id");
  if (id === true || (typeof id === "string" && !/^[A-Za-z_$][\w$-]*$/.test(id))) {
    env.problems.push({line: fenceLine, column: Math.max(1, raw.indexOf("id=") + 1), severity: "error", message: "`id=` needs a name made of letters, digits, `_`, `$` or `-`, starting with a letter"});
  }
  for (const key of attributes.keys()) {
    if (!["id", "echo", "run", "exercise"].includes(key)) env.problems.push({line: fenceLine, column: Math.max(1, raw.indexOf(key) + 1), severity: "warning", message: `unknown fence attribute \`${key}\` (known: id, echo, run, exercise, and hint=, solution=, check= on an exercise's parts)`});
  }
  return {
    index, code, inline, step, line, column, indent, fenceLine, fenceColumn,
    explicitId: typeof id === "string" && /^[A-Za-z_$][\w$-]*$/.test(id) ? id : undefined,
    echo,
    run: attributes.get("run") !== "false",
    ...(exercise ? {exercise} : {})
  };
}

/** The file position of an offset inside an inline token's content. */
function inlinePosition(token: Token, offset: number, env: Env): {line: number; column: number} {
  const content = token.content;
  const before = content.slice(0, offset);
  const lineInBlock = before.split("\n").length - 1;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineIndex = (token.map?.[0] ?? 0) + lineInBlock;
  const raw = env.sourceLines[lineIndex] ?? "";
  const lineText = content.slice(lineStart, content.indexOf("\n", lineStart) < 0 ? undefined : content.indexOf("\n", lineStart));
  const at = raw.indexOf(lineText);
  return {line: lineIndex + 1, column: (at < 0 ? 0 : at) + (offset - lineStart) + 1};
}

/**
 * An exercise's part, hidden until the student asks: a hint (short Markdown: paragraphs and `code`),
 * the solution (code). A check is instructor code the page module carries, never shown.
 */
function renderExercisePart(part: ExercisePart): string {
  const target = escapeHtml(part.target);
  if (part.kind === "hint") {
    const paragraphs = part.code.trim().split(/\n\s*\n/).map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`);
    return `<div class="exercise-hint" data-hint-for="${target}" hidden>${paragraphs.join("")}</div>\n`;
  }
  if (part.kind === "solution") {
    return `<div class="exercise-solution" data-solution-for="${target}" hidden><p class="exercise-solution-label">Solution</p><pre tabindex="0"><code class="language-js">${highlight(part.code.replace(/\n$/, ""), "js")}</code></pre></div>\n`;
  }
  return "";
}

/** Renders the tokens to HTML, one `<section class="step">` per `---`-separated step. */
export function renderMarkdown(parsed: ParsedMarkdown, render: RenderEnv): string[] {
  const env = {...parsed.env, render};
  const steps: Token[][] = [[]];
  for (const token of parsed.tokens) {
    if (token.type === "hr" && token.level === 0) steps.push([]);
    else steps[steps.length - 1].push(token);
  }
  return steps.map((tokens) => md.renderer.render(tokens, md.options, env));
}

export function escapeHtml(text: string): string {
  return md.utils.escapeHtml(text);
}
