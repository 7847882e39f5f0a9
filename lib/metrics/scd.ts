/**
 * SCD — sum of the correlations of differences.
 *
 * `SCD = corr(IR, F − VIS) + corr(VIS, F − IR)` (Pearson, see cc.ts), on the 0..255 scale
 * (scale-invariant). Source: Aslantas & Bendes, AEU Int. J. Electron. Commun. 69 (2015) 1890.
 * VIFB has no SCD; the `vifb` convention uses this same definition. Reproduces AUIF's printed
 * SCD column from the authors' images.
 *
 * Constant images: a correlation with a constant image (e.g. F − VIS constant, or IR constant)
 * is defined as 0, so SCD is always finite.
 */
import { pearsonArrays } from './cc.js';
import { checkSameSize, type MetricImage } from './types.js';

/** SCD (see module doc). */
export function scd(ir: MetricImage, vis: MetricImage, fused: MetricImage): number {
  checkSameSize('SCD', { ir, vis, fused });
  const n = fused.data.length;
  const f = fused.data;
  const dv = new Float64Array(n);
  const di = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dv[i] = f[i] - vis.data[i];
    di[i] = f[i] - ir.data[i];
  }
  return pearsonArrays(ir.data, dv) + pearsonArrays(vis.data, di);
}
