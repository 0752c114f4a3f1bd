import {mkdirSync} from "node:fs";
import {buildStylesheet, writeHashed, FAVICON} from "./static.js";

/**
 * Lectern's own files every page loads besides its script: the stylesheet and the favicon;
 * returns logical name → file name under assets/. What a course adds (data, wasm binaries,
 * workers) comes from its home notebook's front matter (./course-config.ts). Shared by the build
 * and the preview so a page behaves the same under both. Writing again into the same folder is cheap.
 */
export async function writeStaticAssets(root: string, assetsDir: string): Promise<Record<string, string>> {
  mkdirSync(assetsDir, {recursive: true});
  return {
    style: buildStylesheet(root, assetsDir),
    favicon: writeHashed(assetsDir, "favicon", "svg", FAVICON)
  };
}
