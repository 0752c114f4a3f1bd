import {afterAll, describe, expect, it} from "vitest";
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {execFile} from "node:child_process";
import {promisify} from "node:util";
import {checkNotebooks} from "../../src/commands/check.js";
import {lessonTemplate, nextOrder, slugProblem} from "../../src/commands/new.js";
import {splitFrontMatter} from "../../src/notebook/frontmatter.js";

const ROOT = join(import.meta.dirname, "../..");
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, {recursive: true, force: true})));

function course(lessons: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "lectern-new-"));
  temps.push(dir);
  mkdirSync(join(dir, "notebooks"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  writeFileSync(join(dir, "notebooks/index.md"), "---\ntitle: A course\n---\n\nHome.\n");
  for (const [name, text] of Object.entries(lessons)) writeFileSync(join(dir, "notebooks", name), text);
  return dir;
}

async function newLesson(cwd: string, ...args: string[]): Promise<{code: number; out: string}> {
  try {
    const {stdout, stderr} = await promisify(execFile)(process.execPath, [join(ROOT, "build.mjs"), "new", ...args], {cwd});
    return {code: 0, out: stdout + stderr};
  } catch (error) {
    const e = error as {code: number; stdout: string; stderr: string};
    return {code: e.code, out: e.stdout + e.stderr};
  }
}

const lesson = (order: number) => `---\ntitle: Lesson ${order}\norder: ${order}\nsummary: s\nobjectives:\n  - o\nreferences:\n  - r\n---\n\nText.\n`;

describe("npm run new -- <slug> \"<Title>\"", () => {
  it("creates notebooks/<slug>.md with the next free order and one live cell, and the checker finds nothing wrong", async () => {
    const dir = course({"autoencoder.md": lesson(3), "perceptron.md": lesson(1)});
    const {code, out} = await newLesson(dir, "variational-autoencoder", "Variational autoencoders: sampling the code");
    expect(code).toBe(0);
    expect(out).toContain("Created notebooks/variational-autoencoder.md");
    const text = readFileSync(join(dir, "notebooks/variational-autoencoder.md"), "utf8");
    const {data} = splitFrontMatter(text);
    expect(data).toMatchObject({title: "Variational autoencoders: sampling the code", order: 4});
    expect(Object.keys(data).sort()).toEqual(["objectives", "order", "references", "summary", "title"]);
    expect(text).toMatch(/```js id=\w+\n.*view\(Inputs\./);
    expect(checkNotebooks({root: dir}).diagnostics).toEqual([]);
  });

  it("refuses to overwrite an existing notebook", async () => {
    const dir = course({"perceptron.md": lesson(1)});
    const {code, out} = await newLesson(dir, "perceptron", "Another perceptron");
    expect(code).toBe(1);
    expect(out).toContain("notebooks/perceptron.md: it already exists");
    expect(readFileSync(join(dir, "notebooks/perceptron.md"), "utf8")).toBe(lesson(1));
  });

  it("refuses slugs that cannot be page addresses, or that the site uses", async () => {
    const dir = course();
    for (const slug of ["Bad Slug", "index", "assets", "-dash", "ümlaut"]) {
      const {code, out} = await newLesson(dir, slug, "Title");
      expect(code, slug).toBe(1);
      expect(out, slug).toContain("Cannot create the lesson");
    }
    expect(slugProblem("perceptron-2")).toBeUndefined();
    expect(slugProblem("My Lesson")).toContain("(e.g. `my-lesson`)");
    expect(existsSync(join(dir, "notebooks/Bad Slug.md"))).toBe(false);
  });

  it("the template is valid for any title, including quotes and colons; order starts at 1", () => {
    const text = lessonTemplate('The "perceptron": one neuron', 1);
    expect(splitFrontMatter(text).data.title).toBe('The "perceptron": one neuron');
    expect(nextOrder(join(tmpdir(), "no-such-folder"))).toBe(1);
  });
});
