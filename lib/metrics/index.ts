/**
 * Objective fusion metrics (issue [M]): EN, SD, SF, AG, MI, SCD, VIF, Qabf, SSIM, CC, PSNR, RMSE,
 * CE on grey images (0..255 scale, float64 internally). See README.md in this folder for the
 * conventions, the sources and the paper-reproduction study.
 */
import { averageGradient } from './ag.js';
import { crossEntropyFromHistograms } from './ce.js';
import { binImage, histogram256, histogramEntropy, remapTripletHistograms, tripletHistograms } from './histogram.js';
import { correlationCoefficient } from './cc.js';
import { mutualInformation, mutualInformationFromBins, mutualInformationFromHistograms, vifbQuantiseLevels } from './mi.js';
import { averagedError } from './psnr.js';
import { scd } from './scd.js';
import { metricsEngine, scratch } from './workspace.js';
import { tripletMoments } from './moments.js';
import { qabf, qabfStart } from './qabf.js';
import { standardDeviation } from './sd.js';
import { spatialFrequency, spatialFrequencyVifbRgb } from './sf.js';
import { ssim } from './ssim.js';
import { checkSameSize, conventionOf, MetricInputError, toFloat64, type ConventionOptions, type MetricConvention, type MetricImage } from './types.js';
import { vif, viff } from './vif.js';

export * from './types.js';
export { averageGradient } from './ag.js';
export { correlationCoefficient, pearson, pearsonArrays } from './cc.js';
export { crossEntropy, crossEntropyPair, crossEntropyFromHistograms } from './ce.js';
export { entropy } from './entropy.js';
export { mutualInformation, mutualInformationPair, mutualInformationFromBins, mutualInformationFromHistograms, vifbQuantise, vifbQuantiseLevels } from './mi.js';
export { tripletHistograms, remapTripletHistograms, type TripletHistograms } from './histogram.js';
export { psnr, rmse, averagedError, sumSquaredError } from './psnr.js';
export { qabf, qabfJs, qabfStart } from './qabf.js';
export { scd } from './scd.js';
export { standardDeviation, standardDeviationColumns, meanVariance } from './sd.js';
export { spatialFrequency, spatialFrequencyZeroPadded, spatialFrequencyVifbRgb, squaredDifferenceSums } from './sf.js';
export { ssim, ssimPair } from './ssim.js';
export { vif, vifPair, vifMany, viff } from './vif.js';
export { releaseScratch, metricsEngine } from './workspace.js';
export { tripletMoments, type TripletMoments } from './moments.js';

/** The 13 metric names, in report order. */
export const METRIC_NAMES = ['EN', 'SD', 'SF', 'AG', 'MI', 'SCD', 'VIF', 'Qabf', 'SSIM', 'CC', 'PSNR', 'RMSE', 'CE'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
/** Metrics where a smaller value is the better fusion (VIFB's reading); all others: larger is better. */
export const LOWER_IS_BETTER: readonly MetricName[] = ['RMSE', 'CE'];
/** All 13 metrics of one fused image. */
export type MetricValues = Record<MetricName, number>;

/**
 * Every metric of one grey triplet under one convention (default `paper`; `printed` swaps in
 * column-wise SD, zero-padded SF and VIFF for SD, SF and VIF; `vifb` follows VIFB's code).
 * Throws {@link MetricInputError} naming `computeAll` and the sizes when the images differ in size.
 */
export function computeAll(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): MetricValues {
  const convention = conventionOf('computeAll', opts);
  checkSameSize('computeAll', { ir, vis, fused });
  if (metricsEngine.perMap) return computeAllSeparately(ir, vis, fused, convention);
  // grey-level bins: 8-bit data are their own bins (binImage would copy them)
  const u8 = ir.data instanceof Uint8Array && vis.data instanceof Uint8Array && fused.data instanceof Uint8Array;
  const [bI, bV, bF] = u8 ? [ir.data, vis.data, fused.data] as Uint8Array[] : [ir, vis, fused].map(binImage);
  // convert once to float64 (the window-based metrics would otherwise each copy the inputs), into
  // reusable scratch buffers (workspace.ts; no metric keeps its inputs)
  const f64 = (m: MetricImage, slot: string): MetricImage => {
    if (m.data instanceof Float64Array) return m;
    const n = m.data.length;
    const d = scratch(`computeAll.${slot}`, n).subarray(0, n);
    if (ArrayBuffer.isView(m.data)) d.set(m.data as unknown as ArrayLike<number>);
    else for (let i = 0; i < n; i++) d[i] = m.data[i];
    return { width: m.width, height: m.height, data: d };
  };
  ir = f64(ir, 'ir');
  vis = f64(vis, 'vis');
  fused = f64(fused, 'fused');
  const o = { convention };
  // Qabf on a background thread (native addon) while the JavaScript passes below run; always
  // joined (finally) before the scratch inputs can be reused
  const qabfValue = qabfStart(ir, vis, fused, o);
  let done = false;
  try {
    const values = sharedMetrics(ir, vis, fused, convention, u8, [bI, bV, bF], qabfValue);
    done = true;
    return values;
  } finally {
    if (!done) try { qabfValue(); } catch { /* the first error is the one reported */ }
  }
}

/** The rest of {@link computeAll} (float64 images, the grey-level bins, Qabf's pending value). */
function sharedMetrics(ir: MetricImage, vis: MetricImage, fused: MetricImage, convention: MetricConvention, u8: boolean, bins: Uint8Array[], qabfValue: () => number): MetricValues {
  const o = { convention };
  // EN, MI and CE from one pass of joint histograms (the marginals are their sums)
  const hist = tripletHistograms(bins[0], bins[1], bins[2]);
  // SD, CC, SCD, PSNR and RMSE from one pass of shared sums (moments.ts: the same bits as each
  // metric's own function)
  const mo = tripletMoments(ir.data, vis.data, fused.data);
  const n = fused.data.length;
  const err = convention === 'vifb' ? (Math.sqrt(mo.sseVis) / n + Math.sqrt(mo.sseIr) / n) / 2 : (mo.sseIr / n + mo.sseVis / n) / 2;
  const values = {
    EN: histogramEntropy(hist.hF, 2),
    SD: convention === 'printed' ? standardDeviation(fused, o) : Math.sqrt(mo.varianceF),
    SF: spatialFrequency(fused, o),
    AG: averageGradient(fused),
    MI: convention !== 'vifb' ? mutualInformationFromHistograms(hist, 2)
      // VIFB's re-quantisation of 8-bit images is a function of the grey level: move the counts
      : u8 ? mutualInformationFromHistograms(remapTripletHistograms(hist, vifbQuantiseLevels(hist.hIr), vifbQuantiseLevels(hist.hVis), vifbQuantiseLevels(hist.hF)), Math.E)
        : mutualInformation(ir, vis, fused, o),
    SCD: mo.corrIrDv + mo.corrVisDi,
    VIF: convention === 'printed' ? viff(ir, vis, fused) : vif(ir, vis, fused),
    Qabf: NaN,
    SSIM: ssim(ir, vis, fused),
    CC: (mo.corrIrF + mo.corrVisF) / 2,
    PSNR: convention === 'vifb' ? 20 * Math.log10(255 / Math.sqrt(err)) : 10 * Math.log10((255 * 255) / err),
    RMSE: convention === 'vifb' ? err : Math.sqrt(err),
    CE: crossEntropyFromHistograms(hist.hIr, hist.hVis, hist.hF, n),
  };
  values.Qabf = qabfValue();
  return values;
}

/**
 * {@link computeAll} as it was composed before the shared sums (moments.ts): each metric's own
 * function (the same values); with `metricsEngine.perMap` (workspace.ts), for `npm run bench`'s ratio.
 */
function computeAllSeparately(ir: MetricImage, vis: MetricImage, fused: MetricImage, convention: MetricConvention): MetricValues {
  const f64 = (m: MetricImage): MetricImage => ({ width: m.width, height: m.height, data: toFloat64(m) });
  ir = f64(ir);
  vis = f64(vis);
  fused = f64(fused);
  const o = { convention };
  const err = averagedError('PSNR', ir, vis, fused, o);
  const bins = [ir, vis, fused].map(binImage);
  const [hIr, hVis, hF] = bins.map((b) => histogram256(b));
  const n = fused.data.length;
  return {
    EN: histogramEntropy(hF, 2),
    SD: standardDeviation(fused, o),
    SF: spatialFrequency(fused, o),
    AG: averageGradient(fused),
    MI: convention === 'vifb' ? mutualInformation(ir, vis, fused, o) : mutualInformationFromBins(bins[0], bins[1], bins[2], hIr, hVis, hF),
    SCD: scd(ir, vis, fused),
    VIF: convention === 'printed' ? viff(ir, vis, fused) : vif(ir, vis, fused),
    Qabf: qabf(ir, vis, fused, o),
    SSIM: ssim(ir, vis, fused),
    CC: correlationCoefficient(ir, vis, fused),
    PSNR: convention === 'vifb' ? 20 * Math.log10(255 / Math.sqrt(err)) : 10 * Math.log10((255 * 255) / err),
    RMSE: convention === 'vifb' ? err : Math.sqrt(err),
    CE: crossEntropyFromHistograms(hIr, hVis, hF, n),
  };
}

/** A grey image (one plane) or the channel planes of a colour image (e.g. [R, G, B]). */
export type Planes = MetricImage | MetricImage[];

function planes(p: Planes): MetricImage[] {
  return Array.isArray(p) ? p : [p];
}

/**
 * Metrics of a possibly colour triplet with VIFB's colour rule: with C = the number of fused
 * planes, every metric is computed plane by plane — plane k of F against plane k of each source,
 * a grey (single-plane) source being used for every plane — and the C values are averaged
 * (VIFB `metrics*.m`: `g(k) = metric(img1(:,:,k), img2, fused(:,:,k)); res = mean(g)`).
 * Exception, `vifb` convention only: SF uses VIFB's side-by-side quirk
 * ({@link spatialFrequencyVifbRgb}). A grey fused image with colour sources is rejected: convert
 * the sources to grey first (VIFB would apply MATLAB's `rgb2gray`, which differs per metric in
 * where rounding happens). With one plane each this is {@link computeAll}.
 */
export function computeAllRgb(ir: Planes, vis: Planes, fused: Planes, opts?: ConventionOptions): MetricValues {
  const convention = conventionOf('computeAllRgb', opts);
  const F = planes(fused);
  const I = planes(ir);
  const V = planes(vis);
  const c = F.length;
  if (c === 0) throw new MetricInputError('computeAllRgb: fused has no planes');
  for (const [name, p] of [['ir', I], ['vis', V]] as const) {
    if (p.length !== 1 && p.length !== c) {
      throw new MetricInputError(`computeAllRgb: ${name} has ${p.length} planes but fused has ${c} (need 1 or ${c})`);
    }
  }
  const sum = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0])) as MetricValues;
  for (let k = 0; k < c; k++) {
    const v = computeAll(I[I.length === 1 ? 0 : k], V[V.length === 1 ? 0 : k], F[k], { convention });
    for (const name of METRIC_NAMES) sum[name] += v[name];
  }
  for (const name of METRIC_NAMES) sum[name] /= c;
  if (convention === 'vifb' && c > 1) sum.SF = spatialFrequencyVifbRgb(F);
  return sum;
}

/**
 * Times {@link computeAll} on a synthetic 768×576 triplet (the largest TNO size): one warm-up
 * call, then `runs` timed calls. Returns the median and minimum in milliseconds.
 */
export function benchMetrics(runs = 5, width = 768, height = 576, opts?: ConventionOptions): { medianMs: number; minMs: number; runs: number; width: number; height: number } {
  const n = width * height;
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const mk = (f: (x: number, y: number) => number): MetricImage => {
    const d = new Uint8Array(n);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) d[y * width + x] = Math.max(0, Math.min(255, Math.round(f(x, y))));
    return { width, height, data: d };
  };
  const ir = mk((x, y) => 128 + 80 * Math.sin(x / 37) * Math.cos(y / 23) + 20 * rnd());
  const vis = mk((x, y) => 100 + 60 * Math.cos((x + y) / 19) + 30 * rnd());
  const fused = mk((x, y) => 0.5 * (ir.data[y * width + x] + vis.data[y * width + x]) + 10 * rnd());
  computeAll(ir, vis, fused, opts);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    computeAll(ir, vis, fused, opts);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], runs, width, height };
}
