// Where the files the build ships beside the page scripts live (site/assets/).
//
// The build defines LECTERN_ASSETS (esbuild `define`) as a map from a logical name to a file
// name relative to site/assets/, e.g. {"mnist": "mnist-3f2a9c.bin", "tfjs-wasm/":
// "tfjs-wasm-4.22.0/"}. Every page script and chunk is written flat into site/assets/, so
// `import.meta.url` of this module is in that folder. The workers are bundled with the pages (one
// tfjs chunk for both), so their names are not known while the pages are built: each page entry
// registers them in globalThis.LECTERN_WORKERS, keyed by that folder ({"train-worker":
// "train-worker-81BD02C4.js"}); a preview or a test bundle may still name a worker in
// LECTERN_ASSETS. In Node (unit tests) the constant is not defined and assetURL returns null:
// callers fall back to reading from node_modules.

declare const LECTERN_ASSETS: Record<string, string> | undefined;
declare global {
  // eslint-disable-next-line no-var
  var LECTERN_WORKERS: Record<string, Record<string, string>> | undefined;
}

export type AssetName = "mnist" | "train-worker" | "tfjs-wasm/";

export function assetURL(name: AssetName): URL | null {
  if (typeof LECTERN_ASSETS === "undefined") return null;
  const folder = new URL(".", import.meta.url);
  const file = LECTERN_ASSETS[name] ?? globalThis.LECTERN_WORKERS?.[folder.href]?.[name];
  if (file === undefined) throw new Error(`The build shipped no asset named "${name}".`);
  return new URL(file, folder);
}

/**
 * A URL `new Worker(…, {type: "module"})` accepts for a worker script under assets/. A page on
 * another origin (a <lectern-cell> embed) cannot start a worker from the site's origin directly,
 * so it starts a same-origin module that imports the site's one (the site sends CORS headers);
 * the worker's own import.meta.url stays the site's, so its wasm and data load from the site.
 */
export function workerURL(url: URL): URL | string {
  if (typeof location === "undefined" || url.origin === location.origin) return url;
  return URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], {type: "text/javascript"}));
}
