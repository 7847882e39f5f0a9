/**
 * Allocation-free building blocks for the window-based metrics (VIF, SSIM, Qabf, AG).
 *
 * All images are row-major Float64Arrays. "valid" means MATLAB `filter2(w, x, 'valid')`
 * (correlation, output only where the window fits: (W−n+1)×(H−n+1)); the Gaussian windows
 * used here are symmetric, so correlation and convolution coincide. A 2-D Gaussian window
 * `fspecial('gaussian', n, σ)` is the outer product of the normalised 1-D window below, so it is
 * applied separably (row pass then column pass); the result equals the 2-D filter up to
 * floating-point rounding (≈1e-16 relative).
 *
 * `filterValid` runs in the native addon when it is built (native/auif_kernels.cc: the same
 * operation order, vectorised and threaded, so the same bits) and in JavaScript otherwise.
 */
import { nativeEntries } from '../kernels/native.js';

/**
 * Normalised 1-D Gaussian of `n` taps (n odd), `g[i] ∝ exp(−(i−c)²/(2σ²))`, `Σg = 1`.
 * `outer(g, g)` is MATLAB's `fspecial('gaussian', n, σ)` (whose `eps·max` truncation never
 * triggers for the windows used here).
 */
export function gaussian1D(n: number, sigma: number): Float64Array {
  const g = new Float64Array(n);
  const c = (n - 1) / 2;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const x = i - c;
    g[i] = Math.exp(-(x * x) / (2 * sigma * sigma));
    s += g[i];
  }
  for (let i = 0; i < n; i++) g[i] /= s;
  return g;
}

type RowKernel = (src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array) => void;

/**
 * Separable 'valid' filtering of `src` (w×h) with the symmetric odd-length kernel `k` along both
 * axes, keeping every `step`-th output row and column (step 1: all (w−n+1)×(h−n+1) outputs;
 * step 2: the filtered image already decimated as `x(1:2:end, 1:2:end)`, computing only the kept
 * outputs). Writes ceil((w−n+1)/step)×ceil((h−n+1)/step) values into `out`; `tmp` must hold
 * h·ceil((w−n+1)/step) values. Returns the output size, or null (writing nothing) when the window
 * does not fit. Each output is the folded sum k_c·x_c + Σ_{i<c} k_i·(x_i + x_{n−1−i}).
 */
export function filterValid(
  src: Float64Array, w: number, h: number, k: Float64Array, out: Float64Array, tmp: Float64Array, step = 1,
): { width: number; height: number } | null {
  const nk = (w - k.length + 1) * (h - k.length + 1) >= NATIVE_MIN_OUTPUTS ? nativeEntries('filterValid') : null;
  const size = filterValidJs(src, w, h, k, out, tmp, step, nk === null);
  if (size && nk) nk.filterValid(src, w, h, k, out, tmp, step);
  return size;
}

/**
 * {@link filterValid} of the product a·b (both w×h), without materialising it when the native
 * addon runs (it forms the products row by row: the same values, so the same bits); `prod` is
 * scratch for the JavaScript path (w·h values).
 */
export function filterValidProduct(
  a: Float64Array, b: Float64Array, w: number, h: number, k: Float64Array, out: Float64Array, tmp: Float64Array, prod: Float64Array,
): { width: number; height: number } | null {
  const nk = (w - k.length + 1) * (h - k.length + 1) >= NATIVE_MIN_OUTPUTS ? nativeEntries('filterValid') : null;
  if (!nk) return filterValidJs(multiplyInto(a, b, prod, w * h), w, h, k, out, tmp, 1);
  const size = filterValidJs(a, w, h, k, out, tmp, 1, false);
  if (size) nk.filterValid(a, w, h, k, out, tmp, 1, b);
  return size;
}

/** Below this many outputs the JavaScript loops win (no thread start-up). */
const NATIVE_MIN_OUTPUTS = 4096;

/**
 * {@link filterValid} in JavaScript only (the reference for the native path). With `compute`
 * false it only validates and returns the output size.
 */
export function filterValidJs(
  src: Float64Array, w: number, h: number, k: Float64Array, out: Float64Array, tmp: Float64Array, step = 1, compute = true,
): { width: number; height: number } | null {
  const n = k.length;
  const vw = w - n + 1;
  const vh = h - n + 1;
  if (vw <= 0 || vh <= 0) return null;
  if (n % 2 !== 1) throw new Error(`filterValid: kernel length ${n} is not odd`);
  const ow = Math.ceil(vw / step);
  const oh = Math.ceil(vh / step);
  if (!compute) return { width: ow, height: oh };
  const [hp, vp] = KERNELS[n] ?? [hGeneric, vGeneric];
  for (let y = 0; y < h; y++) hp(src, y * w, step, tmp, y * ow, ow, k);
  for (let y = 0; y < oh; y++) vp(tmp, step * y * ow, ow, out, y * ow, ow, k);
  return { width: ow, height: oh };
}

function hGeneric(src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const n = k.length;
  const c = (n - 1) >> 1;
  const kc = k[c];
  for (let x = 0, b = so; x < cnt; x++, b += step) {
    let acc = kc * src[b + c];
    for (let i = 0; i < c; i++) acc += k[i] * (src[b + i] + src[b + n - 1 - i]);
    dst[to + x] = acc;
  }
}

function vGeneric(src: Float64Array, so: number, rs: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const n = k.length;
  const c = (n - 1) >> 1;
  const kc = k[c];
  for (let x = 0, b = so; x < cnt; x++, b++) {
    let acc = kc * src[b + c * rs];
    for (let i = 0; i < c; i++) acc += k[i] * (src[b + i * rs] + src[b + (n - 1 - i) * rs]);
    dst[to + x] = acc;
  }
}

// Unrolled row kernels for the window sizes used by VIF (17, 9, 5, 3) and SSIM (11):
// h<n> filters along a row (input stride `step`), v<n> down columns (row stride `rs`).
function h3(src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1];
  for (let x = 0, b = so; x < cnt; x++, b += step) {
    dst[to + x] =
      k1 * src[b + 1] +
      k0 * (src[b] + src[b + 2]);
  }
}
function v3(src: Float64Array, so: number, rs: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1];
  const r2 = 2 * rs;
  for (let x = 0, b = so; x < cnt; x++, b++) {
    dst[to + x] =
      k1 * src[b + rs] +
      k0 * (src[b] + src[b + r2]);
  }
}
function h5(src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2];
  for (let x = 0, b = so; x < cnt; x++, b += step) {
    dst[to + x] =
      k2 * src[b + 2] +
      k0 * (src[b] + src[b + 4]) +
      k1 * (src[b + 1] + src[b + 3]);
  }
}
function v5(src: Float64Array, so: number, rs: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2];
  const r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs;
  for (let x = 0, b = so; x < cnt; x++, b++) {
    dst[to + x] =
      k2 * src[b + r2] +
      k0 * (src[b] + src[b + r4]) +
      k1 * (src[b + rs] + src[b + r3]);
  }
}
function h9(src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4];
  for (let x = 0, b = so; x < cnt; x++, b += step) {
    dst[to + x] =
      k4 * src[b + 4] +
      k0 * (src[b] + src[b + 8]) +
      k1 * (src[b + 1] + src[b + 7]) +
      k2 * (src[b + 2] + src[b + 6]) +
      k3 * (src[b + 3] + src[b + 5]);
  }
}
function v9(src: Float64Array, so: number, rs: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4];
  const r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs, r8 = 8 * rs;
  for (let x = 0, b = so; x < cnt; x++, b++) {
    dst[to + x] =
      k4 * src[b + r4] +
      k0 * (src[b] + src[b + r8]) +
      k1 * (src[b + rs] + src[b + r7]) +
      k2 * (src[b + r2] + src[b + r6]) +
      k3 * (src[b + r3] + src[b + r5]);
  }
}
function h11(src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5];
  for (let x = 0, b = so; x < cnt; x++, b += step) {
    dst[to + x] =
      k5 * src[b + 5] +
      k0 * (src[b] + src[b + 10]) +
      k1 * (src[b + 1] + src[b + 9]) +
      k2 * (src[b + 2] + src[b + 8]) +
      k3 * (src[b + 3] + src[b + 7]) +
      k4 * (src[b + 4] + src[b + 6]);
  }
}
function v11(src: Float64Array, so: number, rs: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5];
  const r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs, r8 = 8 * rs, r9 = 9 * rs, r10 = 10 * rs;
  for (let x = 0, b = so; x < cnt; x++, b++) {
    dst[to + x] =
      k5 * src[b + r5] +
      k0 * (src[b] + src[b + r10]) +
      k1 * (src[b + rs] + src[b + r9]) +
      k2 * (src[b + r2] + src[b + r8]) +
      k3 * (src[b + r3] + src[b + r7]) +
      k4 * (src[b + r4] + src[b + r6]);
  }
}
function h17(src: Float64Array, so: number, step: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8];
  for (let x = 0, b = so; x < cnt; x++, b += step) {
    dst[to + x] =
      k8 * src[b + 8] +
      k0 * (src[b] + src[b + 16]) +
      k1 * (src[b + 1] + src[b + 15]) +
      k2 * (src[b + 2] + src[b + 14]) +
      k3 * (src[b + 3] + src[b + 13]) +
      k4 * (src[b + 4] + src[b + 12]) +
      k5 * (src[b + 5] + src[b + 11]) +
      k6 * (src[b + 6] + src[b + 10]) +
      k7 * (src[b + 7] + src[b + 9]);
  }
}
function v17(src: Float64Array, so: number, rs: number, dst: Float64Array, to: number, cnt: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8];
  const r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs, r8 = 8 * rs, r9 = 9 * rs, r10 = 10 * rs, r11 = 11 * rs, r12 = 12 * rs, r13 = 13 * rs, r14 = 14 * rs, r15 = 15 * rs, r16 = 16 * rs;
  for (let x = 0, b = so; x < cnt; x++, b++) {
    dst[to + x] =
      k8 * src[b + r8] +
      k0 * (src[b] + src[b + r16]) +
      k1 * (src[b + rs] + src[b + r15]) +
      k2 * (src[b + r2] + src[b + r14]) +
      k3 * (src[b + r3] + src[b + r13]) +
      k4 * (src[b + r4] + src[b + r12]) +
      k5 * (src[b + r5] + src[b + r11]) +
      k6 * (src[b + r6] + src[b + r10]) +
      k7 * (src[b + r7] + src[b + r9]);
  }
}

const KERNELS: Record<number, [RowKernel, RowKernel]> = {
  3: [h3, v3], 5: [h5, v5], 9: [h9, v9], 11: [h11, v11], 17: [h17, v17],
};

/** Element-wise product `a·b` into `out` (first `len` values). */
export function multiplyInto(a: Float64Array, b: Float64Array, out: Float64Array, len: number): Float64Array {
  for (let i = 0; i < len; i++) out[i] = a[i] * b[i];
  return out;
}

/**
 * Sobel responses with MATLAB `conv2(p, h, 'same')` semantics (true convolution, zero border):
 * `gx = conv2(p, [-1 0 1; -2 0 2; -1 0 1], 'same')`, `gy = conv2(p, [1 2 1; 0 0 0; -1 -2 -1], 'same')`,
 * i.e. gx(i,j) = (column j−1) − (column j+1) and gy(i,j) = (row i+1) − (row i−1), each weighted 1-2-1.
 */
export function sobelSame(p: Float64Array, w: number, h: number, gx: Float64Array, gy: Float64Array): void {
  // interior: no bounds tests
  for (let y = 1; y < h - 1; y++) {
    const r = y * w;
    const u = r - w;
    const d = r + w;
    for (let x = 1; x < w - 1; x++) {
      const uL = p[u + x - 1];
      const uR = p[u + x + 1];
      const dL = p[d + x - 1];
      const dR = p[d + x + 1];
      gx[r + x] = uL + 2 * p[r + x - 1] + dL - (uR + 2 * p[r + x + 1] + dR);
      gy[r + x] = dL + 2 * p[d + x] + dR - (uL + 2 * p[u + x] + uR);
    }
  }
  // border pixels: zeros outside the image
  const at = (yy: number, xx: number): number => (yy < 0 || yy >= h || xx < 0 || xx >= w ? 0 : p[yy * w + xx]);
  const border = (y: number, x: number): void => {
    const uL = at(y - 1, x - 1);
    const uR = at(y - 1, x + 1);
    const dL = at(y + 1, x - 1);
    const dR = at(y + 1, x + 1);
    gx[y * w + x] = uL + 2 * at(y, x - 1) + dL - (uR + 2 * at(y, x + 1) + dR);
    gy[y * w + x] = dL + 2 * at(y + 1, x) + dR - (uL + 2 * at(y - 1, x) + uR);
  };
  for (let x = 0; x < w; x++) {
    border(0, x);
    if (h > 1) border(h - 1, x);
  }
  for (let y = 1; y < h - 1; y++) {
    border(y, 0);
    if (w > 1) border(y, w - 1);
  }
}
