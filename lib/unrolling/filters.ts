/**
 * The fixed filters that start the two unrolled iterations (AUIF Eq. (5)/(8) initialisation,
 * upstream `kornia.filters.BoxBlur((11, 11))` and `kornia.filters.Laplacian(19)`, kornia 0.4.1):
 *
 *   B⁰ = box₁₁ ⋆ I,     box₁₁ = 1/121 · 𝟙₁₁ₓ₁₁
 *   D⁰ = lap₁₉ ⋆ I,     lap₁₉ = (𝟙₁₉ₓ₁₉ − 361·δ) / 720   (all ones, centre 1 − 19², divided by Σ|·| = 720)
 *
 * kornia's `filter2D` is a correlation (⋆) after 'reflect' padding of k//2 pixels on each side.
 *
 * Exactness: the encoders amplify a perturbation of x⁰ by up to ~250× over their ten layers, so
 * one float32 ulp of difference in D⁰ shows up as ~1e-5 in D¹⁰. We therefore compute x⁰ with
 * the summation order of PyTorch's CPU convolution (oneDNN: taps in row-major order, each
 * multiply-add fused with one float32 rounding), which reproduces the reference D⁰ and B⁰ bit
 * for bit on every backend. x⁰ depends only on the data, so no gradient is needed through it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernels } from '../kernels/native.js';

/** Side of the box-blur kernel that initialises the base encoder. */
export const BOX_SIZE = 11;
/** Side of the Laplacian kernel that initialises the detail encoder. */
export const LAPLACIAN_SIZE = 19;
/** Smallest image side the network accepts: the 19×19 Laplacian reflect-pads by 9 (needs side > 9). */
export const MIN_SIDE = (LAPLACIAN_SIZE >> 1) + 1;

/** k×k normalised box kernel (kornia `get_box_kernel2d`), row-major, float32. */
export function boxKernel(k = BOX_SIZE): Float32Array {
  return new Float32Array(k * k).fill(Math.fround(1 / (k * k)));
}

/** k×k Laplacian (kornia `get_laplacian_kernel2d` then `normalize_kernel2d`), row-major, float32. */
export function laplacianKernel(k = LAPLACIAN_SIZE): Float32Array {
  const raw = new Float32Array(k * k).fill(1);
  const mid = k >> 1;
  raw[mid * k + mid] = 1 - k * k;
  let norm = 0;
  for (const v of raw) norm += Math.abs(v); // exact: integers
  return raw.map((v) => Math.fround(v / norm));
}

/** Mirror index without edge repeat (PyTorch 'reflect'); valid for −n < i < 2n − 1. */
function reflectIndex(i: number, n: number): number {
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

function checkKernel(kernel: Float32Array, h: number, w: number): { k: number; p: number } {
  const k = Math.round(Math.sqrt(kernel.length));
  const p = k >> 1;
  if (k * k !== kernel.length || k % 2 === 0) throw new Error(`correlateReflect: kernel of ${kernel.length} values is not odd×odd`);
  if (p >= h || p >= w) throw new Error(`correlateReflect: a ${k}×${k} kernel needs an image larger than ${p}×${p}, got ${h}×${w}`);
  return { k, p };
}

/**
 * y = kernel ⋆ reflectpad(x, k//2) on one float32 plane, accumulated in float32 in row-major
 * tap order with fused multiply-adds: y ← fl(y + w_ij · x_{r+i, c+j}) (the product of two
 * float32 values is exact in float64, so this is one rounding per tap, as oneDNN's FMA).
 */
export function correlateReflect(x: Float32Array, h: number, w: number, kernel: Float32Array): Float32Array {
  const { k, p } = checkKernel(kernel, h, w);
  const wp = w + 2 * p;
  const hp = h + 2 * p;
  const xp = new Float32Array(hp * wp);
  for (let r = 0; r < hp; r++) {
    const src = reflectIndex(r - p, h) * w;
    for (let c = 0; c < wp; c++) xp[r * wp + c] = x[src + reflectIndex(c - p, w)];
  }
  const y = new Float32Array(h * w);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const wij = kernel[i * k + j];
      for (let r = 0; r < h; r++) {
        const o = r * w;
        const s = (r + i) * wp + j;
        for (let c = 0; c < w; c++) y[o + c] = y[o + c] + wij * xp[s + c]; // product exact in float64; one rounding on store (FMA)
      }
    }
  }
  return y;
}

/**
 * kornia `filter2D(x, kernel, border_type='reflect')` for a one-channel NHWC batch, computed
 * with {@link correlateReflect} (exact PyTorch float32 rounding; not differentiable).
 */
export function filter2D(x: tf.Tensor4D, kernel: Float32Array): tf.Tensor4D {
  const [n, h, w, ch] = x.shape;
  if (ch !== 1) throw new Error(`filter2D: expected one channel, got ${ch}`);
  const data = x.dataSync() as Float32Array;
  const out = new Float32Array(n * h * w);
  const nk = nativeKernels(); // the same arithmetic, vectorised and threaded (bit-identical)
  if (nk) {
    checkKernel(kernel, h, w);
    nk.correlateReflect(data, n, h, w, kernel, Math.round(Math.sqrt(kernel.length)), out);
    return tf.tensor4d(out, [n, h, w, 1]);
  }
  for (let b = 0; b < n; b++) out.set(correlateReflect(data.subarray(b * h * w, (b + 1) * h * w), h, w, kernel), b * h * w);
  return tf.tensor4d(out, [n, h, w, 1]);
}
