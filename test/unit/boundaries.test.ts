import {describe, expect, it} from "vitest";
import {readFileSync, readdirSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import * as esbuild from "esbuild";

const ROOT = join(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : /\.ts$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}
const importsOf = (file: string) =>
  [...readFileSync(join(ROOT, file), "utf8").matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);

describe("the boundaries that keep the house livable (architecture.md)", () => {
  it("src/notebook/ imports no Node module, no DOM-only code, no esbuild, nothing from the rest of src/", () => {
    const bad = files("src/notebook").flatMap((f) =>
      importsOf(f).filter((s) => s.startsWith("node:") || s === "esbuild" || /^\.\.\/(\.\.\/)?(build|client|preview|commands)\//.test(s)).map((s) => `${f}: ${s}`)
    );
    expect(bad).toEqual([]);
  });

  it("src/notebook/ bundles for a browser with no Node built-ins (the page's editor can recompile a cell)", async () => {
    const result = await esbuild.build({entryPoints: [join(ROOT, "src/notebook/notebook.ts")], bundle: true, write: false, platform: "browser", format: "esm", logLevel: "silent", metafile: true});
    const inputs = Object.keys(result.metafile.inputs).map((f) => relative(ROOT, join(ROOT, f)));
    expect(inputs.filter((f) => f.startsWith("node:") || f.includes("(disabled)"))).toEqual([]);
  });

  it("src/client/ never imports src/build/ or Node modules", () => {
    const bad = files("src/client").flatMap((f) => importsOf(f).filter((s) => s.startsWith("node:") || s.includes("/build/")).map((s) => `${f}: ${s}`));
    expect(bad).toEqual([]);
  });

  it("cells/ never imports src/", () => {
    const bad = files("cells").flatMap((f) => importsOf(f).filter((s) => /(^|\/)src\//.test(s) || /^(\.\.\/)+src/.test(s)).map((s) => `${f}: ${s}`));
    expect(bad).toEqual([]);
  });

  it("src/ knows no course: no file under cells/, no data set, no course text (a course's settings are in its home notebook)", () => {
    const all = [...files("src"), "src/client/style.css"];
    const bad = all.flatMap((f) => {
      const text = readFileSync(join(ROOT, f), "utf8");
      return [...text.matchAll(/cells\/[a-z0-9-]+(?:\/|\.ts)|mnist|autoencoder|fbb\.space|Bianco/gi)].map((m) => `${f}: ${m[0]}`);
    });
    expect(bad).toEqual([]);
  });
});
