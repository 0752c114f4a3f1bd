import type MarkdownIt from "markdown-it";
import type StateInline from "markdown-it/lib/rules_inline/state_inline.mjs";
import type StateBlock from "markdown-it/lib/rules_block/state_block.mjs";
import {Parser} from "acorn";
import {acornOptions} from "./javascript/parse.js";

/**
 * Dollar signs, Pandoc's way: `${` always opens a live value; `$…$` is math only when the opening
 * `$` is not followed by a space and the closing `$` is neither preceded by a space nor followed
 * by a digit; `$$…$$` is display math; `\$` is a literal dollar (markdown-it's escape rule).
 */
export function dollarPlugin(md: MarkdownIt): void {
  md.inline.ruler.before("escape", "dollar", dollarInline);
  md.block.ruler.before("fence", "math_block", mathBlock, {alt: ["paragraph", "reference", "blockquote", "list"]});
}

function dollarInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  if (src[start + 1] === "{") return liveValue(state, silent);
  if (src[start + 1] === "$") {
    const close = src.indexOf("$$", start + 2);
    if (close < 0 || close === start + 2) return false;
    return mathToken(state, silent, "$$", close);
  }
  const next = src[start + 1];
  if (next === undefined || /\s/.test(next)) return false;
  let close = start + 1;
  while ((close = src.indexOf("$", close)) >= 0) {
    if (src[close - 1] === "\\") { close += 1; continue; }
    if (/\s/.test(src[close - 1]) || /[0-9]/.test(src[close + 1] ?? "")) { close += 1; continue; }
    break;
  }
  if (close < 0) return false;
  return mathToken(state, silent, "$", close);
}

/** Math from the current position to `close` (where the closing delimiter starts); `$$` is display math. */
function mathToken(state: StateInline, silent: boolean, markup: "$" | "$$", close: number): boolean {
  const start = state.pos;
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = state.src.slice(start + markup.length, close);
    token.markup = markup;
    token.meta = {display: markup === "$$", offset: start};
  }
  state.pos = close + markup.length;
  return true;
}

/** `${expr}`: the expression ends where acorn says it does, so `}` inside strings is fine. */
function liveValue(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  let end = -1;
  let error: {message: string; offset: number} | undefined;
  try {
    const node = Parser.parseExpressionAt(src, start + 2, acornOptions);
    end = node.end;
    while (/\s/.test(src[end] ?? "")) ++end;
    if (src[end] !== "}") {
      error = {message: "expected `}` to close `${`", offset: end};
      end = matchBrace(src, start + 2);
    }
  } catch (e) {
    const pos = (e as {pos?: number}).pos ?? start + 2;
    error = {message: String((e as Error).message).replace(/\s*\(\d+:\d+\)$/, ""), offset: pos};
    end = matchBrace(src, start + 2);
  }
  if (end < 0) {
    // No closing brace anywhere: keep it as text, but say so.
    error ??= {message: "unterminated `${`: close the live value with `}`", offset: start};
    end = src.length - 1;
  }
  if (!silent) {
    const token = state.push("live", "span", 0);
    token.content = src.slice(start + 2, end);
    token.meta = {offset: start + 2, error: error && {message: error.message, offset: error.offset}};
  }
  state.pos = end + 1;
  return true;
}

function matchBrace(src: string, from: number): number {
  let depth = 1;
  for (let i = from; i < src.length; ++i) {
    if (src[i] === "{") ++depth;
    else if (src[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  let pos = state.bMarks[startLine] + state.tShift[startLine];
  let max = state.eMarks[startLine];
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  if (!state.src.startsWith("$$", pos)) return false;
  pos += 2;
  let first = state.src.slice(pos, max);
  let last = "";
  let found = false;
  let next = startLine;
  if (first.trim().endsWith("$$")) {
    first = first.trim().slice(0, -2);
    found = true;
  }
  if (silent) return true;
  while (!found) {
    ++next;
    if (next >= endLine) break;
    pos = state.bMarks[next] + state.tShift[next];
    max = state.eMarks[next];
    if (pos < max && state.tShift[next] < state.blkIndent) break;
    const line = state.src.slice(pos, max).trim();
    if (line.endsWith("$$")) {
      last = line.slice(0, -2);
      found = true;
    }
  }
  if (!found) return false;
  state.line = next + 1;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content = [first, state.getLines(startLine + 1, next, state.tShift[startLine], true), last].filter((s) => s.trim()).join("\n");
  token.map = [startLine, state.line];
  token.markup = "$$";
  return true;
}
