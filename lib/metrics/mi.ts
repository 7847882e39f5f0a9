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
import { binImage, histogram256, histogramEntropy, jointHistogram256 } from './histogram.js';
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

function miOfBins(a: Uint8Array, b: Uint8Array, base: number): number {
  const ha = histogramEntropy(histogram256(a), base);
  const hb = histogramEntropy(histogram256(b), base);
  const hab = histogramEntropy(jointHistogram256(a, b), base);
  return ha + hb - hab;
}

/**
 * `paper`-convention MI = MI(F, IR) + MI(F, VIS) from grey-level bins (`binImage`) and their
 * 256-bin histograms computed once by the caller ({@link computeAll} shares them with EN and CE).
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

/** MI = MI(F, IR) + MI(F, VIS) (see module doc). */
export function mutualInformation(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf('MI', opts);
  checkSameSize('MI', { ir, vis, fused });
  if (c === 'vifb') {
    const f = vifbQuantise(fused);
    return miOfBins(vifbQuantise(ir), f, Math.E) + miOfBins(vifbQuantise(vis), f, Math.E);
  }
  const f = binImage(fused);
  return miOfBins(binImage(ir), f, 2) + miOfBins(binImage(vis), f, 2);
}
