// Full-build time and the bytes a page downloads up front (gzipped), for a page with no tfjs.
import {spawnSync} from "node:child_process";
import {readFileSync, readdirSync, rmSync, mkdtempSync} from "node:fs";
import {gzipSync} from "node:zlib";
import {join} from "node:path";
import {tmpdir} from "node:os";

const out = mkdtempSync(join(tmpdir(), "lectern-bench-"));
const times = [];
for (let i = 0; i < 3; ++i) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["build.mjs", "--out", join(out, "site")], {encoding: "utf8"});
  if (r.status !== 0) {
    console.log(`build failed:\n${r.stderr}`);
    process.exit(1);
  }
  times.push((performance.now() - t) / 1000);
}
times.sort((a, b) => a - b);
console.log(`full build (node build.mjs, whole course): median ${times[1].toFixed(2)} s of 3 (min ${times[0].toFixed(2)}, max ${times[2].toFixed(2)})`);

const assets = join(out, "site", "assets");
const closure = (file, seen = new Set()) => {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(join(assets, file), "utf8");
  for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?"\.\/([\w-]+\.js)"/g)) closure(m[1], seen);
  return seen;
};
const gz = (f) => gzipSync(readFileSync(join(assets, f))).length;
const css = readdirSync(assets).find((f) => f.startsWith("style-"));
for (const page of readdirSync(assets).filter((f) => f.startsWith("page-"))) {
  const files = [...closure(page)];
  const js = files.reduce((n, f) => n + gz(f), 0);
  console.log(`${page.replace(/-[A-Z0-9]+\.js$/, "")}: ${(js / 1024).toFixed(1)} KB gzipped JS up front (${files.length} files); stylesheet ${(gz(css) / 1024).toFixed(1)} KB gzipped`);
}
rmSync(out, {recursive: true, force: true});
