/**
 * EN — Shannon entropy of the fused image.
 *
 * `EN = −Σ_{l=0}^{255} p_l · log2 p_l`, p_l the fraction of pixels in grey-level bin l (256 bins,
 * bin = floor(v) clamped to 0..255), terms with p_l = 0 skipped.
 * Source: Roberts, van Aardt & Ahmed, J. Appl. Remote Sens. 2 (2008) 023522; VIFB
 * `metricsEntropy.m`. Identical in the `paper` and `vifb` conventions. Reproduces the papers' EN
 * columns from the authors' fused images. A constant image has EN = 0.
 */
import { histogram256, histogramEntropy } from './histogram.js';
import { checkImage, type MetricImage } from './types.js';

/** EN in bits (see module doc). */
export function entropy(fused: MetricImage): number {
  checkImage('EN', 'fused', fused);
  return histogramEntropy(histogram256(fused), 2);
}
