import {existsSync, readFileSync, readdirSync} from "node:fs";
import {join} from "node:path";

/** What a cell may import: packages in package.json's dependencies, and `../cells/<name>.js`. */
export interface ImportResolver {
  /** An error message when `specifier` cannot be bundled, else undefined. */
  check(specifier: string): string | undefined;
  /** The file a `../cells/…` specifier means, for the bundler. */
  cellsModule(specifier: string): string | undefined;
}

const CELLS = /^(?:\.\.\/)+cells\/([\w./-]+)\.js$/;

export function createImportResolver(root: string): ImportResolver {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {dependencies?: Record<string, string>};
  const dependencies = Object.keys(pkg.dependencies ?? {}).sort();
  const cellsDir = join(root, "cells");
  const cellsModule = (specifier: string) => {
    const m = CELLS.exec(specifier);
    if (!m || m[1].includes("..")) return undefined;
    for (const ext of [".ts", ".js"]) if (existsSync(join(cellsDir, m[1] + ext))) return join(cellsDir, m[1] + ext);
    return undefined;
  };
  const cellsList = () => {
    try {
      return readdirSync(cellsDir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".test.ts") && !f.endsWith(".d.ts")).map((f) => `../cells/${f.replace(/\.ts$/, ".js")}`);
    } catch {
      return [];
    }
  };
  const whatCanBe = () => {
    const cells = cellsList();
    return `a cell can import an npm package from package.json's dependencies (${dependencies.join(", ")})` +
      (cells.length ? ` or a course module (${cells.join(", ")})` : " or a course module as `../cells/<name>.js`");
  };
  return {
    cellsModule,
    check(specifier) {
      if (/^(https?:)?\/\//.test(specifier)) return `cannot import \`${specifier}\`: Lectern never loads code from another origin; add the package with npm and import it by name`;
      if (specifier.startsWith("npm:")) return `cannot resolve \`${specifier}\`: write the package name without \`npm:\` (\`${specifier.slice(4)}\`)`;
      if (specifier.startsWith(".") || specifier.startsWith("/")) {
        if (CELLS.test(specifier) && cellsModule(specifier)) return undefined;
        return `cannot resolve \`${specifier}\`: ${whatCanBe()}`;
      }
      const m = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(specifier);
      if (!m || !dependencies.includes(m[1])) return `cannot resolve \`${specifier}\`: ${whatCanBe()}`;
      if (m[2] && !subpathExists(join(root, "node_modules", m[1]), `.${m[2]}`)) {
        return `cannot resolve \`${specifier}\`: the package \`${m[1]}\` has no \`${m[2].slice(1)}\``;
      }
      return undefined;
    }
  };
}

function subpathExists(dir: string, subpath: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {exports?: unknown};
    if (pkg.exports && typeof pkg.exports === "object" && !Array.isArray(pkg.exports)) {
      const keys = Object.keys(pkg.exports);
      if (keys.some((k) => k.startsWith("."))) {
        return keys.some((k) => k === subpath || (k.includes("*") && subpath.startsWith(k.slice(0, k.indexOf("*"))) && subpath.endsWith(k.slice(k.indexOf("*") + 1))));
      }
    }
    return ["", ".js", ".mjs", "/index.js"].some((ext) => existsSync(join(dir, subpath + ext)));
  } catch {
    return false;
  }
}
