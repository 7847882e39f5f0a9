/**
 * VIFB's evaluation of one fused image (xingchenzhang/VIFB `compute_metrics.m` and
 * `metrics/metrics*.m`, read for this port): the 13 metrics of {@link computeAllRgb} under the
 * `vifb` convention plus the VIFB metrics the papers do not use — EI (edge intensity), Qcb
 * (Chen–Blum) and Qcv (Chen–Varshney).
 *
 * How VIFB treats colour: `imread` gives the visible image as H×W×3, the infrared as H×W×3 (most
 * VIFB IR JPEGs are stored with three equal channels) or H×W, and the fused image as H×W×3.
 * With b fused channels, each metric is computed on channel k of F against channel k of the
 * visible image and channel k of the infrared image (or the whole IR when it has one channel),
 * and the b values are averaged — except SF, which walks the channels side by side
 * ({@link spatialFrequencyVifbRgb}). A source whose channels are all equal gives the same values
 * as its single plane, so grey-content sources are passed as one plane.
 *
 * Qcb and Qcv (lib/metrics/qcb.ts, qcv.ts) work in the frequency domain (lib/fft/filter.ts) and
 * cost ≈ 2 s of CPU for a 768×276 colour triplet — most of a VIFB evaluation.
 *
 * Reproduces VIFB's published per-image values (`vifb_published_metrics.csv`: 13 scenes × 6
 * methods × 13 metrics) within their printed 5 significant digits: test/metrics/vifb.test.ts.
 */
import { edgeIntensity } from './ei.js';
import { qcbPlanes } from './qcb.js';
import { qcvPlanes } from './qcv.js';
import { computeAllRgb, type MetricValues, type Planes } from './index.js';
import { MetricInputError } from './types.js';

/** The VIFB metrics beyond the project's 13, in VIFB's order. */
export const VIFB_EXTRA_NAMES = ['EI', 'Qcb', 'Qcv'] as const;
export type VifbExtraName = (typeof VIFB_EXTRA_NAMES)[number];
export type VifbExtraValues = Record<VifbExtraName, number>;

const asList = (p: Planes) => (Array.isArray(p) ? p : [p]);

/**
 * The 13 metrics under VIFB's colour rule and VIFB's extra metrics, for planes as
 * {@link computeAllRgb} takes them (0..255 scale). Throws when the fused image is grey but a
 * source is colour (VIFB would apply `rgb2gray` at metric-specific points; convert the source
 * first, or fuse in colour).
 */
export function computeVifb(ir: Planes, vis: Planes, fused: Planes): { values: MetricValues; extra: VifbExtraValues } {
  const F = asList(fused);
  for (const [name, p] of [['infrared', asList(ir)], ['visible', asList(vis)]] as const) {
    if (F.length === 1 && p.length > 1) {
      throw new MetricInputError(`VIFB metrics: the fused image is grey but the ${name} image is colour; VIFB scores colour channel by channel, so fuse in colour (or give a grey ${name} image)`);
    }
  }
  const values = computeAllRgb(ir, vis, fused, { convention: 'vifb' });
  const V = asList(vis), I = asList(ir);
  const extra: VifbExtraValues = {
    EI: F.reduce((s, f) => s + edgeIntensity(f), 0) / F.length,
    // VIFB calls metrics(imgVI, imgIR, fused): the visible image is the first source
    Qcb: qcbPlanes(V, I, F),
    Qcv: qcvPlanes(V, I, F),
  };
  return { values, extra };
}
