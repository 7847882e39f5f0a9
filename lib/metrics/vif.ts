/**
 * VIF — visual information fidelity of the fused image with respect to the sources.
 *
 * Two definitions are provided:
 *
 * 1. {@link vif} (`paper` and `vifb` conventions): pixel-domain multiscale VIF, Sheikh & Bovik,
 *    IEEE TIP 15 (2006) 430, exactly as their MATLAB `vifvec`/`vifp_mscale.m` (and its common
 *    Python ports) computes it, with the source as the reference R and F as the "distorted" image
 *    D, values on the 0..255 scale:
 *
 *    for scale s = 1..4: n = 2^(5−s) + 1, w = fspecial('gaussian', n, n/5);
 *      if s > 1: R = filter2(w, R, 'valid')(1:2:end, 1:2:end), same for D;
 *      μ_R, μ_D, σ²_R, σ²_D, σ_RD from `filter2(w, ·, 'valid')` (moments E[x²] − μ² etc.);
 *      σ² < 0 → 0; g = σ_RD/(σ²_R + 1e-10); σ²_v = σ²_D − g·σ_RD;
 *      where σ²_R < 1e-10: g = 0, σ²_v = σ²_D, σ²_R = 0; where σ²_D < 1e-10: g = 0, σ²_v = 0;
 *      where g < 0: σ²_v = σ²_D, g = 0; σ²_v ≤ 1e-10 → 1e-10;
 *      VID = log10(1 + g²σ²_R/(σ²_v + σ²_n)), VIND = log10(1 + σ²_R/σ²_n), σ²_n = 2;
 *    VIF(R, D) = ΣΣ VID / ΣΣ VIND (over scales and pixels); `VIF = VIF(IR, F) + VIF(VIS, F)`.
 *    VIFB has no VIF; the `vifb` convention uses this same definition. This reproduces the
 *    VIF column of datasets/reference/metrics_authors_outputs.csv, but NOT the papers' printed
 *    VIF column (AUIF TNO 0.635 vs 0.66 printed).
 *
 * 2. {@link viff} (`printed` convention): VIFF, Han, Cai, Cao & Xu, "A new image fusion
 *    performance metric based on visual information fidelity", Inf. Fusion 14 (2013) 127, as
 *    the authors' `VIFF_Public.m`: the same per-scale maps with visual noise σ²_n = 0.005·255²,
 *    computed for both sources against F; at every pixel the source with the smaller g is used
 *    (`L = g₁ < g₂`: source 1 where L, else source 2), `F_s = Σ(VID + C) / Σ(VIND + C)` with
 *    C = 1e-7 added per pixel, and `VIFF = Σ_s p_s F_s`, p = [1, 0, 0.15, 1]/2.15.
 *    This reproduces the papers' printed VIF columns from the authors' images (AUIF TNO 0.6639 →
 *    0.66, FLIR 0.6404 → 0.64; DIDFuse TNO 0.6234 → 0.623, FLIR 0.5383 → 0.538).
 *
 * Degenerate cases: a scale whose 'valid' window does not fit contributes nothing (MATLAB sums
 * of empty arrays; for VIFF that scale's ratio is taken as 0). VIF: when ΣVIND = 0 (constant
 * reference, or an image smaller than 17×17) ΣVID is 0 too and VIF(R, D) is defined as 0 (no
 * information to transfer) instead of NaN. VIFF: the per-pixel C keeps every ratio finite;
 * constant sources give VID = VIND = 0 everywhere, so each F_s = 1 and VIFF = 1 (as the
 * reference code computes).
 *
 * Implementation: the Gaussian windows are applied separably, the decimating low-pass computes
 * only the kept outputs, the fused image's filtered maps are shared between the two sources, and
 * for VIF and VIFF Σ log10(1 + t) is accumulated per output row as Σ ln(Π of 8 terms) (the base cancels in
 * VID/VIND; each row's products restart at its first pixel; the rows are added in order). With the
 * native addon, each VIF scale runs as one sweep over rows (native/metrics_kernels.cc `windowSums`:
 * the 2 + 3k maps of a row from a ring of row-filtered input rows, consumed at once; the same
 * operations in the same order, so the same bits as the JavaScript loops — its `ln` follows V8's
 * `Math.log` (fdlibm) operation by operation — for any thread count), and the pyramid's low-pass is `filterValid`.
 * VIFF is summed the same way (kind 2 of `windowSums`: both sources' gains, the per-pixel choice).
 * `metricsEngine.perMap` (workspace.ts) selects the previous native path (one call per map,
 * `vifSums` over whole maps; VIFF's per-pixel loop in JavaScript on those maps).
 */
import { filterValid, filterValidProduct, gaussian1D } from './filters.js';
import { checkSameSize, toFloat64, type MetricImage } from './types.js';
import { metricsEngine, scratch } from './workspace.js';
import { nativeEntries } from '../kernels/native.js';

const EPS = 1e-10;
/** Visual noise variance of Sheikh & Bovik's VIF. */
const VIF_SIGMA_NSQ = 2;
/** Visual noise variance of VIFF_Public.m (0.005·255²). */
const VIFF_SIGMA_NSQ = 0.005 * 255 * 255;
const VIFF_C = 1e-7;
const VIFF_WEIGHTS = [1 / 2.15, 0, 0.15 / 2.15, 1 / 2.15];
/** Terms multiplied together before one logarithm is taken (each term is ≤ ~5e8, so 8 fit). */
const LOG_BLOCK = 8;
/** Below this many pixels the JavaScript loops win (no thread start-up). */
const NATIVE_MIN_PIXELS = 4096;

/** Per-scale filtered moments handed to a visitor (an ow×oh valid region, m = ow·oh pixels, one entry per reference). */
interface ScaleMoments {
  scale: number;
  m: number;
  ow: number;
  oh: number;
  muD: Float64Array;
  dd: Float64Array;
  muR: Float64Array[];
  rr: Float64Array[];
  rd: Float64Array[];
}

/**
 * The 4-scale pyramid of `vifp_mscale`: calls `visit` with each scale's images (w×h; scale 1: the
 * inputs themselves, never written to) and its 1-D window, for every scale whose window fits.
 */
function forEachScaleImages(refs: MetricImage[], dist: MetricImage, visit: (scale: number, win: Float64Array, D: Float64Array, R: Float64Array[], w: number, h: number) => void): void {
  let w = dist.width;
  let h = dist.height;
  let D = toFloat64(dist);
  let R = refs.map((r) => toFloat64(r));
  const tmp = scratch('vif.tmp', w * h);
  for (let scale = 1; scale <= 4; scale++) {
    const n = 2 ** (4 - scale + 1) + 1;
    const win = gaussian1D(n, n / 5);
    if (scale > 1) {
      // low-pass ('valid') and keep every second row/column, computing only the kept outputs
      // the pyramid levels in reusable scratch (one slot per scale and image: level s − 1 is read while s is written)
      const len = Math.max(0, Math.ceil((w - n + 1) / 2) * Math.ceil((h - n + 1) / 2));
      const level = (j: number) => scratch(`vif.level${scale}.${j}`, len).subarray(0, len);
      const nextD = level(0);
      const size = filterValid(D, w, h, win, nextD, tmp, 2);
      if (size === null) return;
      R = R.map((r, j) => {
        const next = level(j + 1);
        filterValid(r, w, h, win, next, tmp, 2);
        return next;
      });
      D = nextD;
      w = size.width;
      h = size.height;
    }
    if (w - n + 1 <= 0 || h - n + 1 <= 0) return;
    visit(scale, win, D, R, w, h);
  }
}

/**
 * Runs the pyramid for several references sharing one distorted image and calls `visit` with the
 * filtered moments of every scale whose window fits.
 */
function forEachScale(refs: MetricImage[], dist: MetricImage, visit: (s: ScaleMoments) => void): void {
  const k = refs.length;
  const n0 = dist.width * dist.height;
  const tmp = scratch('vif.tmp', n0);
  const prod = scratch('vif.prod', n0);
  const muD = scratch('vif.muD', n0);
  const dd = scratch('vif.dd', n0);
  const muR = refs.map((_, j) => scratch(`vif.muR${j}`, n0));
  const rr = refs.map((_, j) => scratch(`vif.rr${j}`, n0));
  const rd = refs.map((_, j) => scratch(`vif.rd${j}`, n0));
  forEachScaleImages(refs, dist, (scale, win, D, R, w, h) => {
    filterValid(D, w, h, win, muD, tmp);
    filterValidProduct(D, D, w, h, win, dd, tmp, prod);
    for (let j = 0; j < k; j++) {
      const r = R[j];
      filterValid(r, w, h, win, muR[j], tmp);
      filterValidProduct(r, r, w, h, win, rr[j], tmp, prod);
      filterValidProduct(r, D, w, h, win, rd[j], tmp, prod);
    }
    const ow = w - win.length + 1;
    const oh = h - win.length + 1;
    visit({ scale, m: ow * oh, ow, oh, muD, dd, muR, rr, rd });
  });
}

/**
 * g, σ²_v and σ²_R of one pixel after vifp_mscale's clamping rules, written to `out[0..2]`.
 */
function gain(mr: number, md: number, rr: number, dd: number, rd: number, out: Float64Array): void {
  let s1 = rr - mr * mr;
  let s2 = dd - md * md;
  const s12 = rd - mr * md;
  if (s1 < 0) s1 = 0;
  if (s2 < 0) s2 = 0;
  let g = s12 / (s1 + EPS);
  let sv = s2 - g * s12;
  if (s1 < EPS) {
    g = 0;
    sv = s2;
    s1 = 0;
  }
  if (s2 < EPS) {
    g = 0;
    sv = 0;
  }
  if (g < 0) {
    sv = s2;
    g = 0;
  }
  if (sv <= EPS) sv = EPS;
  out[0] = g;
  out[1] = sv;
  out[2] = s1;
}

/**
 * The two sums of one scale over its ow×oh valid region,
 *
 *   Σᵢ ln(1 + gᵢ²·σ²_Rᵢ / (σ²_Vᵢ + σ²_N))   and   Σᵢ ln(1 + σ²_Rᵢ / σ²_N),
 *
 * with (gᵢ, σ²_Vᵢ, σ²_Rᵢ) = `pick(i)` (a {@link gain} output). Taken per output row as logs of
 * products of LOG_BLOCK factors (natural logs: a base cancels or is divided out by the caller),
 * the products restarting at each row and the rows added in order — the order the native
 * `windowSums` sweep uses, so both give the same bits.
 */
function blockedLogSums(ow: number, oh: number, sigmaNsq: number, pick: (i: number) => Float64Array): [number, number] {
  let totNum = 0;
  let totDen = 0;
  for (let y = 0; y < oh; y++) {
    let sNum = 0;
    let sDen = 0;
    let pNum = 1;
    let pDen = 1;
    let cnt = 0;
    for (let i = y * ow, e = i + ow; i < e; i++) {
      const t = pick(i);
      const g = t[0];
      const s1 = t[2];
      pNum *= 1 + (g * g * s1) / (t[1] + sigmaNsq);
      pDen *= 1 + s1 / sigmaNsq;
      if (++cnt === LOG_BLOCK) {
        sNum += Math.log(pNum);
        sDen += Math.log(pDen);
        pNum = 1;
        pDen = 1;
        cnt = 0;
      }
    }
    totNum += sNum + Math.log(pNum);
    totDen += sDen + Math.log(pDen);
  }
  return [totNum, totDen];
}

/**
 * VIF(Rₖ, D) (Sheikh & Bovik, σ²_n = 2) for several references sharing one distorted image
 * (all the same size). Returns one value per reference.
 */
export function vifMany(refs: MetricImage[], dist: MetricImage): number[] {
  const k = refs.length;
  const num = new Float64Array(k);
  const den = new Float64Array(k);
  const large = dist.width * dist.height >= NATIVE_MIN_PIXELS;
  const fused = large && !metricsEngine.perMap ? nativeEntries('windowSums') : null;
  const sums = new Float64Array(2 * k);
  if (fused) {
    // each scale's maps and sums in one sweep over rows in the addon (native/metrics_kernels.cc:
    // the loop below, same operations and order, so the same bits)
    forEachScaleImages(refs, dist, (_scale, win, D, R, w, h) => {
      fused.windowSums!(0, D, R, w, h, win, VIF_SIGMA_NSQ, 0, sums);
      for (let j = 0; j < k; j++) { num[j] += sums[2 * j]; den[j] += sums[2 * j + 1]; }
    });
  } else {
    const perMap = large ? nativeEntries('vifSums') : null; // the previous native path (metricsEngine.perMap)
    const t = new Float64Array(3);
    forEachScale(refs, dist, ({ m, ow, oh, muD, dd, muR, rr, rd }) => {
      if (perMap) {
        perMap.vifSums(muD, dd, muR, rr, rd, m, VIF_SIGMA_NSQ, sums);
        for (let j = 0; j < k; j++) { num[j] += sums[2 * j]; den[j] += sums[2 * j + 1]; }
        return;
      }
      for (let j = 0; j < k; j++) {
        const mR = muR[j];
        const rR = rr[j];
        const rD = rd[j];
        const [totNum, totDen] = blockedLogSums(ow, oh, VIF_SIGMA_NSQ, (i) => {
          gain(mR[i], muD[i], rR[i], dd[i], rD[i], t);
          return t;
        });
        num[j] += totNum;
        den[j] += totDen;
      }
    });
  }
  const out: number[] = [];
  for (let j = 0; j < k; j++) out.push(den[j] > 0 ? num[j] / den[j] : 0);
  return out;
}

/** VIF(R, D) of one reference/distorted pair (Sheikh & Bovik; see module doc). */
export function vifPair(reference: MetricImage, distorted: MetricImage): number {
  checkSameSize('VIF', { reference, distorted });
  return vifMany([reference], distorted)[0];
}

/** VIF = VIF(IR, F) + VIF(VIS, F) (Sheikh & Bovik; `paper` and `vifb` conventions). */
export function vif(ir: MetricImage, vis: MetricImage, fused: MetricImage): number {
  checkSameSize('VIF', { ir, vis, fused });
  const [a, b] = vifMany([ir, vis], fused);
  return a + b;
}

/**
 * VIFF (Han et al. 2013, `VIFF_Public.m`; `printed` convention): see module doc. `ir` plays
 * `Im1` and `vis` `Im2` (at ties g₁ = g₂ the second source is used, as in the reference code).
 * Σ VID and Σ VIND of each scale are summed as VIF's (per output row, Σ ln of products of
 * LOG_BLOCK factors, the rows added in order; natural logs divided by ln 10); with the native addon
 * each scale is one `windowSums` sweep (kind 2: the same operations, so the same bits).
 */
export function viff(ir: MetricImage, vis: MetricImage, fused: MetricImage): number {
  checkSameSize('VIFF', { ir, vis, fused });
  const LN10 = Math.LN10;
  let total = 0;
  const add = (scale: number, m: number, vidLn: number, vindLn: number): void => {
    const C = VIFF_C * m;
    const vid = vidLn / LN10 + C;
    const vind = vindLn / LN10 + C;
    total += VIFF_WEIGHTS[scale - 1] * (vid > 0 && vind > 0 ? vid / vind : 0);
  };
  const large = fused.width * fused.height >= NATIVE_MIN_PIXELS;
  const fusedSweep = large && !metricsEngine.perMap ? nativeEntries('windowSums') : null;
  if (fusedSweep) {
    const sums = new Float64Array(2);
    forEachScaleImages([ir, vis], fused, (scale, win, D, R, w, h) => {
      if (VIFF_WEIGHTS[scale - 1] === 0) return; // scale 2 has weight 0 (only its low-pass is needed)
      fusedSweep.windowSums!(2, D, R, w, h, win, VIFF_SIGMA_NSQ, 0, sums);
      add(scale, (w - win.length + 1) * (h - win.length + 1), sums[0], sums[1]);
    });
    return total;
  }
  const ta = new Float64Array(3);
  const tb = new Float64Array(3);
  forEachScale([ir, vis], fused, ({ scale, m, ow, oh, muD, dd, muR, rr, rd }) => {
    if (VIFF_WEIGHTS[scale - 1] === 0) return;
    const [mA, mB] = muR;
    const [rA, rB] = rr;
    const [dA, dB] = rd;
    const [totNum, totDen] = blockedLogSums(ow, oh, VIFF_SIGMA_NSQ, (i) => {
      const md = muD[i];
      const d2 = dd[i];
      gain(mA[i], md, rA[i], d2, dA[i], ta);
      gain(mB[i], md, rB[i], d2, dB[i], tb);
      return ta[0] < tb[0] ? ta : tb;
    });
    add(scale, m, totNum, totDen);
  });
  return total;
}
