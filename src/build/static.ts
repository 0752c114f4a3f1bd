import {createHash} from "node:crypto";
import {readFileSync, readdirSync, copyFileSync, mkdirSync, writeFileSync, existsSync} from "node:fs";
import {join} from "node:path";

/** Writes `bytes` as `<name>-<hash>.<ext>` under dir and returns the file name. */
export function writeHashed(dir: string, name: string, ext: string, bytes: string | Uint8Array): string {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10);
  const file = `${name}-${hash}.${ext}`;
  mkdirSync(dir, {recursive: true});
  // Same name, same bytes: a file already there need not be written again (the preview reuses its folder).
  if (!existsSync(join(dir, file))) writeFileSync(join(dir, file), bytes);
  return file;
}

/** One stylesheet per site: Lectern's own, then KaTeX, the inspector and Inputs (their CSS is not in their exports maps). */
export function buildStylesheet(root: string, assetsDir: string): string {
  const katexDir = packageDir(root, "katex");
  const inspectorDir = packageDir(root, "@observablehq/inspector");
  const inputsDir = packageDir(root, "@observablehq/inputs");
  // KaTeX lists woff2, woff and ttf for each font; every browser we target takes woff2, so ship only those.
  const katex = readFileSync(join(katexDir, "dist/katex.min.css"), "utf8").replace(/,url\(fonts\/[^)]+\.(woff|ttf)\) format\("(woff|truetype)"\)/g, "");
  mkdirSync(join(assetsDir, "fonts"), {recursive: true});
  for (const font of readdirSync(join(katexDir, "dist/fonts"))) {
    if (font.endsWith(".woff2")) copyFileSync(join(katexDir, "dist/fonts", font), join(assetsDir, "fonts", font));
  }
  const css = [
    readFileSync(join(root, "src/client/style.css"), "utf8"),
    readFileSync(join(root, "src/client/embed.css"), "utf8"),
    katex,
    readFileSync(join(inspectorDir, "dist/inspector.css"), "utf8"),
    readFileSync(join(inputsDir, "dist/index.css"), "utf8")
  ].join("\n");
  return writeHashed(assetsDir, "style", "css", css);
}

export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M9 23V9h3v11h8v3z" fill="#fff"/><circle cx="23" cy="11" r="3" fill="#fbbf24"/></svg>`;

/** An installed package's folder (some packages' exports maps hide package.json from require.resolve). */
export function packageDir(root: string, name: string): string {
  return join(root, "node_modules", name);
}
