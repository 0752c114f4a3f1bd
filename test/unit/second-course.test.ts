// A second, minimal course (test/fixtures/second-course: two notebooks, no tfjs, no credit) goes
// through the same commands as the real one, and nothing of the real course comes along: the
// engine knows no course; each course names its own assets, workers and credit in its home
// notebook's front matter.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {spawnSync} from "node:child_process";
import {build} from "../../src/build/build.js";
import {compileCourse} from "../../src/build/build.js";
import {courseConfig} from "../../src/build/course-config.js";
import {startPreview} from "../../src/preview/server.js";

const ROOT = join(import.meta.dirname, "../..");
const COURSE = "test/fixtures/second-course";
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lectern-second-"));
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

function listing(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: "utf8"}).filter((f) => statSync(join(dir, f)).isFile()).sort();
}
/** What of the real course could leak into another: its data, tfjs binaries, its worker, its credit. */
const REAL_COURSE = /mnist|tfjs|train-worker|fbb\.space|Bianco|class="credit"/i;

describe("a second course", () => {
  it("checks clean with `npm run check`", () => {
    const r = spawnSync(process.execPath, ["build.mjs", "check", "--notebooks", COURSE], {cwd: ROOT, encoding: "utf8"});
    expect(r.stdout).toBe("Checked 2 notebooks: no problems.\n");
    expect(r.status).toBe(0);
  });

  it("builds with `node build.mjs`, and its site carries none of the real course's assets, worker or credit", async () => {
    const out = join(work, "site");
    const result = await build({root: ROOT, notebooks: COURSE, out});
    expect(result.ok).toBe(true);
    expect(result.pages.sort()).toEqual(["index.html", "sums/index.html"]);
    const files = listing(out);
    expect(files.filter((f) => REAL_COURSE.test(f) || /\.(bin|wasm)$/.test(f))).toEqual([]);
    for (const f of files.filter((f) => /\.(html|js)$/.test(f))) expect(readFileSync(join(out, f), "utf8"), f).not.toMatch(REAL_COURSE);
    const page = readFileSync(join(out, "sums/index.html"), "utf8");
    expect(page).toContain("<title>Sums of the first n numbers · Counting by hand</title>");
    expect(page).not.toContain("<footer");
  });

  it("previews with `npm run dev`: the same pages, none of the real course's files", async () => {
    const cacheDir = join(work, "preview");
    const preview = await startPreview({root: ROOT, notebooks: COURSE, port: 0, cacheDir});
    try {
      const html = await (await fetch(`${preview.url}sums/`)).text();
      expect(html).toContain("Counting by hand");
      expect(html).not.toMatch(REAL_COURSE);
      expect(listing(join(cacheDir, "assets")).filter((f) => REAL_COURSE.test(f) || /\.(bin|wasm)$/.test(f))).toEqual([]);
    } finally {
      await preview.close();
    }
  });

  it("the real course names its own: title, credit, MNIST, tfjs binaries, training worker", () => {
    const {notebooks, diagnostics} = compileCourse(ROOT, "notebooks");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const {config} = courseConfig(ROOT, notebooks);
    expect(config.title).toBe("Generative AI: autoencoders");
    expect(config.credit).toBe(`Rebuilt as live notebooks from Federica Bianco's slide deck <cite>Generative AI: autoencoders</cite> (<a href="https://fbb.space">fbb.space</a>).`);
    expect(config.assets.map((a) => [a.name, a.ext, a.path.slice(ROOT.length + 1)])).toEqual([["mnist", "bin", "cells/build/mnist.ts"], ["tfjs-wasm/", "", "cells/build/tfjs-wasm.ts"]]);
    expect(config.workers.map((w) => [w.name, w.path.slice(ROOT.length + 1)])).toEqual([["train-worker", "cells/train/worker.ts"]]);
  });

  it("mistakes in a course's settings are reported at their line", () => {
    const {config, diagnostics} = courseConfig(ROOT, [{
      slug: "index",
      path: "",
      source: "---\ntitle: T\ncredit: 3\nassets:\n  Data.bin: ../cells/x.ts\n  data.bin: ../cells/missing.ts\nworkers:\n  solver: ../cells/assets.ts\n---\n",
      notebook: {file: "notebooks/index.md", title: "T", frontMatter: {title: "T", credit: 3, assets: {"Data.bin": "../cells/x.ts", "data.bin": "../cells/missing.ts"}, workers: {solver: "../cells/assets.ts"}}} as never
    }]);
    expect(diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual([
      "3: front matter `credit` must be a line of text (inline Markdown), shown at the foot of every page",
      "5: asset name `Data.bin` must be `name.ext` (a file) or `name/` (a folder), in lower-case letters, digits and dashes",
      "6: `data.bin`: no module at `../cells/missing.ts` (cells/missing.ts)"
    ]);
    expect(config.workers.map((w) => w.name)).toEqual(["solver"]);
  });
});
