// What a course says about itself, in its home notebook's front matter (notebooks/index.md): the
// engine knows no course. Besides `title`:
//
//   credit: Based on … <cite>…</cite> ([site](https://…)).   # footer of every page (inline Markdown); none if absent
//   assets:                                                  # files the pages load, made at build time
//     digits.bin: ../cells/<module>.ts                        #   a file: logical name "digits" → assets/digits-<hash>.bin
//     binaries/: ../cells/<module>.ts                         #   a folder: "binaries/" → assets/binaries-<hash>/
//   workers:                                                 # module workers, bundled for the browser
//     solver: ../cells/<module>.ts                            #   "solver" → assets/solver-<hash>.js
//
// Paths are relative to the home notebook, as a cell's imports are. An asset module runs in Node
// at build time; its default export returns the bytes (a file) or {name: bytes} (a folder):
//   export default async function asset({cacheDir}: {cacheDir: string}): Promise<Uint8Array | Record<string, Uint8Array>>
// Pages and workers find each file by its logical name in LECTERN_ASSETS, a constant the build
// defines in every page and worker bundle ({"digits": "digits-3f2a9c.bin", …}). Workers are
// bundled with the pages (one chunk for a package both use), so each page entry names them instead
// in globalThis.LECTERN_WORKERS[<URL of the assets folder>] (see src/build/bundle.ts).
import * as esbuild from "esbuild";
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, writeFileSync} from "node:fs";
import {dirname, join, relative, resolve} from "node:path";
import {pathToFileURL} from "node:url";
import type {Diagnostic} from "../notebook/diagnostic.js";
import {renderInlineMarkdown} from "../notebook/markdown.js";
import type {CourseNotebook} from "./build.js";
import {writeHashed} from "./static.js";

export interface CourseEntry {
  /** The logical name pages use (`digits`, `binaries/`, `solver`). */
  name: string;
  /** Absolute path of the module. */
  path: string;
  /** For a file asset: its extension (`bin`); "" for a folder. */
  ext: string;
}

export interface CourseConfig {
  title: string;
  /** The credit line as HTML, or undefined for none. */
  credit?: string;
  assets: CourseEntry[];
  workers: CourseEntry[];
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Reads the course's settings from its home notebook; problems are diagnostics at the key's line. */
export function courseConfig(root: string, notebooks: CourseNotebook[]): {config: CourseConfig; diagnostics: Diagnostic[]} {
  const home = notebooks.find((nb) => nb.slug === "index");
  const config: CourseConfig = {title: home?.notebook.title ?? "Course", assets: [], workers: []};
  const diagnostics: Diagnostic[] = [];
  if (!home) return {config, diagnostics};
  const fm = home.notebook.frontMatter;
  const file = home.notebook.file;
  const lines = home.source.split("\n");
  const lineOf = (key: string, within?: string) => {
    const top = lines.findIndex((l) => l.startsWith(`${within ?? key}:`));
    if (!within) return Math.max(1, top + 1);
    const i = lines.findIndex((l, n) => n > top && new RegExp(`^\\s+["']?${key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}["']?\\s*:`).test(l));
    return i > 0 ? i + 1 : Math.max(1, top + 1);
  };
  const report = (line: number, message: string) => diagnostics.push({file, line, column: 1, severity: "error", message});
  if (fm.credit !== undefined) {
    if (typeof fm.credit === "string" && fm.credit.trim()) config.credit = renderInlineMarkdown(fm.credit.trim());
    else report(lineOf("credit"), "front matter `credit` must be a line of text (inline Markdown), shown at the foot of every page");
  }
  const entries = (key: "assets" | "workers"): CourseEntry[] => {
    const value = fm[key];
    if (value === undefined) return [];
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      report(lineOf(key), `front matter \`${key}\` must map names to module paths, e.g. \`${key === "assets" ? "digits.bin: ../cells/<module>.ts" : "solver: ../cells/<module>.ts"}\``);
      return [];
    }
    const out: CourseEntry[] = [];
    for (const [key2, target] of Object.entries(value as Record<string, unknown>)) {
      const line = lineOf(key2, key);
      const folder = key === "assets" && key2.endsWith("/");
      const m = key === "assets" ? /^([a-z0-9][a-z0-9-]*)(?:\.([a-z0-9]+)|\/)$/.exec(key2) : NAME.test(key2) ? [key2, key2] : null;
      if (!m) {
        report(line, key === "assets"
          ? `asset name \`${key2}\` must be \`name.ext\` (a file) or \`name/\` (a folder), in lower-case letters, digits and dashes`
          : `worker name \`${key2}\` must be lower-case letters, digits and dashes`);
        continue;
      }
      if (typeof target !== "string" || !target.trim()) {
        report(line, `\`${key2}\` needs the path of its module, relative to ${file}`);
        continue;
      }
      const path = resolve(dirname(resolve(root, file)), target);
      if (!existsSync(path)) {
        report(line, `\`${key2}\`: no module at \`${target}\` (${relative(root, path).split("\\").join("/")})`);
        continue;
      }
      out.push({name: key === "assets" ? (folder ? `${m[1]}/` : m[1]!) : key2, path, ext: folder || key !== "assets" ? "" : m[2]!});
    }
    return out;
  };
  config.assets = entries("assets");
  config.workers = entries("workers");
  return {config, diagnostics};
}

/**
 * Runs each of the course's asset modules and writes what it returns under assetsDir, named by
 * content; returns logical name → file (or folder/) under assets/. Modules are bundled for Node
 * with esbuild into <root>/.cache/ (packages stay external, loaded from node_modules).
 */
export async function writeCourseAssets(root: string, config: CourseConfig, assetsDir: string): Promise<Record<string, string>> {
  const assets: Record<string, string> = {};
  const cacheDir = join(root, ".cache");
  for (const entry of config.assets) {
    const produce = await loadAssetModule(root, entry.path);
    const made = await produce({cacheDir});
    if (made instanceof Uint8Array) {
      assets[entry.name] = writeHashed(assetsDir, entry.name, entry.ext, made);
    } else if (made && typeof made === "object") {
      const names = Object.keys(made).sort();
      const hash = createHash("sha256");
      for (const n of names) hash.update(n).update("\0").update(made[n]!).update("\0");
      const folder = `${entry.name.slice(0, -1)}-${hash.digest("hex").slice(0, 10)}/`;
      mkdirSync(join(assetsDir, folder), {recursive: true});
      for (const n of names) if (!existsSync(join(assetsDir, folder, n))) writeFileSync(join(assetsDir, folder, n), made[n]!);
      assets[entry.name] = folder;
    } else {
      throw new Error(`${relative(root, entry.path)}: its default export must return bytes (a Uint8Array) or {file name: bytes}`);
    }
  }
  return assets;
}

type AssetModule = (context: {cacheDir: string}) => Promise<Uint8Array | Record<string, Uint8Array>> | Uint8Array | Record<string, Uint8Array>;

async function loadAssetModule(root: string, path: string): Promise<AssetModule> {
  const dir = join(root, ".cache", "course-modules");
  mkdirSync(dir, {recursive: true});
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    absWorkingDir: root,
    logLevel: "silent"
  });
  const code = result.outputFiles[0]!.contents;
  const outfile = join(dir, `${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
  if (!existsSync(outfile)) writeFileSync(outfile, code);
  const module = await import(pathToFileURL(outfile).href);
  if (typeof module.default !== "function") throw new Error(`${relative(root, path)}: an asset module's default export must be a function returning the asset's bytes`);
  return module.default as AssetModule;
}
