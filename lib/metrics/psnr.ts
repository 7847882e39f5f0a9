/**
 * PSNR and RMSE of the fused image against the two sources.
 *
 * Conventions:
 * - `paper` (textbook): `MSE(A, F) = Σ (A − F)² / (M·N)`, averaged over the two sources,
 *   `MSE = (MSE(IR, F) + MSE(VIS, F)) / 2`; `PSNR = 10·log10(255² / MSE)` dB; `RMSE = sqrt(MSE)`.
 *   Source: Jagalingam & Hegde, Aquatic Procedia 4 (2015) 133.
 * - `vifb` (VIFB `metricsPsnr.m`, `metricsRmse.m`, quirks kept): their helper named `mse` is
 *   `e(A, F) = sqrt(Σ (A − F)²) / (M·N)` (root of the sum, divided by the pixel count — neither
 *   an MSE nor an RMSE); `RMSE = (e(VIS, F) + e(IR, F)) / 2` and
 *   `PSNR = 20·log10(255 / sqrt((e(VIS, F) + e(IR, F)) / 2))`.
 *
 * When F equals both sources exactly the error is 0: RMSE = 0 and PSNR = +Infinity (both
 * conventions; never NaN).
 */
import { checkSameSize, conventionOf, type ConventionOptions, type MetricImage } from './types.js';

/** Σ (a − b)² over all pixels. */
export function sumSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const e = a[i] - b[i];
    s += e * e;
  }
  return s;
}

/**
 * The source-averaged error that PSNR and RMSE are built on: the mean of the two MSEs
 * (`paper`) or the mean of VIFB's `sqrt(SSE)/(M·N)` (`vifb`).
 */
export function averagedError(fn: string, ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf(fn, opts);
  checkSameSize(fn, { ir, vis, fused });
  const n = fused.data.length;
  const si = sumSquaredError(ir.data, fused.data);
  const sv = sumSquaredError(vis.data, fused.data);
  return c === 'vifb' ? (Math.sqrt(sv) / n + Math.sqrt(si) / n) / 2 : (si / n + sv / n) / 2;
}

/** PSNR in dB (see module doc); +Infinity when the error is 0. */
export function psnr(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const e = averagedError('PSNR', ir, vis, fused, opts);
  if (conventionOf('PSNR', opts) === 'vifb') return 20 * Math.log10(255 / Math.sqrt(e));
  return 10 * Math.log10((255 * 255) / e);
}

/** RMSE (see module doc); 0 when F equals both sources. */
export function rmse(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const e = averagedError('RMSE', ir, vis, fused, opts);
  return conventionOf('RMSE', opts) === 'vifb' ? e : Math.sqrt(e);
}
