import {afterAll, describe, expect, it} from "vitest";
import {copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {execFile} from "node:child_process";
import {promisify} from "node:util";
import {checkNotebooks, summary} from "../../src/commands/check.js";
import {formatDiagnostic} from "../../src/notebook/diagnostic.js";
import {build} from "../../src/build/build.js";
import {LiveCourse} from "../../src/preview/course.js";

const ROOT = join(import.meta.dirname, "../..");
const CORPUS = join(ROOT, "test/fixtures/broken");
const HOME = "---\ntitle: Broken course\n---\n\nThe course home.\n";
const temps: string[] = [];

/** A course folder holding a valid home page and the given corpus entries (a file, or a folder of files). */
function course(entries: string[], extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "lectern-check-"));
  temps.push(dir);
  mkdirSync(join(dir, "notebooks"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  // What a keep-going build needs besides the notebooks: the packages, the client, the build cache.
  for (const link of ["node_modules", "src", ".cache"]) symlinkSync(join(ROOT, link), join(dir, link), "dir");
  writeFileSync(join(dir, "notebooks/index.md"), HOME);
  for (const entry of entries) {
    const from = join(CORPUS, entry);
    if (statSync(from).isDirectory()) cpSync(from, join(dir, "notebooks"), {recursive: true});
    else copyFileSync(from, join(dir, "notebooks", entry));
  }
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, "notebooks", name), text);
  return dir;
}

afterAll(() => {
  for (const dir of temps) rmSync(dir, {recursive: true, force: true});
});

/**
 * Each broken notebook, with every line the checker must print for it: `file:line:col severity:`
 * and the start of the message. Positions were checked by hand against the files.
 */
const CASES: Record<string, string[]> = {
  "empty.md": ["notebooks/empty.md:1:1 error: missing front matter: start the file with a `---` line"],
  "binary.md": ["notebooks/binary.md:3:1 error: this file is binary, not a Markdown notebook"],
  "non-utf8.md": ["notebooks/non-utf8.md:11:6 error: this file is not valid UTF-8: save it as UTF-8"],
  "unterminated-front-matter.md": ["notebooks/unterminated-front-matter.md:1:1 error: unterminated front matter: add a closing `---` line"],
  "unterminated-fence.md": [
    "notebooks/unterminated-fence.md:13:1 error: unterminated code fence: close it with a line of ```",
    // The prose after the open fence became code: the parser says where it stops making sense.
    "notebooks/unterminated-fence.md:16:6 error: Unexpected token"
  ],
  "missing-keys.md": ["order", "summary", "objectives", "references"].map((key) => `notebooks/missing-keys.md:1:1 error: front matter needs \`${key}\``),
  "wrong-types.md": [
    "notebooks/wrong-types.md:3:1 error: front matter `order` must be a number",
    "notebooks/wrong-types.md:5:1 error: front matter `objectives` must be a list of strings",
    "notebooks/wrong-types.md:6:1 error: front matter `references` must be a list of strings"
  ],
  "bad-yaml.md": ["notebooks/bad-yaml.md:3:1 error: front matter is not valid YAML: missed comma between flow collection entries"],
  "duplicate-order": ["notebooks/second.md:3:1 error: order 1 is also used by notebooks/first.md; give each lesson its own place"],
  "reserved-slug": ["notebooks/assets.md:1:1 error: the slug `assets` is taken by site/assets/"],
  "bad-file-name": ["notebooks/My Lesson.md:1:1 error: the file name `My Lesson.md` cannot be a page address: use lower-case letters, digits and dashes (e.g. `my-lesson.md`)"],
  "syntax-error.md": ["notebooks/syntax-error.md:12:11 error: Unexpected token"],
  "inline-error.md": ["notebooks/inline-error.md:11:22 error: Unexpected token"],
  "export.md": ["notebooks/export.md:12:1 error: `export` is not used in cells"],
  "bad-fence-attribute.md": ["notebooks/bad-fence-attribute.md:11:7 error: `id=` needs a name made of letters"],
  "bad-tex.md": ["notebooks/bad-tex.md:11:13 error: TeX: Unexpected end of input in a macro argument, expected '}'"],
  "duplicate-name.md": ["notebooks/duplicate-name.md:16:7 error: `w` is defined more than once (first at notebooks/duplicate-name.md:12:7); rename one of them"],
  "builtin-name.md": ["notebooks/builtin-name.md:12:7 error: `width` is a built-in name; choose another name"],
  "assign-other.md": ["notebooks/assign-other.md:16:1 error: cannot assign to `w`, defined by another cell (notebooks/assign-other.md:12:7)"],
  "assign-global.md": [
    "notebooks/assign-global.md:12:1 error: assignment to global `Array`",
    "notebooks/assign-global.md:20:2 error: assignment to global `Math`",
    "notebooks/assign-global.md:24:6 error: assignment to global `JSON`",
    "notebooks/assign-global.md:28:1 error: assignment to global `Infinity`"
  ],
  "redefine-global.md": [
    "notebooks/redefine-global.md:12:10 error: global `Array` cannot be redefined",
    "notebooks/redefine-global.md:16:7 error: global `Math` cannot be redefined",
    "notebooks/redefine-global.md:20:11 error: global `Promise` cannot be redefined",
    "notebooks/redefine-global.md:24:7 error: global `Map` cannot be redefined"
  ],
  "cycle.md": [
    "notebooks/cycle.md:12:11 error: circular definition: a → b2 → a",
    "notebooks/cycle.md:16:12 error: circular definition: b2 → a → b2"
  ],
  "undefined-name.md": ["notebooks/undefined-name.md:18:1 error: `sigmoud` is not defined (did you mean `sigmoid`?)"],
  "unknown-import.md": ["notebooks/unknown-import.md:12:17 error: cannot resolve `nope`: a cell can import an npm package from package.json's dependencies ("],
  "cdn-import.md": ["notebooks/cdn-import.md:12:21 error: cannot import `https://cdn.jsdelivr.net/npm/d3/+esm`: Lectern never loads code from another origin"],
  "imports-itself.md": ["notebooks/imports-itself.md:16:26 error: this cell imports its own notebook (`./imports-itself.md`)"],
  "duplicate-id.md": ["notebooks/duplicate-id.md:15:1 error: id=plot is already used by the cell at notebooks/duplicate-id.md:11:1"],
  "heading-collision.md": ["notebooks/heading-collision.md:11:1 error: the heading `References` has the id `references`, which the References section (from the front matter) already has"],
  "html-id-collision.md": ["notebooks/html-id-collision.md:13:6 error: the HTML element with id=\"setup\" has the id `setup`, which the heading `Setup` (line 11) already has"],
  "same-page-anchor.md": ["notebooks/same-page-anchor.md:13:19 error: broken link `#resutls`: this page has no heading or element with the id `resutls` (did you mean `#results`?)"],
  "broken-anchor": [
    "notebooks/lesson.md:11:20 error: broken link `perceptron.md#xor`: `perceptron.md` has no heading or element with the id `xor` (the cell id=xor is at `#cell-xor`)",
    "notebooks/lesson.md:11:61 error: broken link `perceptron.md#xor-problm`: `perceptron.md` has no heading or element with the id `xor-problm` (did you mean `#xor-problem`?)"
  ],
  "broken-link": ["notebooks/lesson.md:11:24 error: broken link `perceptorn.md`: there is no notebook `perceptorn.md` in this course (did you mean `perceptron.md`?)"],
  "link-form.md": ["notebooks/link-form.md:11:24 error: the link `../notebooks/other.md` will not work on the site: link to a lesson by its file name alone, e.g. `other.md`"]
};

/** Every expected line is printed (by prefix), and nothing else is. */
function expectExactly(printed: string[], expected: string[]): void {
  const left = [...printed];
  for (const line of expected) {
    const i = left.findIndex((p) => p.startsWith(line));
    expect(i, `missing: ${line}\nprinted:\n${printed.join("\n")}`).toBeGreaterThanOrEqual(0);
    left.splice(i, 1);
  }
  expect(left, "printed lines nobody expected").toEqual([]);
}

/** A 5 MB notebook: valid, long, with one typo near its end. */
function hugeNotebook(): {text: string; typoLine: number} {
  const lines = ["---", "title: A very long lesson", "order: 1", "summary: Five megabytes of prose.", "objectives:", "  - survive", "references:", "  - the checker tests", "---", "", "```js", "function sigmoid(z) {", "  return 1 / (1 + Math.exp(-z));", "}", "```", ""];
  let size = lines.join("\n").length;
  for (let i = 0; size < 5_000_000; ++i) {
    const line = `Paragraph ${i}: a sentence of ordinary prose, long enough to make the file large, with **bold** and \`code\`.`;
    lines.push(line, "");
    size += line.length + 2;
  }
  lines.push("```js", "sigmoud(1)", "```", "");
  return {text: lines.join("\n"), typoLine: lines.length - 2}; // 1-based line of `sigmoud`
}

describe("npm run check: every kind of broken notebook is reported where it is", () => {
  it("the corpus has at least 20 distinct broken notebooks, and this test covers each of them", () => {
    const entries = readdirSync(CORPUS).sort();
    expect(Object.keys(CASES).sort()).toEqual(entries);
    expect(entries.length + 1).toBeGreaterThanOrEqual(20); // + the 5 MB one, generated below
  });

  for (const [entry, expected] of Object.entries(CASES)) {
    it(`${entry}: the expected message at the expected position; neither the checker nor the build crashes`, async () => {
      const dir = course([entry]);
      const result = checkNotebooks({root: dir});
      expectExactly(result.diagnostics.map(formatDiagnostic), expected);
      // The preview compiles the course its own (cached) way: it must report exactly the same.
      expect(new LiveCourse(dir).compile().diagnostics).toEqual(result.diagnostics);
      // The build refuses exactly what the checker calls an error.
      const refused = result.diagnostics.some((d) => d.severity === "error");
      const built = await build({root: dir, out: "site"});
      expect(built.ok).toBe(!refused);
      expect(existsSync(join(dir, "site"))).toBe(!refused);
    });
  }

  it("a 5 MB notebook is checked to its last line, with a warning about its size", () => {
    const {text, typoLine} = hugeNotebook();
    expect(text.length).toBeGreaterThanOrEqual(5_000_000);
    const dir = course([], {"huge.md": text});
    expectExactly(checkNotebooks({root: dir}).diagnostics.map(formatDiagnostic), [
      "notebooks/huge.md:1:1 warning: this notebook is 5.",
      `notebooks/huge.md:${typoLine}:1 error: \`sigmoud\` is not defined (did you mean \`sigmoid\`?)`
    ]);
  });

  it("a keep-going build of the whole corpus at once publishes every page it can, with the errors in place", async () => {
    const files = Object.keys(CASES).filter((e) => e.endsWith(".md"));
    const dir = course(files, {"huge.md": hugeNotebook().text});
    const result = await build({root: dir, out: "site", keepGoing: true});
    // Files that are not notebooks at all (binary, not UTF-8) have no page; every other one does.
    expect(result.pages.length).toBe(files.length + 1 /* huge */ + 1 /* home */ - 2);
    expect(result.ok).toBe(false);
    expect(existsSync(join(dir, "site/syntax-error/index.html"))).toBe(true);
  });
});

describe("npm run check on the command line", () => {
  const run = promisify(execFile);
  const check = async (cwd: string, args: string[] = []) => {
    try {
      const {stdout} = await run(process.execPath, [join(ROOT, "build.mjs"), "check", ...args], {cwd});
      return {code: 0, stdout};
    } catch (error) {
      const e = error as {code: number; stdout: string};
      return {code: e.code, stdout: e.stdout};
    }
  };

  it("prints file:line:col severity: message lines and a one-line summary, and exits 1 on errors", async () => {
    const dir = course(["undefined-name.md", "cycle.md"]);
    const {code, stdout} = await check(dir);
    expect(code).toBe(1);
    expect(stdout.trim().split("\n")).toEqual([
      "notebooks/cycle.md:12:11 error: circular definition: a → b2 → a; a cell cannot depend on itself, even through others",
      "notebooks/cycle.md:16:12 error: circular definition: b2 → a → b2; a cell cannot depend on itself, even through others",
      "notebooks/undefined-name.md:18:1 error: `sigmoud` is not defined (did you mean `sigmoid`?)",
      "Checked 3 notebooks: 3 errors."
    ]);
  });

  it("with file arguments, prints only those files' problems; a clean course exits 0", async () => {
    const dir = course(["undefined-name.md", "cycle.md"]);
    const only = await check(dir, ["notebooks/undefined-name.md"]);
    expect(only.code).toBe(1);
    expect(only.stdout).not.toContain("cycle.md");
    expect(only.stdout).toContain("Checked 3 notebooks: 1 error.");
    const clean = await check(course([]));
    expect(clean).toEqual({code: 0, stdout: "Checked 1 notebook: no problems.\n"});
  });

  it("the summary counts errors and warnings", () => {
    expect(summary({files: 2, diagnostics: []})).toBe("Checked 2 notebooks: no problems.");
    const d = {file: "f", line: 1, column: 1, message: "m"};
    expect(summary({files: 1, diagnostics: [{...d, severity: "error"}, {...d, severity: "warning"}, {...d, severity: "warning"}]})).toBe("Checked 1 notebook: 1 error, 2 warnings.");
  });
});
