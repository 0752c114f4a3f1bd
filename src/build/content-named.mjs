// Plain JavaScript so that the bench's static server (bench/serve-dir.mjs, run by Node 20, which
// cannot import TypeScript) sends the same cache headers as `npm start` (./serve.ts).

/**
 * Whether a URL path names its content: a hashed file (`chunk-7QR5ELSP.js`) or a file in a hashed
 * folder (`tfjs-wasm-7bbd8a4ebe/tfjs-backend-wasm-simd.wasm`). A page never does, whatever its
 * name (`vanishing-gradients/index.html`). Such a file never changes, so browsers may keep it.
 */
export function contentNamed(path) {
  return !path.endsWith(".html") && /-[0-9A-Za-z]{8,}(\.\w+|\/[^/]+)$/.test(path);
}

/** The cache-control header for `path`: kept for good if it names its content, else revalidated. */
export function cacheControl(path) {
  return contentNamed(path) ? "public, max-age=31536000, immutable" : "no-cache";
}
