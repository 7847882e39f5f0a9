/**
 * MI — mutual information between the fused image and each source, summed.
 *
 * `MI = MI(F, IR) + MI(F, VIS)`, `MI(A, B) = H(A) + H(B) − H(A, B)` from the 256-bin marginal
 * and 256×256 joint grey-level histograms. Source: Qu, Zhang & Yan, Electron. Lett. 38 (2002) 313.
 *
 * Conventions:
 * - `paper`: histograms of the grey levels themselves (bin = floor(v), clamped to 0..255),
 *   logarithms base 2 (bits). Reproduces DIDFuse's printed MI column from the authors' images.
 * - `vifb` (VIFB `metricsMutinf.m`): each image is first min–max normalised and re-quantised,
 *   `a' = int16((a − min a)/(max a − min a) · 255)` (MATLAB rounding, half away from zero; a
 *   constant image becomes all 0), and the entropies use natural logarithms (nats).
 *
 * A constant image has H = 0, so its MI with anything is 0.
 */
import { binImage, histogram256, histogramEntropy, jointHistogram256, tripletHistograms, type TripletHistograms } from './histogram.js';
import { checkSameSize, conventionOf, type ConventionOptions, type MetricImage } from './types.js';

/** VIFB re-quantisation: min–max normalise to [0,1], `int16(x·255)` (round half away from zero). */
export function vifbQuantise(img: MetricImage): Uint8Array {
  const d = img.data;
  const n = d.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (d[i] < lo) lo = d[i];
    if (d[i] > hi) hi = d[i];
  }
  const out = new Uint8Array(n);
  if (!(hi > lo)) return out;
  const range = hi - lo;
  for (let i = 0; i < n; i++) out[i] = Math.round(((d[i] - lo) / range) * 255); // ≥ 0: round-half-up = half away from zero
  return out;
}

/**
 * {@link vifbQuantise} as a lookup table over the 256 grey levels of an image of integer levels
 * with histogram `h`: `lut[k]` = the level k re-quantised with min/max = the lowest/highest occupied
 * bin — the same arithmetic on the same values, so the same result for every pixel of an 8-bit
 * image (levels that do not occur map to 0).
 */
export function vifbQuantiseLevels(h: ArrayLike<number>): Uint8Array {
  let lo = 0;
  while (lo < 256 && h[lo] === 0) lo++;
  let hi = 255;
  while (hi > lo && h[hi] === 0) hi--;
  const lut = new Uint8Array(256);
  if (!(hi > lo)) return lut;
  const range = hi - lo;
  for (let k = lo; k <= hi; k++) lut[k] = Math.round(((k - lo) / range) * 255);
  return lut;
}

function miOfBins(a: Uint8Array, b: Uint8Array, base: number): number {
  const ha = histogramEntropy(histogram256(a), base);
  const hb = histogramEntropy(histogram256(b), base);
  const hab = histogramEntropy(jointHistogram256(a, b), base);
  return ha + hb - hab;
}

/**
 * MI = MI(F, IR) + MI(F, VIS) = (H(IR) + H(F) − H(IR, F)) + (H(VIS) + H(F) − H(VIS, F)) from the
 * triplet's histograms ({@link tripletHistograms}); `base` 2 (bits, `paper`) or `Math.E` (nats, `vifb`,
 * on the re-quantised images' histograms).
 */
export function mutualInformationFromHistograms(h: TripletHistograms, base = 2): number {
  const eF = histogramEntropy(h.hF, base);
  return (histogramEntropy(h.hIr, base) + eF - histogramEntropy(h.jIF, base))
    + (histogramEntropy(h.hVis, base) + eF - histogramEntropy(h.jVF, base));
}

/**
 * `paper`-convention MI = MI(F, IR) + MI(F, VIS) from grey-level bins (`binImage`) and their
 * 256-bin histograms computed by the caller (two joint-histogram passes; {@link
 * mutualInformationFromHistograms} takes all histograms from one pass).
 */
export function mutualInformationFromBins(ir: Uint8Array, vis: Uint8Array, fused: Uint8Array, hIr: Float64Array, hVis: Float64Array, hF: Float64Array): number {
  const eF = histogramEntropy(hF, 2);
  return (histogramEntropy(hIr, 2) + eF - histogramEntropy(jointHistogram256(ir, fused), 2))
    + (histogramEntropy(hVis, 2) + eF - histogramEntropy(jointHistogram256(vis, fused), 2));
}

/** Mutual information of two equally sized images (bits for `paper`, nats for `vifb`). */
export function mutualInformationPair(a: MetricImage, b: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf('MI', opts);
  checkSameSize('MI', { a, b });
  return c === 'vifb'
    ? miOfBins(vifbQuantise(a), vifbQuantise(b), Math.E)
    : miOfBins(binImage(a), binImage(b), 2);
}

/** MI = MI(F, IR) + MI(F, VIS) (see module doc). The histograms come from one pass over the triplet. */
export function mutualInformation(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf('MI', opts);
  checkSameSize('MI', { ir, vis, fused });
  const q = c === 'vifb' ? vifbQuantise : binImage;
  return mutualInformationFromHistograms(tripletHistograms(q(ir), q(vis), q(fused)), c === 'vifb' ? Math.E : 2);
}
