/**
 * SD — standard deviation of the fused image (contrast).
 *
 * Conventions:
 * - `paper` and `vifb`: `SD = sqrt( Σ_ij (F(i,j) − μ)² / (M·N) )`, μ the image mean (population
 *   SD, divisor M·N), on the 0..255 scale. Source: Rao, Meas. Sci. Technol. 8 (1997) 355; VIFB
 *   `metricsVariance.m` computes exactly this (its name notwithstanding).
 * - `printed` ({@link standardDeviationColumns}): `SD = sqrt( Σ_ij (F(i,j) − μ_j)² / (M·N) )`
 *   with μ_j the mean of column j — the root of the mean per-column (population) variance.
 *   This is what MATLAB code computes when it writes `mean(F)` (a row vector of column means,
 *   implicitly expanded) where `mean2(F)`/`mean(F(:))` was meant; it reproduces the papers'
 *   printed SD columns from the authors' images exactly (AUIF TNO 39.266 → 39.27, FLIR 47.577 →
 *   47.58; DIDFuse TNO 42.657, FLIR 46.888), where the standard SD gives 43.31, 52.19, 46.89,
 *   50.98. Columns are the vertical lines of the image (M = height rows, N = width columns).
 *
 * A constant image has SD = 0 in every convention.
 */
import { checkImage, conventionOf, type ConventionOptions, type MetricImage } from './types.js';

/** Mean and population variance of the values (two-pass, float64). */
export function meanVariance(d: ArrayLike<number>): { mean: number; variance: number } {
  const n = d.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += d[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const e = d[i] - mean;
    v += e * e;
  }
  return { mean, variance: v / n };
}

/** Column-mean SD of the `printed` convention (see module doc). */
export function standardDeviationColumns(fused: MetricImage): number {
  checkImage('SD', 'fused', fused);
  const { width: w, height: h, data: d } = fused;
  const mu = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) mu[x] += d[o + x];
  }
  for (let x = 0; x < w; x++) mu[x] /= h;
  let s = 0;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const e = d[o + x] - mu[x];
      s += e * e;
    }
  }
  return Math.sqrt(s / (w * h));
}

/** SD under the chosen convention (default `paper`: population SD; see module doc). */
export function standardDeviation(fused: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf('SD', opts);
  checkImage('SD', 'fused', fused);
  if (c === 'printed') return standardDeviationColumns(fused);
  return Math.sqrt(meanVariance(fused.data).variance);
}
