import {describe, expect, it} from "vitest";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {compileNotebook, type CompiledNotebook} from "../../src/notebook/notebook.js";
import {formatDiagnostic} from "../../src/notebook/diagnostic.js";
import {createImportResolver} from "../../src/build/resolve.js";
import {builtinMembers} from "../../src/notebook/javascript/builtin-members.js";

const ROOT = join(import.meta.dirname, "../..");
const resolver = createImportResolver(ROOT);

function compile(name: string): CompiledNotebook {
  const file = `test/unit/fixtures/${name}.md`;
  return compileNotebook(readFileSync(join(ROOT, file), "utf8"), {file, lesson: true, resolveImport: (s) => resolver.check(s)});
}
const cell = (nb: CompiledNotebook, id: string) => {
  const c = nb.cells.find((c) => c.id === id);
  if (!c) throw new Error(`no cell ${id} in ${nb.cells.map((c) => c.id)}`);
  return c;
};
const errors = (nb: CompiledNotebook) => nb.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
const html = (nb: CompiledNotebook) => nb.render({renderCell: (c) => `<cell ${c.id}>`}).join("<hr>");

describe("notebook format", () => {
  it("front matter is read, and its lines still count in positions", () => {
    const nb = compile("front-matter");
    expect(nb.title).toBe("Fixture");
    expect(nb.frontMatter.objectives).toEqual(["test"]);
    expect(nb.headings).toEqual([{level: 1, id: "body", text: "Body"}]);
    expect(errors(nb)).toEqual([]);
  });

  it("TeX renders to KaTeX HTML at build time; prices and escaped dollars stay text", () => {
    const out = html(compile("math"));
    expect(out.match(/class="katex"/g)?.length).toBe(1 + 1);
    expect(out).toContain('class="katex-display"');
    expect(out).toContain("a price like $5 and $10");
    expect(out).toContain("an escaped $x");
    expect(out).toContain("<math"); // MathML for screen readers
  });

  it("${expr} is an inline cell whose inputs are the names it uses", () => {
    const nb = compile("live-value");
    const inline = nb.cells.filter((c) => c.source.inline);
    expect(inline.map((c) => c.runnable!.body)).toEqual(["(w) => (\nw * 10\n)", '() => (\n"}"\n)']);
    expect(inline[0].source).toMatchObject({line: 12, column: 17});
    expect(html(nb)).toContain("The weight is <cell cell-2> and a string");
  });

  it("fence attributes: id=, echo, echo=false, run=false; other languages are listings", () => {
    const nb = compile("fence-attributes");
    expect(nb.cells.map((c) => [c.id, c.source.echo, c.source.run])).toEqual([
      ["slider", "collapsed", true],
      ["sigmoid", "shown", true],
      ["hidden", "hidden", true],
      ["cell-4", "collapsed", false]
    ]);
    expect(cell(nb, "slider").runnable).toMatchObject({inputs: ["view", "Inputs"], outputs: ["w"]});
    expect(cell(nb, "cell-4").runnable).toBeUndefined();
    expect(html(nb)).toContain('<code class="language-python">');
  });

  it("--- separates steps", () => {
    const nb = compile("steps");
    expect(nb.render({renderCell: () => ""}).length).toBe(3);
  });

  it("expression cells display their value; cells may use names defined further down", () => {
    const nb = compile("expression");
    expect(nb.cells[0].runnable).toMatchObject({autodisplay: true, inputs: ["sigmoid", "w", "b"], outputs: []});
    expect(cell(nb, "w").runnable).toMatchObject({autodisplay: false, outputs: ["w", "b", "sigmoid"], inputs: []});
    expect(nb.cells[2].runnable).toMatchObject({autodisplay: false, inputs: ["display", "w"]});
  });

  it("imports become lazy import() calls and their names become outputs", () => {
    const nb = compile("imports");
    const r = nb.cells[0].runnable!;
    expect(r.outputs).toEqual(["Plot2", "range"]);
    expect(r.imports).toEqual(["@observablehq/plot", "@observablehq/inputs"]);
    expect(r.body).toContain('const Plot2 = await import("@observablehq/plot");');
    expect(r.body).toContain('const {range} = await import("@observablehq/inputs");');
    expect(r.body.startsWith("async ")).toBe(true);
  });

  it("a bare `import \"x\";` cell is an async function that loads the module (and runs)", async () => {
    const nb = compile("imports");
    expect(errors(nb)).toEqual([]);
    const bare = nb.cells[1].runnable!;
    expect(bare.imports).toEqual(["htl"]);
    expect(bare.body).toContain('await import("htl");');
    expect(bare.body.startsWith("async ")).toBe(true);
    // The body is valid JavaScript, and running it awaits the import.
    const loaded: string[] = [];
    const fn = new Function("import_", `return ${bare.body.replace(/\bimport\(/g, "import_(")};`)((s: string) => (loaded.push(s), Promise.resolve({})));
    await fn();
    expect(loaded).toEqual(["htl"]);
    // An import() expression needs no await: that cell stays a plain function.
    expect(nb.cells[2].runnable!.body.startsWith("async ")).toBe(false);
  });

  it("generators and every built-in are inputs, not errors", () => {
    const nb = compile("generator");
    expect(errors(nb)).toEqual([]);
    expect(nb.cells[1].runnable!.inputs).toEqual(["invalidation", "now", "width", "visibility", "Generators", "Mutable", "html", "svg"]);
  });
});

describe("errors name notebooks/<file>.md:<line>:<col>, counted in the .md file", () => {
  const at = (name: string) => errors(compile(name));
  it("a syntax error: the parser's message at the exact line and column", () => {
    expect(at("error-syntax")).toEqual(["test/unit/fixtures/error-syntax.md:10:15 error: Unexpected token"]);
  });
  it("a duplicate definition: at the second declaration, naming the first", () => {
    expect(at("error-duplicate")).toEqual([
      "test/unit/fixtures/error-duplicate.md:13:7 error: `w` is defined more than once (first at test/unit/fixtures/error-duplicate.md:9:7); rename one of them"
    ]);
  });
  it("a circular definition: a → b2 → a", () => {
    expect(at("error-circular")).toEqual([
      "test/unit/fixtures/error-circular.md:9:11 error: circular definition: a → b2 → a; a cell cannot depend on itself, even through others",
      "test/unit/fixtures/error-circular.md:13:12 error: circular definition: b2 → a → b2; a cell cannot depend on itself, even through others"
    ]);
  });
  it("an assignment to another cell's variable", () => {
    expect(at("error-assign")).toEqual([
      "test/unit/fixtures/error-assign.md:13:1 error: cannot assign to `w`, defined by another cell (test/unit/fixtures/error-assign.md:9:7): declare a new name in this cell instead"
    ]);
  });
  it("assignment to, and redeclaration of, a JavaScript global: at the offending name", () => {
    const nb = compile("globals");
    expect(errors(nb)).toEqual([
      "test/unit/fixtures/globals.md:12:1 error: assignment to global `Array` (it would change for every cell and library); declare a new name in this cell instead",
      "test/unit/fixtures/globals.md:16:2 error: assignment to global `Math` (it would change for every cell and library); declare a new name in this cell instead",
      "test/unit/fixtures/globals.md:20:6 error: assignment to global `Array` (it would change for every cell and library); declare a new name in this cell instead",
      "test/unit/fixtures/globals.md:24:10 error: global `Array` cannot be redefined (every cell and library relies on it); choose another name",
      "test/unit/fixtures/globals.md:28:7 error: global `Math` cannot be redefined (every cell and library relies on it); choose another name"
    ]);
    // Locals may shadow a global, and a browser global may be a cell's own name.
    expect(cell(nb, "shadow").error).toBeUndefined();
    expect(cell(nb, "history").error).toBeUndefined();
  });

  it("an undefined name, with a suggestion", () => {
    expect(at("error-undefined")).toEqual(["test/unit/fixtures/error-undefined.md:13:1 error: `sigmoud` is not defined (did you mean `sigmoid`?)"]);
  });
  it("an unknown import, listing what can be imported", () => {
    const [message] = at("error-import");
    expect(message).toMatch(/^test\/unit\/fixtures\/error-import\.md:9:17 error: cannot resolve `nope`: a cell can import an npm package from package\.json's dependencies \(.*@observablehq\/plot.*\)/);
  });
  it("bad front matter: YAML errors at their line; missing or mistyped keys", () => {
    expect(at("error-front-matter")[0]).toMatch(/^test\/unit\/fixtures\/error-front-matter\.md:3:1 error: front matter is not valid YAML/);
    expect(at("error-front-matter-unterminated")).toEqual(["test/unit/fixtures/error-front-matter-unterminated.md:1:1 error: unterminated front matter: add a closing `---` line after the YAML"]);
    expect(at("error-front-matter-keys")).toEqual([
      "test/unit/fixtures/error-front-matter-keys.md:1:1 error: front matter needs `title` (a non-empty string)",
      "test/unit/fixtures/error-front-matter-keys.md:1:1 error: front matter needs `summary` (a one-sentence string)",
      "test/unit/fixtures/error-front-matter-keys.md:1:1 error: front matter needs `objectives` (a list of strings)",
      "test/unit/fixtures/error-front-matter-keys.md:1:1 error: front matter needs `references` (a list of strings)",
      "test/unit/fixtures/error-front-matter-keys.md:2:1 error: front matter `order` must be a number: the lesson's place in the course"
    ]);
  });
  it("a broken ${…}: at the token inside the line", () => {
    expect(at("error-inline")).toEqual(["test/unit/fixtures/error-inline.md:12:13 error: Unexpected token"]);
  });
  it("a `---` under a line of text (a heading, not a step break) is a warning at the `---`; `===` headings are left alone", () => {
    const nb = compile("warning-setext");
    expect(nb.diagnostics.map(formatDiagnostic)).toEqual([
      "test/unit/fixtures/warning-setext.md:9:1 warning: this `---` turns the text above it into a heading, not a step break: put a blank line before it (or write the heading with `## ` if a heading was meant)"
    ]);
  });
  it("an unterminated fence says so", () => {
    expect(at("error-unterminated-fence")).toEqual(["test/unit/fixtures/error-unterminated-fence.md:10:1 error: unterminated code fence: close it with a line of ```"]);
  });
  it("a broken cell does not stop its siblings from compiling", () => {
    const nb = compile("error-duplicate");
    expect(nb.cells[0].runnable).toBeDefined();
    expect(nb.cells[1].error).toBeDefined();
  });
});

describe("builtinMembers: what of the built-in Plot or Inputs a compiled cell uses", () => {
  const body = (source: string) => compileNotebook("---\ntitle: T\n---\n\n```js\n" + source + "\n```\n", {file: "t.md", lesson: false}).cells.find((c) => c.runnable)!.runnable!.body;
  it("lists the members read off Plot, once each, sorted", () => {
    expect(builtinMembers(body("Plot.plot({marks: [Plot.line([1, 2]), Plot.dot([1]), Plot.line([3])]})"), "Plot")).toEqual(["dot", "line", "plot"]);
    expect(builtinMembers(body("const r = view(Inputs.range([0, 1])), p = Plot.plot({});"), "Inputs")).toEqual(["range"]);
    expect(builtinMembers(body("const x = 1 + width;"), "Plot")).toEqual([]);
  });
  it("is null when the cell uses Plot as a whole: passed on, destructured, indexed", () => {
    for (const source of ["const p = Plot;", "const {line} = Plot;", 'Plot["line"]([1])', "[Plot.plot, Plot]"]) expect(builtinMembers(body(source), "Plot"), source).toBeNull();
  });
});
