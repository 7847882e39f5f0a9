/**
 * EI — edge intensity (B. Rajalingam, R. Priya, Int. J. Eng. Sci. Invention 2018), as VIFB's
 * `metricsEdge_intensity.m` computes it (read for this port):
 *
 *   EI = mean over pixels (and channels) of sqrt(Gx² + Gy²),
 *   Gx = F ⋆ [1 2 1; 0 0 0; −1 −2 −1],  Gy = F ⋆ [1 2 1; 0 0 0; −1 −2 −1]ᵀ
 *
 * (MATLAB `imfilter(F, fspecial('sobel'), 'replicate')`: correlation, 'same' size, the border
 * replicated). For a colour image VIFB filters each channel and takes the mean over all values,
 * which is the mean of the per-channel EI.
 */
import { checkImage, toFloat64, type MetricImage } from './types.js';

/** Edge intensity of one grey plane (0..255 scale). Needs at least 1×1. */
export function edgeIntensity(fused: MetricImage): number {
  checkImage('EI', 'fused', fused);
  const { width: w, height: h } = fused;
  const p = toFloat64(fused);
  let sum = 0;
  for (let y = 0; y < h; y++) {
    const ym = y > 0 ? y - 1 : 0;
    const yp = y < h - 1 ? y + 1 : h - 1;
    const rm = ym * w;
    const r0 = y * w;
    const rp = yp * w;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0;
      const xp = x < w - 1 ? x + 1 : w - 1;
      // rows above minus rows below (fspecial('sobel') = [1 2 1; 0 0 0; -1 -2 -1])
      const gx = (p[rm + xm] + 2 * p[rm + x] + p[rm + xp]) - (p[rp + xm] + 2 * p[rp + x] + p[rp + xp]);
      // its transpose: left column minus right column
      const gy = (p[rm + xm] + 2 * p[r0 + xm] + p[rp + xm]) - (p[rm + xp] + 2 * p[r0 + xp] + p[rp + xp]);
      sum += Math.sqrt(gx * gx + gy * gy);
    }
  }
  return sum / (w * h);
}
