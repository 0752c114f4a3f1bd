import {describe, expect, it, beforeAll, afterAll} from "vitest";
import {mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {spawnSync} from "node:child_process";
import {gzipSync} from "node:zlib";
import {build} from "../../src/build/build.js";
import {bundlePages} from "../../src/build/bundle.js";
import {createImportResolver} from "../../src/build/resolve.js";

const ROOT = join(import.meta.dirname, "../..");
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lectern-build-"));
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

/** A course folder (index + lessons) inside the temp folder, named relative to the project root. */
function course(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, {recursive: true});
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}
const lesson = (title: string, order: number, body: string) =>
  `---\ntitle: ${title}\norder: ${order}\nsummary: About ${title}.\nobjectives: [learn]\nreferences: [a book]\n---\n\n${body}\n`;

describe("node build.mjs", () => {
  it("refuses a broken course: lists every error as file:line:col, exits 1, leaves the previous site untouched", () => {
    const good = course("good", {"index.md": "---\ntitle: Home\n---\n\nHi.\n", "one.md": lesson("One", 1, "```js\nconst a = 1;\n```")});
    const out = join(work, "site-a");
    let r = spawnSync("node", ["build.mjs", "--notebooks", good, "--out", out], {cwd: ROOT, encoding: "utf8"});
    expect(r.status).toBe(0);
    const before = readFileSync(join(out, "one/index.html"), "utf8");
    const broken = course("broken", {
      "index.md": "---\ntitle: Home\n---\n",
      "one.md": lesson("One", 1, "```js\nconst a = (1 +;\n```\n\n```js\nundefinedThing\n```"),
      "two.md": "---\ntitle: [\n---\n"
    });
    r = spawnSync("node", ["build.mjs", "--notebooks", broken, "--out", out], {cwd: ROOT, encoding: "utf8"});
    expect(r.status).toBe(1);
    const rel = broken.slice(ROOT.length + 1).replace(/^/, "");
    const lines = r.stderr.split("\n").filter((l) => / error: /.test(l));
    expect(lines.map((l) => l.replace(/^.*?(one|two)\.md/, "$1.md"))).toEqual([
      "one.md:10:15 error: Unexpected token",
      "one.md:14:1 error: `undefinedThing` is not defined",
      expect.stringMatching(/^two\.md:3:1 error: front matter is not valid YAML/)
    ]);
    expect(lines[0].startsWith(rel) || lines[0].includes("one.md")).toBe(true);
    expect(readFileSync(join(out, "one/index.html"), "utf8")).toBe(before);
    expect(readdirSync(work).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("writes index.html and <slug>/index.html with relative links only, lessons in order", async () => {
    const dir = course("order", {
      "index.md": "---\ntitle: Home\ncredit: \"After <cite>A Deck</cite> ([example.org](https://example.org)).\"\n---\n\nWelcome. See [the second](second.md#part).\n",
      "second.md": lesson("Second", 2, "## Part\n\nBack to [home](index.md)."),
      "first.md": lesson("First", 1, "Text.")
    });
    const out = join(work, "site-b");
    const result = await build({root: ROOT, notebooks: dir, out});
    expect(result.ok).toBe(true);
    expect(result.pages.sort()).toEqual(["first/index.html", "index.html", "second/index.html"]);
    const home = readFileSync(join(out, "index.html"), "utf8");
    const second = readFileSync(join(out, "second/index.html"), "utf8");
    for (const html of [home, second]) {
      const urls = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]).filter((u) => !u.startsWith("https://example.org"));
      expect(urls.filter((u) => u.startsWith("/") || /^[a-z]+:/.test(u))).toEqual([]);
    }
    expect(home.indexOf("first/")).toBeLessThan(home.indexOf("second/"));
    expect(home).toContain('href="second/#part"');
    expect(second).toContain('href="../"');
    expect(second).toMatch(/rel="prev"[^>]*>|href="..\/first\/" rel="prev"/);
    // The credit line is the course's own, from its home notebook's front matter.
    expect(second).toContain('<footer class="credit"><p>After <cite>A Deck</cite> (<a href="https://example.org">example.org</a>).</p></footer>');
  });

  it("splits code: a page loads only the chunks its cells need, and a shared package is one chunk", async () => {
    const dir = course("split", {
      "index.md": "---\ntitle: Home\n---\n\nNo cells here.\n",
      "a.md": lesson("A", 1, "```js\nPlot.plot({marks: [Plot.dot([1, 2])]})\n```"),
      "b.md": lesson("B", 2, "```js\nPlot.plot({marks: [Plot.line([1, 2])]})\n```")
    });
    const out = join(work, "site-c");
    await build({root: ROOT, notebooks: dir, out});
    const assets = join(out, "assets");
    const js = readdirSync(assets).filter((f) => f.endsWith(".js"));
    // Plot (with d3) is one chunk, loaded by import() only when a cell uses Plot; a page loads it lazily, never up front.
    const plotChunks = js.filter((f) => !f.startsWith("plot-") && readFileSync(join(assets, f), "utf8").includes("unknown legend type"));
    expect(plotChunks).toHaveLength(1);
    // It holds what the cells use (Plot.dot, Plot.line, not Plot.hexgrid); the whole of Plot is a
    // bundle of its own, for a student's edited cell that names another member.
    expect(readFileSync(join(assets, plotChunks[0]), "utf8")).not.toContain("hexgrid");
    const whole = js.filter((f) => f.startsWith("plot-"));
    expect(whole).toHaveLength(1);
    expect(readFileSync(join(assets, whole[0]), "utf8")).toContain("hexgrid");
    const home = js.find((f) => f.startsWith("page-index-"))!;
    const pageA = js.find((f) => f.startsWith("page-a-"))!;
    for (const page of [home, pageA]) expect(staticClosure(assets, page)).not.toContain(plotChunks[0]);
    // Every asset file name carries a content hash.
    expect(readdirSync(assets).filter((f) => /\.(js|css|svg)$/.test(f) && !/-[A-Za-z0-9]{8,}\.\w+$/.test(f))).toEqual([]);
    // Figure for the closing note: gzipped JS a page with no tfjs (and no Plot) loads up front.
    const bytes = staticClosure(assets, home).reduce((n, f) => n + gzipSync(readFileSync(join(assets, f))).length, 0);
    expect(bytes).toBeLessThan(40_000);
  });
});

describe("the course's lesson pages (issue 23: a page's JS before its models load)", () => {
  it("fetch tfjs on load only when a cell of the page itself imports it: no helper module drags it in", async () => {
    const out = join(work, "site-course");
    const result = await build({root: ROOT, out});
    expect(result.ok).toBe(true);
    const assets = join(out, "assets");
    const js = readdirSync(assets).filter((f) => f.endsWith(".js"));
    // tfjs-core's chunk, named by one of its messages: one for the pages and the training worker,
    // so a page that computes with tfjs and then trains fetches it once.
    const tfChunks = js.filter((f) => readFileSync(join(assets, f), "utf8").includes("Cannot evaluate flag"));
    expect(tfChunks).toHaveLength(1);
    const worker = js.filter((f) => /^train-worker-[A-Z0-9]{8}\.js$/.test(f));
    expect(worker).toHaveLength(1);
    expect(staticClosure(assets, worker[0]!)).toContain(tfChunks[0]);
    // Every page entry names that worker file (registered for cells/assets.ts), and no entry keeps
    // the build's placeholder for it.
    for (const f of js.filter((f) => /^(page|embed)-/.test(f))) {
      const text = readFileSync(join(assets, f), "utf8");
      expect(text, f).toContain(`"train-worker":"${worker[0]}"`);
      expect(text, f).not.toContain("lectern-worker-file:");
    }
    const slugs = readdirSync(join(ROOT, "notebooks")).filter((f) => f.endsWith(".md") && f !== "index.md").map((f) => f.slice(0, -3));
    const fetchesTf = Object.fromEntries(slugs.map((slug) => {
      const entry = js.find((f) => new RegExp(`^page-${slug}-[A-Z0-9]{8}\\.js$`).test(f))!;
      return [slug, upFront(assets, entry).includes(tfChunks[0]!)];
    }));
    const importsTf = Object.fromEntries(slugs.map((slug) => [slug, readFileSync(join(ROOT, "notebooks", `${slug}.md`), "utf8").includes('from "../cells/tf/tfjs.js"')]));
    expect(fetchesTf).toEqual(importsTf);
    // Today's split: the four pages that compute with tf on the main thread, and none of the others.
    expect(Object.keys(importsTf).filter((slug) => importsTf[slug]).sort()).toEqual(["loss-activation", "matmul-shapes", "perceptron", "vanishing-gradients"]);
  });
});

/** What a page fetches as it loads: its static closure and that of every module its cells import. */
function upFront(dir: string, entry: string): string[] {
  const seen = new Set(staticClosure(dir, entry));
  for (const m of readFileSync(join(dir, entry), "utf8").matchAll(/import\(\s*"\.\/([\w-]+\.js)"\s*\)/g)) staticClosure(dir, m[1]!, seen);
  return [...seen];
}

/** The files a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(dir: string, entry: string, seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [...seen];
  seen.add(entry);
  const text = readFileSync(join(dir, entry), "utf8");
  for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?"\.\/([\w-]+\.js)"/g)) staticClosure(dir, m[1], seen);
  return [...seen];
}

describe("a course's workers, bundled with its pages (issue 23: tfjs one shared, cached chunk)", () => {
  it("share the pages' chunks, and a changed worker renames every page entry that names it", async () => {
    const dir = join(work, "workers");
    mkdirSync(join(dir, "cells"), {recursive: true});
    writeFileSync(join(dir, "package.json"), "{}");
    writeFileSync(join(dir, "cells", "shared.ts"), `export const shared = (x: number) => x * 41 + 1;\n`);
    const resolver = createImportResolver(dir);
    const bundleWith = async (message: string) => {
      writeFileSync(join(dir, "cells", "worker.ts"), `import {shared} from "./shared.js";\nself.onmessage = () => postMessage(${JSON.stringify(message)} + shared(1));\n`);
      const out = join(dir, `out-${message}`);
      const result = await bundlePages({
        root: dir, outDir: out, resolver, assets: {}, workers: [{name: "solver", path: join(dir, "cells", "worker.ts")}],
        pages: [{slug: "one", source: `import {shared} from "../cells/shared.js";\nconsole.log(shared(2));\n`}]
      });
      expect(result.errors).toEqual([]);
      const files = readdirSync(join(out, "assets"));
      return {result, files, text: (f: string) => readFileSync(join(out, "assets", f), "utf8")};
    };
    const a = await bundleWith("a"), b = await bundleWith("b");
    const [entryA, entryB] = [a.result.entries.get("one")!, b.result.entries.get("one")!];
    const [workerA, workerB] = [a.result.workers.get("solver")!, b.result.workers.get("solver")!];
    expect(workerA).not.toBe(workerB);
    // The page names its own build's worker, and its file name changes with it (a cached entry
    // never names a worker file that is gone).
    expect(a.text(entryA)).toContain(`solver:"${workerA}"`);
    expect(b.text(entryB)).toContain(`solver:"${workerB}"`);
    expect(entryA).not.toBe(entryB);
    expect(a.files).toEqual(expect.arrayContaining([entryA, workerA]));
    expect(a.files).not.toContain(entryB);
    // shared.ts is one chunk both import, and the same chunk (same name) in both builds.
    const sharedChunk = a.files.find((f) => f.startsWith("chunk-") && a.text(f).includes("41"))!;
    expect(a.text(entryA)).toContain(sharedChunk);
    expect(a.text(workerA)).toContain(sharedChunk);
    expect(b.files).toContain(sharedChunk);
  });
});
