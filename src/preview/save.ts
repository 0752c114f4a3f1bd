// Save-back: the preview writes an in-page edit into the notebook, replacing exactly that cell's
// code lines; every other byte of the file (line endings, indentation, the rest) stays as it was.
import {compileNotebook} from "../notebook/notebook.js";

export type SaveResult = {ok: true; text: string; message: string} | {ok: false; status: number; message: string};

/**
 * The notebook text with cell `id`'s code replaced by `code`. `base` is the code the page showed
 * when the edit began: if the file's cell no longer reads so, someone changed it, and nothing is written.
 */
export function saveCellInto(text: string, {file, id, code, base}: {file: string; id: string; code: string; base: string}): SaveResult {
  const notebook = compileNotebook(text, {file, lesson: false});
  const cell = notebook.cells.find((c) => c.id === id);
  if (!cell || cell.source.inline) return {ok: false, status: 404, message: `${file} has no cell \`${id}\` to save into (it may have been renamed): reload the page`};
  const current = cell.source.code.replace(/\n$/, "");
  if (current !== base.replace(/\n$/, "")) return {ok: false, status: 409, message: `cell \`${id}\` changed in ${file} since this page loaded: reload the page, then save again`};
  const lines = text.split(/(?<=\n)/);
  const first = cell.source.line - 1; // 0-based index of the code's first line
  const count = current === "" && cell.source.code === "" ? 0 : current.split("\n").length;
  const fence = lines[cell.source.fenceLine - 1] ?? "";
  const indent = fence.slice(0, fence.length - fence.trimStart().length);
  const eol = /\r\n$/.test(fence) ? "\r\n" : "\n";
  const body = code.replace(/\r\n?/g, "\n").replace(/\n$/, "");
  const replacement = body === "" ? [] : body.split("\n").map((line) => (line ? indent + line : line) + eol);
  lines.splice(first, count, ...replacement);
  return {ok: true, text: lines.join(""), message: `Saved cell \`${id}\` into ${file} (lines ${cell.source.line}–${cell.source.line + Math.max(0, replacement.length - 1)}).`};
}
