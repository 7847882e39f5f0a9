/**
 * SSIM — structural similarity of the fused image with each source, summed.
 *
 * Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 13 (2004) 600, as their reference MATLAB
 * `ssim_index.m` (and VIFB `metricsSsim.m`): window `w = fspecial('gaussian', 11, 1.5)`
 * (normalised), `μ = filter2(w, ·, 'valid')`, `σ² = filter2(w, X², 'valid') − μ²`,
 * `σ_AB = filter2(w, A·B, 'valid') − μ_A μ_B`, C1 = (0.01·255)², C2 = (0.03·255)²,
 * `SSIM(A, B) = mean( (2μ_Aμ_B + C1)(2σ_AB + C2) / ((μ_A² + μ_B² + C1)(σ_A² + σ_B² + C2)) )` over the
 * (W−10)×(H−10) valid positions, no downsampling. `SSIM = SSIM(IR, F) + SSIM(VIS, F)`.
 * Identical in the `paper` and `vifb` conventions.
 *
 * Constant images are fine (C1, C2 > 0): two constant images a, b give (2ab + C1)/(a² + b² + C1).
 * Images smaller than 11×11 have no valid window and are rejected with an error.
 *
 * Implementation: separable filtering (filters.ts); the ratio is summed per output row and the rows
 * added in order. With the native addon the whole computation is one sweep over rows
 * (native/metrics_kernels.cc `windowSums`, kind 1: the same operations in the same order, so the
 * same bits, for any thread count); `metricsEngine.perMap` selects the previous native path.
 */
import { filterValid, filterValidProduct, gaussian1D } from './filters.js';
import { checkSameSize, MetricInputError, sizeText, toFloat64, type MetricImage } from './types.js';
import { metricsEngine, scratch } from './workspace.js';
import { nativeEntries } from '../kernels/native.js';

const WIN = gaussian1D(11, 1.5);
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** SSIM(Aₖ, B) for several images sharing B (all the same size, at least 11×11). */
export function ssimMany(fn: string, as: MetricImage[], b: MetricImage): number[] {
  const { width: w, height: h } = b;
  if (w < 11 || h < 11) throw new MetricInputError(`${fn}: image ${sizeText(b)} is smaller than the 11×11 SSIM window`);
  const n = w * h;
  const ow = w - 10;
  const oh = h - 10;
  const m = ow * oh;
  const B = toFloat64(b);
  const fused = n >= 4096 && !metricsEngine.perMap ? nativeEntries('windowSums') : null;
  if (fused) {
    // the filtered maps and the per-row sums in one sweep over rows in the addon
    // (native/metrics_kernels.cc: the loop below, same operations and order, so the same bits)
    const sums = new Float64Array(as.length);
    fused.windowSums!(1, B, as.map((img) => toFloat64(img)), w, h, WIN, C1, C2, sums);
    return Array.from(sums, (s) => s / m);
  }
  const tmp = scratch('ssim.tmp', n);
  const prod = scratch('ssim.prod', n);
  const muB = scratch('ssim.muB', m);
  const bb = scratch('ssim.bb', m);
  const muA = scratch('ssim.muA', m);
  const aa = scratch('ssim.aa', m);
  const ab = scratch('ssim.ab', m);
  filterValid(B, w, h, WIN, muB, tmp);
  filterValidProduct(B, B, w, h, WIN, bb, tmp, prod);
  const nk = as.length > 1 && n >= 4096 ? nativeEntries('ssimSums') : null; // the previous native path (metricsEngine.perMap)
  if (nk) {
    // every source's filtered maps, then the per-window sums over whole maps in the addon
    const maps = as.map((img, j) => {
      const A = toFloat64(img);
      const mA = scratch(`ssim.muA${j}`, m), a2 = scratch(`ssim.aa${j}`, m), ab2 = scratch(`ssim.ab${j}`, m);
      filterValid(A, w, h, WIN, mA, tmp);
      filterValidProduct(A, A, w, h, WIN, a2, tmp, prod);
      filterValidProduct(A, B, w, h, WIN, ab2, tmp, prod);
      return [mA, a2, ab2];
    });
    const sums = new Float64Array(as.length);
    nk.ssimSums(muB, bb, maps.map((x) => x[0]), maps.map((x) => x[1]), maps.map((x) => x[2]), m, C1, C2, sums);
    return Array.from(sums, (s) => s / m);
  }
  return as.map((img) => {
    const A = toFloat64(img);
    filterValid(A, w, h, WIN, muA, tmp);
    filterValidProduct(A, A, w, h, WIN, aa, tmp, prod);
    filterValidProduct(A, B, w, h, WIN, ab, tmp, prod);
    // per output row, the rows added in order (as the native kernel)
    let tot = 0;
    for (let y = 0; y < oh; y++) {
      let s = 0;
      for (let i = y * ow, e = i + ow; i < e; i++) {
        const ma = muA[i];
        const mb = muB[i];
        const mab = ma * mb;
        const ma2 = ma * ma;
        const mb2 = mb * mb;
        s += ((2 * mab + C1) * (2 * (ab[i] - mab) + C2)) / ((ma2 + mb2 + C1) * (aa[i] - ma2 + (bb[i] - mb2) + C2));
      }
      tot += s;
    }
    return tot / m;
  });
}

/** SSIM(A, B) of one pair (see module doc). */
export function ssimPair(a: MetricImage, b: MetricImage): number {
  checkSameSize('SSIM', { a, b });
  return ssimMany('SSIM', [a], b)[0];
}

/** SSIM = SSIM(IR, F) + SSIM(VIS, F) (see module doc). */
export function ssim(ir: MetricImage, vis: MetricImage, fused: MetricImage): number {
  checkSameSize('SSIM', { ir, vis, fused });
  const [a, b] = ssimMany('SSIM', [ir, vis], fused);
  return a + b;
}
