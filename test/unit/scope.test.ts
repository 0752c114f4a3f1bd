import {describe, expect, it} from "vitest";
import {analyzeCell, CellCodeError} from "../../src/notebook/javascript/analyze.js";

const refs = (code: string) => [...new Set(analyzeCell(code).references.map((r) => r.name))].sort();
const decls = (code: string) => analyzeCell(code).declarations.map((d) => d.name);

describe("cell analysis: outputs and inputs", () => {
  it("top-level declarations are outputs, including destructuring, functions, classes and imports", () => {
    expect(decls("const a = 1, {b, c: [d]} = x; let [e, ...f] = y; var g; function h() {} class K {}")).toEqual(["a", "b", "d", "e", "f", "g", "h", "K"]);
    expect(decls(`import {p as q, r} from "pkg"; import * as ns from "other"; import def from "x";`)).toEqual(["q", "r", "ns", "def"]);
  });

  it("free identifiers are inputs; the cell's own declarations are not", () => {
    expect(refs("const y = w * x + b; const z = y + 1;")).toEqual(["b", "w", "x"]);
  });

  it("names bound by functions, blocks, catch clauses and classes are local", () => {
    expect(refs("function f(a, {b = c}, ...d) { const e = a + b + d.length + arguments.length; return e; }")).toEqual(["c"]);
    expect(refs("{ let inner = 1; inner++; } inner")).toEqual(["inner"]);
    expect(refs("try { risky() } catch (err) { err.message }")).toEqual(["risky"]);
    expect(refs("const C = class Named { m() { return Named; } }")).toEqual([]);
    expect(refs("for (const i of items) total += i;")).toEqual(["items", "total"]);
    expect(refs("const f = (x) => x * k; const g = function self(n) { return n ? self(n - 1) : 0; };")).toEqual(["k"]);
  });

  it("property names, labels and object keys are not references", () => {
    expect(refs("outer: for (;;) { obj.prop; ({key: value, [computed]: 1}); break outer; }")).toEqual(["computed", "obj", "value"]);
    expect(refs("({shorthand})")).toEqual(["shorthand"]);
  });

  it("assignments to outside names are marked", () => {
    const a = analyzeCell("w = 2; n++; [p, q] = r; for (it of list) {} let local; local = 1;").references.filter((r) => r.assigned).map((r) => r.name);
    expect(a).toEqual(["w", "n", "p", "q", "it"]);
  });

  it("an expression is displayed; a statement with a semicolon is not; a named function is a declaration", () => {
    expect(analyzeCell("1 + 2").expression).toBe(true);
    expect(analyzeCell("display(1);").expression).toBe(false);
    expect(analyzeCell("function sigmoid(z) { return z; }").expression).toBe(false);
    expect(analyzeCell("(function () {})").expression).toBe(true);
    expect(analyzeCell("{a: 1}").expression).toBe(true); // an object literal, as Observable Framework reads it
  });

  it("top-level await and imports make the body async; await inside a function does not", () => {
    expect(analyzeCell("const x = await fetchIt();").async).toBe(true);
    expect(analyzeCell("const f = async () => await g();").async).toBe(false);
    expect(analyzeCell(`import {x} from "pkg";`).async).toBe(true);
  });

  it("syntax errors carry the offset of the problem", () => {
    try {
      analyzeCell("const a = 1;\nconst b = (2 +;");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CellCodeError);
      expect((error as CellCodeError).offset).toBe(27);
    }
  });

  it("export is refused with advice", () => {
    expect(() => analyzeCell("export const a = 1;")).toThrow(/already visible/);
  });

  it("a dynamic import needs a literal specifier", () => {
    expect(analyzeCell(`const m = await import("pkg");`).imports.map((i) => i.source)).toEqual(["pkg"]);
    expect(() => analyzeCell("const m = await import(name);")).toThrow(/string literal/);
  });
});
