/**
 * AG — average gradient of the fused image.
 *
 * `[gx, gy] = gradient(F)` (MATLAB `gradient`, numpy `np.gradient`: central differences
 * (F(x+1) − F(x−1))/2 inside, one-sided differences F(1) − F(0) and F(N−1) − F(N−2) at the
 * borders), then `AG = Σ_{all M·N pixels} sqrt((gx² + gy²)/2) / ((M−1)(N−1))`, on the 0..255 scale.
 * Source: Cui et al., Opt. Commun. 341 (2015) 199; VIFB `metricsAvg_gradient.m` (identical in the
 * `paper` and `vifb` conventions). Reproduces the papers' AG columns from the authors' images.
 * A constant image has AG = 0. Images need at least 2 rows and 2 columns (else the divisor is 0).
 */
import { checkImage, MetricInputError, sizeText, type MetricImage } from './types.js';

/** AG (see module doc). */
export function averageGradient(fused: MetricImage): number {
  checkImage('AG', 'fused', fused);
  const { width: w, height: h, data: d } = fused;
  if (w < 2 || h < 2) throw new MetricInputError(`AG: image ${sizeText(fused)} is too small (needs at least 2×2)`);
  let s = 0;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const up = y === 0 ? o : o - w;
    const dn = y === h - 1 ? o : o + w;
    const fy = y === 0 || y === h - 1 ? 1 : 0.5;
    for (let x = 0; x < w; x++) {
      let gx: number;
      if (x === 0) gx = d[o + 1] - d[o];
      else if (x === w - 1) gx = d[o + x] - d[o + x - 1];
      else gx = (d[o + x + 1] - d[o + x - 1]) / 2;
      const gy = (d[dn + x] - d[up + x]) * fy;
      s += Math.sqrt((gx * gx + gy * gy) / 2);
    }
  }
  return s / ((w - 1) * (h - 1));
}
