/**
 * TIF / TSIFVS — Bavirisetti & Dhuli, "Two-scale image fusion of visible and infrared images
 * using saliency detection", Infrared Physics & Technology 76:52–64, 2016 (the AUIF table's
 * "TSIFVS"). Ported (not copied) from the authors' MATLAB code as VIFB distributes it
 * (xingchenzhang/VIFB@22b2ea9 `methods/TIF/run_TIF.m`).
 *
 * For each source I (8-bit values, 0..255):
 *
 *   φ = median₃ₓ₃(I)          (`medfilt2`, zero outside the image)
 *   b = mean₃₅ₓ₃₅(I)          (box mean, wrap-around borders — `imfilter(…,'circular')`)
 *   d = I − b,   S = (b − φ)²  (visual saliency)
 *
 * then w₁ = S₁/(S₁ + S₂), w₂ = S₂/(S₁ + S₂) and
 *
 *   F = w₁d₁ + w₂d₂ + ½(b₁ + b₂),  written with MATLAB `uint8` (round half away from zero, saturate);
 *
 * where S₁ + S₂ = 0 the weights are 0/0 = NaN and `uint8(NaN)` = 0, as in the authors' code.
 *
 * **Parity.** The box mean is computed exactly rounded (integer window sum / 1225) — except where
 * that makes S₁ + S₂ exactly 0 (b = median in both images, e.g. any flat 35×35 window): there the
 * authors' `imfilter`, summing 1225 products I·fl(1/1225), leaves b off the median by round-off,
 * the weights are finite and F ≈ the mean, not 0/0 → 0. Those pixels are recomputed with the
 * product sum ({@link boxMeanProducts}); without this the TNO means move (AG 3.989 instead of the
 * table's 3.980). MATLAB's/Octave's summation order is not reproduced, so pixels within
 * round-off of a .5 tie can round the other way (±1), and the ill-conditioned 0/0-up-to-round-off
 * pixels that are not flat can differ by more. `test/methods/tif.test.ts` counts both. With the
 * standard settings the 40 TNO pairs give EN 6.669, AG 3.980, SCD 1.679 (`paper` convention), the
 * AUIF table's TSIFVS row (6.67, 3.98, 1.68).
 */
import { checkMethodPair, bytesToUnit, matlabUint8, planeImage, toBytes } from './pair.js';
import { checkOptions, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo, type NamedMap } from './types.js';
import type { GreyImage } from '../io/image.js';

export const TIF_INFO: MethodInfo = {
  name: 'tif',
  title: 'TSIFVS',
  citation: 'Bavirisetti, Dhuli: Two-scale image fusion of visible and infrared images using saliency detection, Infrared Physics & Technology 76, 2016',
  family: 'classic',
  parameters: 0,
  minSide: 3,
  defaults: { median: 3, mean: 35 },
};

/** `medfilt2(I, [N N])` with zero padding, N odd, on integer-valued images. */
export function median2(I: Float64Array, width: number, height: number, N: number): Float64Array {
  const r = N >> 1;
  const out = new Float64Array(I.length);
  const win = new Float64Array(N * N);
  const mid = (N * N) >> 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let k = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          win[k++] = yy >= 0 && yy < height && xx >= 0 && xx < width ? I[yy * width + xx] : 0;
        }
      }
      win.sort();
      out[y * width + x] = win[mid];
    }
  }
  return out;
}

/**
 * M×M box mean with wrap-around borders (`imfilter(I, ones(M)/M², 'circular')`), M odd:
 * b(p) = (Σ_{q ∈ window(p)} I(q mod size)) / M², the integer sum divided once (exactly rounded).
 */
export function boxMeanCircular(I: Float64Array, width: number, height: number, M: number): Float64Array {
  const r = M >> 1;
  const mod = (a: number, n: number) => ((a % n) + n) % n;
  // Row pass: horizontal window sums with wrap-around (exact: integer values).
  const rows = new Float64Array(I.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dx = -r; dx <= r; dx++) s += I[y * width + mod(x + dx, width)];
      rows[y * width + x] = s;
    }
  }
  const out = new Float64Array(I.length);
  const M2 = M * M;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dy = -r; dy <= r; dy++) s += rows[mod(y + dy, height) * width + x];
      out[y * width + x] = s / M2;
    }
  }
  return out;
}

/**
 * The box mean at one pixel as the authors' `imfilter` forms it: Σ I(q)·h over the wrapped window,
 * h = fl(1/M²), taps in row-major order (so round-off can leave it off the exact mean).
 */
export function boxMeanProducts(I: Float64Array, width: number, height: number, M: number, x: number, y: number): number {
  const r = M >> 1;
  const h = 1 / (M * M);
  const mod = (a: number, n: number) => ((a % n) + n) % n;
  let s = 0;
  for (let dy = -r; dy <= r; dy++) {
    const row = mod(y + dy, height) * width;
    for (let dx = -r; dx <= r; dx++) s += I[row + mod(x + dx, width)] * h;
  }
  return s;
}

/** TIF fusion of one pair (8-bit result and the layers). */
export function tifFuse(ir: GreyImage, vis: GreyImage, o: { median: number; mean: number }) {
  const { width, height } = ir;
  // VIFB calls TIF(VIS, IR): image 1 is the visible one (the method is symmetric).
  const layers = (img: GreyImage) => {
    const I = toBytes(img);
    const med = median2(I, width, height, o.median);
    const b = boxMeanCircular(I, width, height, o.mean);
    const d = new Float64Array(I.length);
    const S = new Float64Array(I.length);
    for (let i = 0; i < I.length; i++) { d[i] = I[i] - b[i]; const e = b[i] - med[i]; S[i] = e * e; }
    return { b, d, S };
  };
  const L1 = layers(vis), L2 = layers(ir);
  const I1 = toBytes(vis), I2 = toBytes(ir);
  const raw = new Float64Array(L1.b.length);
  const u8 = new Uint8Array(raw.length);
  let nan = 0, refined = 0;
  for (let i = 0; i < raw.length; i++) {
    if (L1.S[i] + L2.S[i] === 0) {
      // Exactly 0/0 with the exactly rounded mean. The authors' filter sums 1225 products I·(1/1225),
      // whose round-off usually leaves b ≠ median: finite weights (in a flat window F ≈ the mean).
      // Recompute b, d and S at this pixel that way.
      refined++;
      for (const [L, I] of [[L1, I1], [L2, I2]] as const) {
        const med = L.b[i]; // S = 0: the median equals the exact mean
        const b = boxMeanProducts(I, width, height, o.mean, i % width, Math.floor(i / width));
        L.b[i] = b; L.d[i] = I[i] - b; L.S[i] = (b - med) * (b - med);
      }
    }
    const den = L1.S[i] + L2.S[i];
    const w1 = L1.S[i] / den, w2 = L2.S[i] / den;
    raw[i] = (w1 * L1.d[i] + w2 * L2.d[i]) + (0.5 * L1.b[i] + 0.5 * L2.b[i]);
    if (Number.isNaN(raw[i])) nan++;
    u8[i] = matlabUint8(raw[i]);
  }
  return { u8, raw, vis: L1, ir: L2, nan, refined };
}

function parseOptions(opts: LoadOptions): { median: number; mean: number } {
  checkOptions(TIF_INFO, opts, ['median', 'mean']);
  if (opts.weights !== undefined) throw new MethodError('tif: has no weights (a classic method); drop --weights');
  const odd = (k: 'median' | 'mean', def: number) => {
    const v = opts[k] === undefined ? def : Number(opts[k]);
    if (!Number.isInteger(v) || v < 1 || v % 2 !== 1) throw new MethodError(`tif: ${k} must be an odd positive window size, got '${opts[k]}'`);
    return v;
  };
  return { median: odd('median', 3), mean: odd('mean', 35) };
}

/** TSIFVS behind the method interface (see the module comment). */
export const tif: FusionMethod = {
  info: TIF_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    const o = parseOptions(opts);
    const info: MethodInfo = { ...TIF_INFO, minSide: Math.max(TIF_INFO.minSide, o.median), defaults: { ...TIF_INFO.defaults } };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkMethodPair(info, ir, vis);
        const r = tifFuse(ir, vis, o);
        const F = bytesToUnit(r.u8, ir.width, ir.height);
        if (!call.intermediates) return { F };
        const [w, h] = [ir.width, ir.height];
        const maps: NamedMap[] = [
          { name: 'b_ir', image: planeImage(r.ir.b, w, h), description: `base layer (${o.mean}×${o.mean} circular mean) of the infrared image` },
          { name: 'b_vis', image: planeImage(r.vis.b, w, h), description: 'base layer of the visible image' },
          { name: 'S_ir', image: planeImage(r.ir.S, w, h), description: 'saliency (mean − median)² of the infrared image' },
          { name: 'S_vis', image: planeImage(r.vis.S, w, h), description: 'saliency of the visible image' },
          { name: 'F_raw', image: planeImage(r.raw, w, h), description: `unrounded F (${r.nan} NaN pixels, written as 0)` },
        ];
        return { F, maps };
      },
      dispose() {},
    };
  },
};
