/**
 * CE — cross entropy between each source and the fused image, averaged.
 *
 * In the fusion literature "cross entropy" is the relative entropy of the source grey-level
 * distribution with respect to the fused one: `CE(S, F) = Σ_l p_S(l) · log2( p_S(l) / p_F(l) )`
 * over the 256 grey-level bins (bin = floor(v) clamped to 0..255), summing only the bins where
 * both p_S(l) > 0 and p_F(l) > 0 (a bin present in S but absent from F would make the term
 * infinite; like the reference code, it is skipped). `CE = (CE(VIS, F) + CE(IR, F)) / 2`.
 * Lower is better. Source: Bulanon, Burks & Alchanatis, Biosyst. Eng. 103 (2009) 12; VIFB
 * `metricsCross_entropy.m` computes exactly this, so `paper` and `vifb` agree.
 *
 * Always finite (0 when the two histograms are equal). Because skipped bins are dropped, CE can
 * be slightly negative. A constant source at level l gives −log2 p_F(l) if l occurs in F, else 0.
 */
import { histogram256 } from './histogram.js';
import { checkSameSize, conventionOf, type ConventionOptions, type MetricImage } from './types.js';

function ceOfHistograms(hs: Float64Array, hf: Float64Array, n: number): number {
  let r = 0;
  for (let k = 0; k < 256; k++) {
    const ps = hs[k] / n;
    const pf = hf[k] / n;
    if (ps !== 0 && pf !== 0) r += ps * Math.log2(ps / pf);
  }
  return r;
}

/** CE from the 256-bin histograms of IR, VIS and F (n pixels), computed once by the caller. */
export function crossEntropyFromHistograms(hIr: Float64Array, hVis: Float64Array, hF: Float64Array, n: number): number {
  return (ceOfHistograms(hVis, hF, n) + ceOfHistograms(hIr, hF, n)) / 2;
}

/** CE(S, F) of one source (see module doc). */
export function crossEntropyPair(source: MetricImage, fused: MetricImage): number {
  checkSameSize('CE', { source, fused });
  return ceOfHistograms(histogram256(source), histogram256(fused), fused.data.length);
}

/** CE = (CE(VIS, F) + CE(IR, F)) / 2 (see module doc; identical in every convention). */
export function crossEntropy(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  conventionOf('CE', opts);
  checkSameSize('CE', { ir, vis, fused });
  const n = fused.data.length;
  const hf = histogram256(fused);
  return (ceOfHistograms(histogram256(vis), hf, n) + ceOfHistograms(histogram256(ir), hf, n)) / 2;
}
