// AssemblyScript source of the wasm SIMD matMul that cells/tf/fast-matmul.ts registers as the
// wasm backend's BatchMatMul and _FusedMatMul. Compiled twice by kernels/build.mjs (with and
// without relaxed SIMD) into cells/tf/matmul-wasm.ts; not part of the TypeScript project.
//
// It imports the tfjs wasm backend's own memory and works on tensors in place: every pointer
// below is a byte offset in that memory. The module has no data segment and no stack, so it
// never writes anywhere but the output and the scratch area the caller hands it.
//
// C (M×N) = op(A) (M×K) · op(B) (K×N), op = transpose or not, per batch, then bias and activation.
// Blocked as in BLIS/GotoBLAS: K in blocks of KC; per block, A is packed into panels of 6 rows
// (k-major: 6 values per k) and B into panels of 8 columns (8 values per k), zero-padded, so the
// four transpose cases differ only in how they pack. A 6×8 register tile (12 f32x4 accumulators)
// multiplies a packed A panel by a packed B panel.

// @ts-nocheck (AssemblyScript types: usize, i32, f32, v128)

const MR: i32 = 6;
const NR: i32 = 8;
const KC: i32 = 256;

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Scratch bytes `matmul` needs for these sizes (packed A and B blocks and one edge tile). */
export function scratchBytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(k, KC);
  const mp = (m + MR - 1) / MR * MR;
  const np = (n + NR - 1) / NR * NR;
  return (mp * kc + np * kc + MR * NR) * 4 + 16;
}

/** Packs rows i0.. of op(A), k0..k0+kc, into MR-row panels at `dst`. */
function packA(a: usize, dst: usize, m: i32, k: i32, k0: i32, kc: i32, transA: bool): void {
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    let p = dst + <usize>(i0 * kc * 4);
    if (!transA) {
      // A is M×K row-major: A(i, k) = a[i*K + k].
      if (rows == MR) {
        const r0 = a + <usize>((i0 * k + k0) * 4);
        const stride = <usize>(k * 4);
        for (let kk = 0; kk < kc; kk++) {
          const q = r0 + <usize>(kk * 4);
          store<f32>(p, load<f32>(q));
          store<f32>(p, load<f32>(q + stride), 4);
          store<f32>(p, load<f32>(q + 2 * stride), 8);
          store<f32>(p, load<f32>(q + 3 * stride), 12);
          store<f32>(p, load<f32>(q + 4 * stride), 16);
          store<f32>(p, load<f32>(q + 5 * stride), 20);
          p += MR * 4;
        }
      } else {
        for (let kk = 0; kk < kc; kk++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(p + <usize>(r * 4), r < rows ? load<f32>(a + <usize>(((i0 + r) * k + k0 + kk) * 4)) : 0);
          }
          p += MR * 4;
        }
      }
    } else {
      // A is stored K×M: A(i, k) = a[k*M + i]; each k's MR values are contiguous.
      for (let kk = 0; kk < kc; kk++) {
        const q = a + <usize>(((k0 + kk) * m + i0) * 4);
        if (rows == MR) {
          store<u64>(p, load<u64>(q));
          store<u64>(p, load<u64>(q, 8), 8);
          store<u64>(p, load<u64>(q, 16), 16);
        } else {
          for (let r = 0; r < MR; r++) store<f32>(p + <usize>(r * 4), r < rows ? load<f32>(q + <usize>(r * 4)) : 0);
        }
        p += MR * 4;
      }
    }
  }
}

/** Packs columns of op(B), k0..k0+kc, into NR-column panels at `dst`. */
function packB(b: usize, dst: usize, n: i32, k: i32, k0: i32, kc: i32, transB: bool): void {
  for (let j0 = 0; j0 < n; j0 += NR) {
    const cols = min(NR, n - j0);
    let p = dst + <usize>(j0 * kc * 4);
    if (!transB) {
      // B is K×N row-major: B(k, j) = b[k*N + j]; each k's NR values are contiguous.
      for (let kk = 0; kk < kc; kk++) {
        const q = b + <usize>(((k0 + kk) * n + j0) * 4);
        if (cols == NR) {
          v128.store(p, v128.load(q));
          v128.store(p, v128.load(q, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) store<f32>(p + <usize>(c * 4), c < cols ? load<f32>(q + <usize>(c * 4)) : 0);
        }
        p += NR * 4;
      }
    } else {
      // B is stored N×K: B(k, j) = b[j*K + k].
      if (cols == NR) {
        const r0 = b + <usize>((j0 * k + k0) * 4);
        const stride = <usize>(k * 4);
        for (let kk = 0; kk < kc; kk++) {
          const q = r0 + <usize>(kk * 4);
          store<f32>(p, load<f32>(q));
          store<f32>(p, load<f32>(q + stride), 4);
          store<f32>(p, load<f32>(q + 2 * stride), 8);
          store<f32>(p, load<f32>(q + 3 * stride), 12);
          store<f32>(p, load<f32>(q + 4 * stride), 16);
          store<f32>(p, load<f32>(q + 5 * stride), 20);
          store<f32>(p, load<f32>(q + 6 * stride), 24);
          store<f32>(p, load<f32>(q + 7 * stride), 28);
          p += NR * 4;
        }
      } else {
        for (let kk = 0; kk < kc; kk++) {
          for (let c = 0; c < NR; c++) {
            store<f32>(p + <usize>(c * 4), c < cols ? load<f32>(b + <usize>(((j0 + c) * k + k0 + kk) * 4)) : 0);
          }
          p += NR * 4;
        }
      }
    }
  }
}

/** One 6×8 tile: C[0..6, 0..8] (+)= Apanel · Bpanel over kc; `c` has row stride `ldc` bytes. */
function tile(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let kk = 0; kk < kc; kk++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += MR * 4;
    pb += NR * 4;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
    c40 = f32x4.add(c40, v128.load(c + 4 * ldc)); c41 = f32x4.add(c41, v128.load(c + 4 * ldc, 16));
    c50 = f32x4.add(c50, v128.load(c + 5 * ldc)); c51 = f32x4.add(c51, v128.load(c + 5 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
  v128.store(c + 4 * ldc, c40); v128.store(c + 4 * ldc, c41, 16);
  v128.store(c + 5 * ldc, c50); v128.store(c + 5 * ldc, c51, 16);
}

/** C = op(A)·op(B) for one matrix; `scratch` holds scratchBytes(m, n, k) bytes. */
function gemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize): void {
  const kcMax = min(k, KC);
  const mp = (m + MR - 1) / MR * MR;
  const np = (n + NR - 1) / NR * NR;
  const packedA = (scratch + 15) & ~<usize>15;
  const packedB = packedA + <usize>(mp * kcMax * 4);
  const edge = packedB + <usize>(np * kcMax * 4);
  const ldc = <usize>(n * 4);
  if (k == 0) {
    memory.fill(c, 0, <usize>(m * n * 4));
    return;
  }
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const accumulate = k0 > 0;
    packA(a, packedA, m, k, k0, kc, transA);
    packB(b, packedB, n, k, k0, kc, transB);
    for (let j0 = 0; j0 < n; j0 += NR) {
      const pb = packedB + <usize>(j0 * kc * 4);
      const cols = min(NR, n - j0);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const pa = packedA + <usize>(i0 * kc * 4);
        const rows = min(MR, m - i0);
        const ct = c + <usize>(i0 * n + j0) * 4;
        if (rows == MR && cols == NR) {
          tile(pa, pb, kc, ct, ldc, accumulate);
        } else {
          // An edge tile: compute into `edge` (row stride NR) and copy the valid part.
          if (accumulate) {
            for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) {
              store<f32>(edge + <usize>((r * NR + q) * 4), load<f32>(ct + <usize>(r) * ldc + <usize>(q * 4)));
            }
          }
          tile(pa, pb, kc, edge, NR * 4, accumulate);
          for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) {
            store<f32>(ct + <usize>(r) * ldc + <usize>(q * 4), load<f32>(edge + <usize>((r * NR + q) * 4)));
          }
        }
      }
    }
  }
}

// Activations, numbered as cells/tf/fast-matmul.ts maps tfjs's names.
const LINEAR = 0, RELU = 1, RELU6 = 2, LEAKYRELU = 3, SIGMOID = 4, ELU = 5;

/** Adds bias[j] (when `bias` ≠ 0) to every row of C (m×n) and applies the activation. */
function epilogue(c: usize, m: i32, n: i32, bias: usize, activation: i32, alpha: f32): void {
  if (bias != 0) {
    for (let i = 0; i < m; i++) {
      const row = c + <usize>(i * n * 4);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const p = row + <usize>(j * 4);
        v128.store(p, f32x4.add(v128.load(p), v128.load(bias + <usize>(j * 4))));
      }
      for (; j < n; j++) {
        const p = row + <usize>(j * 4);
        store<f32>(p, load<f32>(p) + load<f32>(bias + <usize>(j * 4)));
      }
    }
  }
  if (activation == LINEAR) return;
  const end = c + <usize>(m * n * 4);
  let p = c;
  for (; p + 16 <= end; p += 16) v128.store(p, activate(v128.load(p), activation, alpha));
  // The last (m·n mod 4) values: through a vector in the edge-free way (load lanes one by one).
  for (; p < end; p += 4) {
    store<f32>(p, f32x4.extract_lane(activate(f32x4.splat(load<f32>(p)), activation, alpha), 0));
  }
}

@inline function activate(x: v128, activation: i32, alpha: f32): v128 {
  const zero = f32x4.splat(0);
  if (activation == RELU) return f32x4.pmax(zero, x);
  if (activation == RELU6) return f32x4.pmin(f32x4.splat(6), f32x4.pmax(zero, x));
  if (activation == LEAKYRELU) return v128.bitselect(f32x4.mul(x, f32x4.splat(alpha)), x, f32x4.lt(x, zero));
  if (activation == SIGMOID) {
    const one = f32x4.splat(1);
    return f32x4.div(one, f32x4.add(one, exp(f32x4.neg(x))));
  }
  if (activation == ELU) return v128.bitselect(f32x4.sub(exp(x), f32x4.splat(1)), x, f32x4.lt(x, zero));
  return x;
}

/** e^x per lane, relative error ~2e-7 on [-87, 88] (inputs clamped there): x = n·ln2 + r with
 *  |r| ≤ ln2/2, a degree-6 Taylor polynomial for e^r, and 2^n built in the exponent bits. No
 *  table, so the module keeps no data segment in the backend's memory. */
@inline function exp(x: v128): v128 {
  x = f32x4.pmin(f32x4.splat(88), f32x4.pmax(f32x4.splat(-87), x));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693145751953125)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.428606765330187e-6)));
  let q = f32x4.splat(1.0 / 720);
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 120));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 24));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 6));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.5));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(q, scale);
}

/**
 * C[batch] = act(op(A[batch]) · op(B[batch]) + bias) for `batches` matrices. Strides are in bytes
 * between consecutive matrices (0 broadcasts a single matrix over the batch).
 */
export function matmul(
  a: usize, b: usize, c: usize, batches: i32, strideA: usize, strideB: usize,
  m: i32, n: i32, k: i32, transA: bool, transB: bool,
  bias: usize, activation: i32, alpha: f32, scratch: usize
): void {
  for (let i = 0; i < batches; i++) {
    const ci = c + <usize>(i) * <usize>(m * n * 4);
    gemm(a + <usize>(i) * strideA, b + <usize>(i) * strideB, ci, m, n, k, transA, transB, scratch);
    epilogue(ci, m, n, bias, activation, alpha);
  }
}

/**
 * One Adam step for one variable, as tfjs 4.22's AdamOptimizer computes it op by op in float32
 * (same operations, same order, each rounded to f32, no fused multiply-add), in one pass:
 *   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2)
 *   x' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + x
 * Writes x', m', v' to the three outputs (fresh tensors from the backend's allocator).
 */
export function adam(
  x: usize, g: usize, m: usize, v: usize, outX: usize, outM: usize, outV: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, oneMinusAccBeta1: f32, oneMinusAccBeta2: f32,
  negLr: f32, eps: f32
): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(oneMinusBeta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(oneMinusBeta2);
  const a1 = f32x4.splat(oneMinusAccBeta1), a2 = f32x4.splat(oneMinusAccBeta2), lr = f32x4.splat(negLr), e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    const gi = v128.load(g + o);
    const m2 = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gi, c1));
    const v2 = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    const step = f32x4.div(f32x4.div(m2, a1), f32x4.add(f32x4.sqrt(f32x4.div(v2, a2)), e));
    v128.store(outX + o, f32x4.add(f32x4.mul(step, lr), v128.load(x + o)));
    v128.store(outM + o, m2);
    v128.store(outV + o, v2);
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    const gi = load<f32>(g + o);
    const m2: f32 = load<f32>(m + o) * beta1 + gi * oneMinusBeta1;
    const v2: f32 = load<f32>(v + o) * beta2 + (gi * gi) * oneMinusBeta2;
    const step: f32 = (m2 / oneMinusAccBeta1) / (Mathf.sqrt(v2 / oneMinusAccBeta2) + eps);
    store<f32>(outX + o, step * negLr + load<f32>(x + o));
    store<f32>(outM + o, m2);
    store<f32>(outV + o, v2);
  }
}

/** ln x per lane for x > 0 (normal floats): x = m·2^e with m in [√½, √2), ln m = 2·atanh(s),
 *  s = (m−1)/(m+1), by its series to s⁹ (relative error ~1e-9 before rounding). No table. */
@inline function logv(x: v128): v128 {
  const bits = i32x4.sub(x, i32x4.splat(0x3f3504f3)); // so that m lands in [√½, √2)
  const e = i32x4.shr_s(bits, 23);
  const m = i32x4.sub(x, i32x4.shl(e, 23));
  const f = f32x4.sub(m, f32x4.splat(1));
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2)));
  const s2 = f32x4.mul(s, s);
  let q = f32x4.splat(1.0 / 9);
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 7));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 5));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 3));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1));
  const lnm = f32x4.mul(f32x4.add(s, s), q);
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(e), f32x4.splat(0.6931471805599453)), lnm);
}

/**
 * Binary cross-entropy of sigmoid outputs, as tfjs-layers defines it (predictions clipped to
 * [ε, 1 − ε]), per row of `n` values: out[r] = mean over the row of −(t·ln y + (1−t)·ln(1−y)),
 * y = clip(p). Rows × n values at `p` and `t`; `rows` results at `out`.
 */
export function bceForward(p: usize, t: usize, out: usize, rows: i32, n: i32, eps: f32, oneMinusEps: f32): void {
  const lo = f32x4.splat(eps), hi = f32x4.splat(oneMinusEps), one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const pr = p + <usize>(r * n * 4), tr = t + <usize>(r * n * 4);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const y = f32x4.pmin(hi, f32x4.pmax(lo, v128.load(pr + <usize>(j * 4))));
      const tt = v128.load(tr + <usize>(j * 4));
      const l = f32x4.add(f32x4.mul(tt, logv(y)), f32x4.mul(f32x4.sub(one, tt), logv(f32x4.sub(one, y))));
      acc = f32x4.sub(acc, l);
    }
    let sum: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; j < n; j++) {
      const y = f32x4.pmin(hi, f32x4.pmax(lo, f32x4.splat(load<f32>(pr + <usize>(j * 4)))));
      const tt = f32x4.splat(load<f32>(tr + <usize>(j * 4)));
      sum -= f32x4.extract_lane(f32x4.add(f32x4.mul(tt, logv(y)), f32x4.mul(f32x4.sub(one, tt), logv(f32x4.sub(one, y)))), 0);
    }
    store<f32>(out + <usize>(r * 4), sum / <f32>n);
  }
}

/**
 * Its gradient: with g[r] the upstream gradient of row r's mean, and y = clip(p),
 *   dp = g/n · (y − t) / (y(1 − y)) where ε ≤ p ≤ 1 − ε, else 0 (the clip's gradient);
 *   dt = g/n · (ln(1 − y) − ln y).
 */
export function bceBackward(p: usize, t: usize, g: usize, dp: usize, dt: usize, rows: i32, n: i32, eps: f32, oneMinusEps: f32): void {
  const lo = f32x4.splat(eps), hi = f32x4.splat(oneMinusEps), one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * n * 4);
    const scale = f32x4.splat(load<f32>(g + <usize>(r * 4)) / <f32>n);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = base + <usize>(j * 4);
      const pv = v128.load(p + o), tv = v128.load(t + o);
      const y = f32x4.pmin(hi, f32x4.pmax(lo, pv));
      const inRange = v128.and(f32x4.ge(pv, lo), f32x4.le(pv, hi));
      const d = f32x4.div(f32x4.sub(y, tv), f32x4.mul(y, f32x4.sub(one, y)));
      v128.store(dp + o, v128.bitselect(f32x4.mul(scale, d), zero, inRange));
      v128.store(dt + o, f32x4.mul(scale, f32x4.sub(logv(f32x4.sub(one, y)), logv(y))));
    }
    // The last n mod 4 values, one at a time.
    for (; j < n; j++) {
      const o = base + <usize>(j * 4);
      const pv = f32x4.splat(load<f32>(p + o)), tv = f32x4.splat(load<f32>(t + o));
      const y = f32x4.pmin(hi, f32x4.pmax(lo, pv));
      const inRange = v128.and(f32x4.ge(pv, lo), f32x4.le(pv, hi));
      const d = f32x4.div(f32x4.sub(y, tv), f32x4.mul(y, f32x4.sub(one, y)));
      store<f32>(dp + o, f32x4.extract_lane(v128.bitselect(f32x4.mul(scale, d), zero, inRange), 0));
      store<f32>(dt + o, f32x4.extract_lane(f32x4.mul(scale, f32x4.sub(logv(f32x4.sub(one, y)), logv(y))), 0));
    }
  }
}

/** out[j] = Σ_r x[r·cols + j]: a sum over leading axes (a dense layer's bias gradient) in one
 *  pass down the rows, four columns at a time. */
export function sumRows(x: usize, out: usize, rows: i32, cols: i32): void {
  let j = 0;
  for (; j + 16 <= cols; j += 16) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let p = x + <usize>(j * 4);
    for (let r = 0; r < rows; r++) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      p += <usize>(cols * 4);
    }
    const o = out + <usize>(j * 4);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; j + 4 <= cols; j += 4) {
    let a = f32x4.splat(0);
    let p = x + <usize>(j * 4);
    for (let r = 0; r < rows; r++) {
      a = f32x4.add(a, v128.load(p));
      p += <usize>(cols * 4);
    }
    v128.store(out + <usize>(j * 4), a);
  }
  for (; j < cols; j++) {
    let a: f32 = 0;
    let p = x + <usize>(j * 4);
    for (let r = 0; r < rows; r++) {
      a += load<f32>(p);
      p += <usize>(cols * 4);
    }
    store<f32>(out + <usize>(j * 4), a);
  }
}

/** The gradients of relu and sigmoid in one pass each (tfjs: dy·step(x), and dy·(y·(1 − y)),
 *  the latter in the same float32 operations and order). */
export function reluGrad(dy: usize, x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    const xv = v128.load(x + o);
    // x > 0: dy; x ≤ 0: 0; x NaN: NaN (as dy·step(NaN)).
    const kept = v128.bitselect(v128.load(dy + o), zero, f32x4.gt(xv, zero));
    v128.store(out + o, v128.bitselect(xv, kept, f32x4.ne(xv, xv)));
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    const xv = load<f32>(x + o);
    store<f32>(out + o, xv != xv ? xv : (xv > 0 ? load<f32>(dy + o) : 0));
  }
}

export function sigmoidGrad(dy: usize, y: usize, out: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    const yv = v128.load(y + o);
    v128.store(out + o, f32x4.mul(v128.load(dy + o), f32x4.mul(yv, f32x4.sub(one, yv))));
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    const yv = load<f32>(y + o);
    store<f32>(out + o, load<f32>(dy + o) * (yv * (<f32>1 - yv)));
  }
}

/** out row i = x row indices[i] (rows of `rowBytes`): tf.gather along axis 0, a batch of a data
 *  set, one memory.copy per row. Indices are checked by the caller. */
export function gatherRows(x: usize, indices: usize, out: usize, count: i32, rowBytes: usize): void {
  for (let i = 0; i < count; i++) {
    const row = <usize>load<i32>(indices + <usize>(i * 4));
    memory.copy(out + <usize>i * rowBytes, x + row * rowBytes, rowBytes);
  }
}

// ---- Whole sequences of lesson 11's cells (cells/lstm/cell.ts), forward and backward ----
// One call runs all T steps of an LSTM (gates = 4, columns i | f | g | o as Keras stores them) or
// a vanilla RNN (gates = 1) over a batch, instead of ~20 tfjs kernels per step each way. The
// per-step product [x(t), h(t−1)]·W uses `gemm` on a contiguous block of B rows; the backward
// pass forms W's gradient as ONE product over all T·B rows at the end. xs is B×T×m (row b, step t
// at (b·T + t)·m), W is (m + n)×(gates·n), bias gates·n, h B×n.
//
// The forward pass saves in `work` (sequenceWorkFloats): the T·B rows [x(t), h(t−1)] (step-major:
// row t·B + b), then the activations (T·B rows of gates·n: i, f, g, o for the LSTM, h for the RNN),
// then, LSTM only, c(t) (T·B rows of n).

/** tanh per lane: Eigen's rational approximation (odd degree-13 numerator over even degree-6
 *  denominator, inputs clamped to ±7.9), relative error ~3e-7 everywhere, small inputs included
 *  (a form through e^{−2|x|} loses them to 1 − t). */
@inline function tanhv(x: v128): v128 {
  x = f32x4.pmin(f32x4.splat(7.90531110763549805), f32x4.pmax(f32x4.splat(-7.90531110763549805), x));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-08));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-05));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-04));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-03));
  let q = f32x4.splat(1.19825839466702e-06);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.18534705686654e-04));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.26843463243900e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-03));
  return f32x4.div(f32x4.mul(x, p), q);
}

@inline function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp(f32x4.neg(x))));
}

/** p[0..count) = σ(p + bias) (tanh when `tanh`), four lanes at a time, the tail lane by lane. */
function biasActivate(p: usize, bias: usize, count: i32, tanh: bool): void {
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const o = <usize>(j * 4);
    const z = f32x4.add(v128.load(p + o), v128.load(bias + o));
    v128.store(p + o, tanh ? tanhv(z) : sigmoidv(z));
  }
  for (; j < count; j++) {
    const o = <usize>(j * 4);
    const z = f32x4.splat(load<f32>(p + o) + load<f32>(bias + o));
    store<f32>(p + o, f32x4.extract_lane(tanh ? tanhv(z) : sigmoidv(z), 0));
  }
}

export function sequenceWorkFloats(gates: i32, batch: i32, steps: i32, m: i32, n: i32): i32 {
  const rows = steps * batch;
  return rows * (m + n) + rows * gates * n + (gates == 4 ? rows * n : 0);
}

/** Scratch bytes for sequenceForward (backward = false) or sequenceBackward. */
export function sequenceScratchBytes(gates: i32, batch: i32, steps: i32, m: i32, n: i32, backward: bool): i32 {
  const k = m + n, cols = gates * n;
  if (!backward) return scratchBytes(batch, cols, k);
  // dz for every row, d[x, h] of one step, dh and dc, Wᵀ, then the products' scratch.
  const own = (steps * batch * cols + batch * k + 2 * batch * n + cols * k) * 4;
  return own + max(scratchBytes(batch, k, cols), scratchBytes(k, cols, steps * batch));
}

/** c = f ⊙ c(t−1) + i ⊙ g and h = o ⊙ tanh(c) for lanes of one row (pointers at lane 0 of each). */
@inline function lstmCell(i: v128, f: v128, g: v128, o: v128, cPrev: v128, c: usize, h: usize, lane: bool): void {
  const cv = f32x4.add(f32x4.mul(f, cPrev), f32x4.mul(i, g));
  const hv = f32x4.mul(o, tanhv(cv));
  if (lane) {
    store<f32>(c, f32x4.extract_lane(cv, 0));
    store<f32>(h, f32x4.extract_lane(hv, 0));
  } else {
    v128.store(c, cv);
    v128.store(h, hv);
  }
}

/** All T steps forward from h = c = 0; h(T) to `hOut`, what backward needs to `work`. */
export function sequenceForward(gates: i32, xs: usize, w: usize, bias: usize, hOut: usize, work: usize,
  batch: i32, steps: i32, m: i32, n: i32, scratch: usize): void {
  const k = m + n, cols = gates * n, rows = steps * batch;
  const xh = work, act = xh + <usize>(rows * k * 4), cs = act + <usize>(rows * cols * 4);
  const mBytes = <usize>(m * 4), nBytes = <usize>(n * 4);
  for (let t = 0; t < steps; t++) {
    const xht = xh + <usize>(t * batch * k * 4), at = act + <usize>(t * batch * cols * 4);
    // [x(t), h(t−1)]: x from xs; h(t−1) was written here by the step before (zeros at t = 0).
    for (let r = 0; r < batch; r++) {
      const row = xht + <usize>(r * k * 4);
      memory.copy(row, xs + <usize>((r * steps + t) * m * 4), mBytes);
      if (t == 0) memory.fill(row + mBytes, 0, nBytes);
    }
    gemm(xht, w, at, batch, cols, k, false, false, scratch);
    for (let r = 0; r < batch; r++) {
      const z = at + <usize>(r * cols * 4);
      // Where h(t) goes: the next step's [x, h] row, or the output after the last step.
      const hDst = t + 1 < steps ? xh + <usize>(((t + 1) * batch + r) * k * 4) + mBytes : hOut + <usize>(r) * nBytes;
      if (gates == 1) {
        biasActivate(z, bias, n, true);
        memory.copy(hDst, z, nBytes);
        continue;
      }
      biasActivate(z, bias, 2 * n, false);
      biasActivate(z + <usize>(2 * n * 4), bias + <usize>(2 * n * 4), n, true);
      biasActivate(z + <usize>(3 * n * 4), bias + <usize>(3 * n * 4), n, false);
      const c = cs + <usize>((t * batch + r) * n * 4);
      const cPrev = cs + <usize>(((t - 1) * batch + r) * n * 4);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>(j * 4);
        lstmCell(v128.load(z + o), v128.load(z + nBytes + o), v128.load(z + 2 * nBytes + o), v128.load(z + 3 * nBytes + o),
          t == 0 ? f32x4.splat(0) : v128.load(cPrev + o), c + o, hDst + o, false);
      }
      for (; j < n; j++) {
        const o = <usize>(j * 4);
        lstmCell(f32x4.splat(load<f32>(z + o)), f32x4.splat(load<f32>(z + nBytes + o)), f32x4.splat(load<f32>(z + 2 * nBytes + o)),
          f32x4.splat(load<f32>(z + 3 * nBytes + o)), f32x4.splat(t == 0 ? 0 : load<f32>(cPrev + o)), c + o, hDst + o, true);
      }
    }
  }
}

/** One LSTM step back for lanes of one row: reads dh, dc (updated to dc(t−1)), writes dz's four gates. */
@inline function lstmCellBack(i: v128, f: v128, g: v128, o: v128, c: v128, cPrev: v128, dhp: usize, dcp: usize, dz: usize, nBytes: usize, lane: bool): void {
  const one = f32x4.splat(1);
  const dh = lane ? f32x4.splat(load<f32>(dhp)) : v128.load(dhp);
  let dc = lane ? f32x4.splat(load<f32>(dcp)) : v128.load(dcp);
  const tc = tanhv(c);
  const dO = f32x4.mul(dh, tc);
  dc = f32x4.add(dc, f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  const dzi = f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i)));
  const dzf = f32x4.mul(f32x4.mul(dc, cPrev), f32x4.mul(f, f32x4.sub(one, f)));
  const dzg = f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g)));
  const dzo = f32x4.mul(dO, f32x4.mul(o, f32x4.sub(one, o)));
  const dcPrev = f32x4.mul(dc, f);
  if (lane) {
    store<f32>(dz, f32x4.extract_lane(dzi, 0));
    store<f32>(dz + nBytes, f32x4.extract_lane(dzf, 0));
    store<f32>(dz + 2 * nBytes, f32x4.extract_lane(dzg, 0));
    store<f32>(dz + 3 * nBytes, f32x4.extract_lane(dzo, 0));
    store<f32>(dcp, f32x4.extract_lane(dcPrev, 0));
  } else {
    v128.store(dz, dzi);
    v128.store(dz + nBytes, dzf);
    v128.store(dz + 2 * nBytes, dzg);
    v128.store(dz + 3 * nBytes, dzo);
    v128.store(dcp, dcPrev);
  }
}

/**
 * Backpropagation through time from dL/dh(T) (`dhIn`, B×n): dxs (B×T×m), dW = Σ_t [x(t), h(t−1)]ᵀ·dz(t)
 * (one product over all T·B rows) and db = Σ dz, into fresh outputs. `work` is the forward's.
 */
export function sequenceBackward(gates: i32, w: usize, work: usize, dhIn: usize, dxs: usize, dW: usize, db: usize,
  batch: i32, steps: i32, m: i32, n: i32, scratch: usize): void {
  const k = m + n, cols = gates * n, rows = steps * batch;
  const xh = work, act = xh + <usize>(rows * k * 4), cs = act + <usize>(rows * cols * 4);
  const mBytes = <usize>(m * 4), nBytes = <usize>(n * 4);
  const dz = scratch, dxh = dz + <usize>(rows * cols * 4), dh = dxh + <usize>(batch * k * 4), dc = dh + <usize>(batch * n * 4);
  const wt = dc + <usize>(batch * n * 4), gemmScratch = wt + <usize>(cols * k * 4);
  // Wᵀ once, so that each step's dz·Wᵀ packs it with whole-vector loads (a transposed operand
  // packs with strided scalar loads, 50 times over).
  for (let r = 0; r < k; r++) for (let j = 0; j < cols; j++) store<f32>(wt + <usize>((j * k + r) * 4), load<f32>(w + <usize>((r * cols + j) * 4)));
  memory.copy(dh, dhIn, <usize>(batch) * nBytes);
  memory.fill(dc, 0, <usize>(batch) * nBytes);
  const one = f32x4.splat(1);
  for (let t = steps - 1; t >= 0; t--) {
    const dzt = dz + <usize>(t * batch * cols * 4);
    for (let r = 0; r < batch; r++) {
      const a = act + <usize>((t * batch + r) * cols * 4), d = dzt + <usize>(r * cols * 4);
      const dhr = dh + <usize>(r) * nBytes, dcr = dc + <usize>(r) * nBytes;
      if (gates == 1) {
        // dz = dh ⊙ (1 − h²)
        let j = 0;
        for (; j + 4 <= n; j += 4) {
          const o = <usize>(j * 4), h = v128.load(a + o);
          v128.store(d + o, f32x4.mul(v128.load(dhr + o), f32x4.sub(one, f32x4.mul(h, h))));
        }
        for (; j < n; j++) {
          const o = <usize>(j * 4), h = load<f32>(a + o);
          store<f32>(d + o, load<f32>(dhr + o) * (<f32>1 - h * h));
        }
        continue;
      }
      const c = cs + <usize>((t * batch + r) * n * 4), cPrev = cs + <usize>(((t - 1) * batch + r) * n * 4);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>(j * 4);
        lstmCellBack(v128.load(a + o), v128.load(a + nBytes + o), v128.load(a + 2 * nBytes + o), v128.load(a + 3 * nBytes + o),
          v128.load(c + o), t == 0 ? f32x4.splat(0) : v128.load(cPrev + o), dhr + o, dcr + o, d + o, nBytes, false);
      }
      for (; j < n; j++) {
        const o = <usize>(j * 4);
        lstmCellBack(f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(a + nBytes + o)), f32x4.splat(load<f32>(a + 2 * nBytes + o)),
          f32x4.splat(load<f32>(a + 3 * nBytes + o)), f32x4.splat(load<f32>(c + o)), f32x4.splat(t == 0 ? 0 : load<f32>(cPrev + o)),
          dhr + o, dcr + o, d + o, nBytes, true);
      }
    }
    // d[x, h] = dz(t)·Wᵀ: the x part is dxs at step t, the h part flows on to step t − 1.
    gemm(dzt, wt, dxh, batch, k, cols, false, false, gemmScratch);
    for (let r = 0; r < batch; r++) {
      const row = dxh + <usize>(r * k * 4);
      memory.copy(dxs + <usize>((r * steps + t) * m * 4), row, mBytes);
      memory.copy(dh + <usize>(r) * nBytes, row + mBytes, nBytes);
    }
  }
  gemm(xh, dz, dW, k, cols, rows, true, false, gemmScratch);
  sumRows(dz, db, rows, cols);
}
