import {describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, existsSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {cellClosure} from "../../src/notebook/closure.js";
import {compileNotebook} from "../../src/notebook/notebook.js";
import {embedModule, embeddableIds, embedStylesheet, notebookClosure, renderEmbedPage} from "../../src/build/embed.js";
import {build} from "../../src/build/build.js";
import {iframeSnippet, elementSnippet} from "../../src/client/embed-control.js";

const ROOT = resolve(import.meta.dirname, "../..");

describe("cellClosure", () => {
  const cells = [
    {id: "a", inputs: [], outputs: ["a"]},
    {id: "b", inputs: ["a", "width"], outputs: ["b"]},
    {id: "c", inputs: ["Inputs"], outputs: ["c"]},
    {id: "d", inputs: ["b", "c", "display"], outputs: []},
    {id: "e", inputs: ["d"], outputs: ["e"]},
    {id: "f", inputs: ["e", "a"], outputs: []}
  ];
  it("is the cell and everything upstream of it, in document order", () => {
    expect(cellClosure(cells, "d")).toEqual(["a", "b", "c", "d"]);
    expect(cellClosure(cells, "a")).toEqual(["a"]);
    expect(cellClosure(cells, "b")).toEqual(["a", "b"]);
  });
  it("ignores built-ins and names nobody defines, and never goes downstream", () => {
    expect(cellClosure(cells, "c")).toEqual(["c"]);
    expect(cellClosure(cells, "a")).not.toContain("b");
    // d declares nothing, so e's `d` is nobody's output (an undefined name, not a dependency).
    expect(cellClosure(cells, "f")).toEqual(["a", "e", "f"]);
  });
  it("stops on cycles and is undefined for an unknown id", () => {
    expect(cellClosure([{id: "x", inputs: ["y"], outputs: ["x"]}, {id: "y", inputs: ["x"], outputs: ["y"]}], "x")).toEqual(["x", "y"]);
    expect(cellClosure(cells, "nope")).toBeUndefined();
    expect(cellClosure(cells, "__proto__")).toBeUndefined();
  });
  it("follows a cell's several outputs", () => {
    expect(cellClosure([{id: "p", inputs: [], outputs: ["u", "v"]}, {id: "q", inputs: ["v"], outputs: []}], "q")).toEqual(["p", "q"]);
  });
});

describe("embed generation", () => {
  const notebook = compileNotebook(readFileSync(join(ROOT, "test/fixtures/embed/alpha.md"), "utf8"), {file: "test/fixtures/embed/alpha.md", lesson: true});

  it("promises only id= cells, and a cell's closure comes from the compiled inputs", () => {
    expect(embeddableIds(notebook)).toEqual(["n", "unrelated", "rows", "double"]);
    expect(notebookClosure(notebook, "rows")).toEqual(["n", "rows"]);
    expect(notebookClosure(notebook, "unrelated")).toEqual(["unrelated"]);
  });

  it("writes a lesson's embed module with its cells, their roots and the promised ids", () => {
    const source = embedModule("alpha", notebook, "/x/embed.ts");
    expect(source).toMatch(/^import \{registerLesson\} from "\/x\/embed.ts";/);
    expect(source).toContain(`registerLesson({slug: "alpha", file, broken, cells, roots: {`);
    expect(source).toContain(`ids: ["n","unrelated","rows","double"]`);
    expect(source).toContain(`data-cell=\\"rows\\"`);
  });

  it("renders an iframe page as a shell that escapes what it names", () => {
    const html = renderEmbedPage({slug: "alpha", id: 'x"><b>', title: "A <T>", assets: {style: "s.css", favicon: "f.svg", script: "e.js"}});
    expect(html).toContain(`data-lectern-embed="alpha" data-embed-cell="x&quot;&gt;&lt;b&gt;"`);
    expect(html).toContain(`<script type="module" src="../../assets/e.js"></script>`);
    expect(html).not.toContain("<b>");
    expect(html).not.toMatch(/<script>(?!<\/)/); // no inline script: a strict CSP on the site still works
  });

  it("moves page-level selectors of the stylesheet onto the shadow root's wrapper", () => {
    const css = embedStylesheet(`:root { --bg: #fff; }\n:root[data-theme="dark"] { --bg: #000; }\nbody {\n  color: var(--fg);\n}\n`);
    expect(css).not.toContain(":root");
    expect(css).toContain(`.lectern-embed[data-theme="dark"]`);
    expect(css).toMatch(/^\.lectern-embed \{\n  color/m);
  });

  it("gives snippets whose listener accepts only its own iframe's messages", () => {
    const iframe = iframeSnippet("https://c.example/", "alpha", "rows");
    expect(iframe).toContain(`src="https://c.example/embed/alpha/rows.html"`);
    expect(iframe).toContain("event.source !== frame.contentWindow");
    expect(elementSnippet("https://c.example/", "alpha", "rows")).toContain(`<lectern-cell src="https://c.example/alpha#rows"></lectern-cell>`);
  });

  it("builds embed pages for every id= cell, an index page per lesson and embed.js", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lectern-embed-"));
    try {
      const result = await build({root: ROOT, notebooks: "test/fixtures/embed", out: join(dir, "site")});
      expect(result.ok).toBe(true);
      expect(result.embeds?.sort()).toEqual(["embed/alpha/double.html", "embed/alpha/n.html", "embed/alpha/rows.html", "embed/alpha/unrelated.html", "embed/beta/quiet.html", "embed/beta/shout.html", "embed/beta/word.html"]);
      for (const f of ["embed/alpha/index.html", "embed/beta/index.html", "embed.js"]) expect(existsSync(join(dir, "site", f))).toBe(true);
      const js = readFileSync(join(dir, "site/embed.js"), "utf8");
      expect(js).toMatch(/embed-alpha-\w+\.js/);
      expect(js).toContain("lectern-cell");
      // The lesson page marks its embeddable cells for the Embed control.
      expect(readFileSync(join(dir, "site/alpha/index.html"), "utf8")).toMatch(/data-cell="rows" data-state="pending" data-embed/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  }, 60_000);
});
