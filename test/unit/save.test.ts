import {describe, expect, it} from "vitest";
import {saveCellInto} from "../../src/preview/save.js";

const FILE = "notebooks/x.md";
const NOTEBOOK = [
  "---",
  "title: X",
  "---",
  "",
  "Prose with `const a = 1;` in it.",
  "",
  "```js id=first echo",
  "const a = 1;",
  "const b = 2;",
  "```",
  "",
  "```js id=second",
  "a + b",
  "```",
  "",
  "- a list item holds a cell:",
  "",
  "  ```js id=nested",
  "  const c = 3;",
  "  ```",
  "",
  "The end.",
  ""
].join("\n");

describe("preview save-back", () => {
  it("rewrites exactly the cell's lines and leaves every other byte as it was", () => {
    const result = saveCellInto(NOTEBOOK, {file: FILE, id: "first", code: "const a = 10;\nconst b = 20;\nconst extra = 30;", base: "const a = 1;\nconst b = 2;"});
    expect(result.ok).toBe(true);
    const expected = NOTEBOOK.replace("const a = 1;\nconst b = 2;\n```", "const a = 10;\nconst b = 20;\nconst extra = 30;\n```");
    expect(result.ok && result.text).toBe(expected);
    // Prose that reads like the cell's code is not touched.
    expect(result.ok && result.text).toContain("Prose with `const a = 1;` in it.");
  });

  it("keeps an indented fence's indentation and CRLF line endings", () => {
    const crlf = NOTEBOOK.replace(/\n/g, "\r\n");
    const result = saveCellInto(crlf, {file: FILE, id: "nested", code: "const c = 4;\nconst d = 5;", base: "const c = 3;"});
    expect(result.ok && result.text).toBe(crlf.replace("  const c = 3;\r\n", "  const c = 4;\r\n  const d = 5;\r\n"));
  });

  it("a shorter edit removes the lines it no longer has, nothing else", () => {
    const result = saveCellInto(NOTEBOOK, {file: FILE, id: "first", code: "const a = 1;", base: "const a = 1;\nconst b = 2;"});
    expect(result.ok && result.text).toBe(NOTEBOOK.replace("const a = 1;\nconst b = 2;\n", "const a = 1;\n"));
  });

  it("refuses when the file's cell changed since the page loaded, or the cell is gone", () => {
    const changed = saveCellInto(NOTEBOOK, {file: FILE, id: "second", code: "a * b", base: "a - b"});
    expect(changed).toMatchObject({ok: false, status: 409});
    expect(saveCellInto(NOTEBOOK, {file: FILE, id: "missing", code: "1", base: "1"})).toMatchObject({ok: false, status: 404});
  });
});
