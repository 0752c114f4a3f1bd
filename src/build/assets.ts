import {copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {buildStylesheet, writeHashed, packageDir, FAVICON} from "./static.js";
import {convertMnist} from "./mnist.js";

/**
 * The files pages load besides their scripts: stylesheet, favicon, tfjs wasm binaries and the
 * MNIST digits; returns logical name → file name under assets/. Shared by the build and the
 * preview so a page behaves the same under both. Writing again into the same folder is cheap.
 */
export async function writeStaticAssets(root: string, assetsDir: string): Promise<Record<string, string>> {
  mkdirSync(assetsDir, {recursive: true});
  const assets: Record<string, string> = {};
  assets.style = buildStylesheet(root, assetsDir);
  assets.favicon = writeHashed(assetsDir, "favicon", "svg", FAVICON);
  try {
    const wasmDir = join(packageDir(root, "@tensorflow/tfjs-backend-wasm"), "dist");
    const version = JSON.parse(readFileSync(join(wasmDir, "../package.json"), "utf8")).version;
    const folder = `tfjs-wasm-${version}/`;
    mkdirSync(join(assetsDir, folder), {recursive: true});
    for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm") && !existsSync(join(assetsDir, folder, f))) copyFileSync(join(wasmDir, f), join(assetsDir, folder, f));
    assets["tfjs-wasm/"] = folder;
  } catch {
    // No wasm backend installed: pages that need it say so when they start.
  }
  try {
    assets.mnist = writeHashed(assetsDir, "mnist", "bin", await cachedMnist(root));
  } catch {
    // No mnist package: the lessons that need the digits say so.
  }
  return assets;
}

/** The MNIST binary, converted once per version of the `mnist` package and kept in .cache/. */
export async function cachedMnist(root: string): Promise<Uint8Array> {
  const version = JSON.parse(readFileSync(join(packageDir(root, "mnist"), "package.json"), "utf8")).version;
  const file = join(root, ".cache", `mnist-${version}.lmn1`);
  if (existsSync(file)) return readFileSync(file);
  const bytes = await convertMnist();
  mkdirSync(dirname(file), {recursive: true});
  writeFileSync(file, bytes);
  return bytes;
}
