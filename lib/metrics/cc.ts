/**
 * CC — correlation coefficient, and the Pearson correlation shared with SCD.
 *
 * `corr(A, B) = Σ (A − Ā)(B − B̄) / sqrt( Σ (A − Ā)² · Σ (B − B̄)² )` (Pearson, float64).
 * `CC = (corr(IR, F) + corr(VIS, F)) / 2`. Source: the usual fusion-metric definition (e.g. Ma,
 * Ma & Li, Inf. Fusion 45 (2019) 153, survey §4). VIFB has no CC; the `vifb` convention uses
 * this same definition.
 *
 * Constant images: if either image is constant the denominator is 0 and the correlation is
 * defined as 0 (no linear relation measurable) — never NaN.
 */
import { checkSameSize, type MetricImage } from './types.js';

/** Pearson correlation of two equally long arrays; 0 when either is constant. */
export function pearsonArrays(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  if (saa === 0 || sbb === 0) return 0;
  return sab / Math.sqrt(saa * sbb);
}

/** Pearson correlation of two equally sized images (0 when either is constant). */
export function pearson(a: MetricImage, b: MetricImage): number {
  checkSameSize('corr', { a, b });
  return pearsonArrays(a.data, b.data);
}

/** CC = (corr(IR, F) + corr(VIS, F)) / 2 (see module doc). */
export function correlationCoefficient(ir: MetricImage, vis: MetricImage, fused: MetricImage): number {
  checkSameSize('CC', { ir, vis, fused });
  return (pearsonArrays(ir.data, fused.data) + pearsonArrays(vis.data, fused.data)) / 2;
}
