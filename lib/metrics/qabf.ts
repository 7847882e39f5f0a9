/**
 * Qabf (Q^{AB/F}) — Xydeas & Petrović edge-information preservation.
 *
 * Source: Xydeas & Petrović, Electron. Lett. 36 (2000) 308, as implemented in the widely used
 * MATLAB code (VIFB `metricsQabf.m`). For each image X ∈ {A = IR, B = VIS, F}:
 * `Sx = conv2(X, [-1 0 1; -2 0 2; -1 0 1], 'same')`, `Sy = conv2(X, [1 2 1; 0 0 0; -1 -2 -1], 'same')`
 * (zero border), `g = sqrt(Sx² + Sy²)`, `α = atan(Sy/Sx)` (π/2 where Sx = 0). For each source S:
 * `G = gF/gS` if gS > gF, `gS/gF` if gS < gF, and — the reference code's rule — `gF` itself if
 * gS = gF (so 0 where both are 0); `A = 1 − |αS − αF|/(π/2)`;
 * `Q^{SF} = Tg/(1 + e^{kg(G − Dg)}) · Ta/(1 + e^{ka(A − Da)})` with Tg = 0.9994, kg = −15,
 * Dg = 0.5, Ta = 0.9879, ka = −22, Da = 0.8; finally
 * `Qabf = Σ (Q^{AF}·gA + Q^{BF}·gB) / Σ (gA + gB)` (weights g^L with L = 1).
 *
 * Conventions:
 * - `paper`: the above on the 0..255 grey values.
 * - `vifb`: VIFB computes `255*im2double(double(X))`, and `im2double` of a double array is the
 *   identity, so every image is scaled by 255 (0..65025). All ratios are unchanged; only the
 *   equality rule G = gF then uses the ×255 gradient (≥ 255 for any non-zero equal pair, which
 *   saturates the sigmoid to Tg).
 *
 * Implementation: with the native addon built, the whole triplet runs in one sweep over rows
 * (native/metrics_kernels.cc `qabfTriplet`: the same arithmetic, no map stored, threaded over rows;
 * its atan and exp are vectorised polynomials within ~2 ulp of the C library's, and its sums are
 * taken per row, so the value agrees with {@link qabfJs} within 1e-11 relative), else in
 * JavaScript. The previous native path (edge maps, then the weighted sums, native/auif_kernels.cc)
 * runs with `metricsEngine.perMap` (workspace.ts).
 *
 * Degenerate cases: because of the zero border, a non-zero constant image has gradients along its
 * border, so constant sources give an ordinary value. Only when neither source has any gradient
 * (Σ(gA + gB) = 0, e.g. all-zero sources) is the ratio 0/0; Qabf is then defined as 0.
 */
import { sobelSame } from './filters.js';
import { nativeEntries } from '../kernels/native.js';
import { checkSameSize, conventionOf, toFloat64, type ConventionOptions, type MetricImage } from './types.js';
import { metricsEngine, scratch } from './workspace.js';

const TG = 0.9994;
const KG = -15;
const DG = 0.5;
const TA = 0.9879;
const KA = -22;
const DA = 0.8;
const HALF_PI = Math.PI / 2;

/** Gradient strength `g` and orientation `a` of one image (Sobel, zero border, see module doc). */
function edges(p: Float64Array, w: number, h: number, g: Float64Array, a: Float64Array, scale: number): void {
  const n = w * h;
  const gx = scratch('qabf.gx', n);
  const gy = scratch('qabf.gy', n);
  sobelSame(p, w, h, gx, gy);
  for (let i = 0; i < n; i++) {
    const x = gx[i];
    const y = gy[i];
    g[i] = Math.sqrt(x * x + y * y) * scale;
    a[i] = x === 0 ? HALF_PI : Math.atan(y / x);
  }
}

/** Q^{SF} weighted by gS, summed: Σ Q^{SF}·gS. */
function weightedPreservation(gS: Float64Array, aS: Float64Array, gF: Float64Array, aF: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const gs = gS[i];
    if (gs === 0) continue; // weight 0
    const gf = gF[i];
    const G = gs > gf ? gf / gs : gs < gf ? gs / gf : gf;
    const A = 1 - Math.abs(aS[i] - aF[i]) / HALF_PI;
    const q = (TG / (1 + Math.exp(KG * (G - DG)))) * (TA / (1 + Math.exp(KA * (A - DA))));
    s += q * gs;
  }
  return s;
}

/** The kernels of one Qabf evaluation: JavaScript, or the native addon's. */
interface QabfImpl {
  edges(p: Float64Array, w: number, h: number, g: Float64Array, a: Float64Array, scale: number): void;
  preservation(gS: Float64Array, aS: Float64Array, gF: Float64Array, aF: Float64Array, n: number): number;
}
const JS_IMPL: QabfImpl = { edges, preservation: weightedPreservation };
/** Below this many pixels the JavaScript loops win (no thread start-up). */
const NATIVE_MIN_PIXELS = 4096;
function native(): QabfImpl | null {
  const nk = nativeEntries('qabfEdges', 'qabfPreservation');
  return nk && { edges: (p, w, h, g, a, scale) => nk.qabfEdges(p, w, h, scale, g, a), preservation: (gS, aS, gF, aF, n) => nk.qabfPreservation(gS, aS, gF, aF, n) };
}

function qabfWith(impl: QabfImpl, ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf('Qabf', opts);
  checkSameSize('Qabf', { ir, vis, fused });
  const { width: w, height: h } = fused;
  const n = w * h;
  const scale = c === 'vifb' ? 255 : 1;
  const gA = scratch('qabf.gA', n);
  const aA = scratch('qabf.aA', n);
  const gB = scratch('qabf.gB', n);
  const aB = scratch('qabf.aB', n);
  const gF = scratch('qabf.gF', n);
  const aF = scratch('qabf.aF', n);
  impl.edges(toFloat64(ir), w, h, gA, aA, scale);
  impl.edges(toFloat64(vis), w, h, gB, aB, scale);
  impl.edges(toFloat64(fused), w, h, gF, aF, scale);
  let deno = 0;
  for (let i = 0; i < n; i++) deno += gA[i] + gB[i];
  if (deno === 0) return 0;
  const nume = impl.preservation(gA, aA, gF, aF, n) + impl.preservation(gB, aB, gF, aF, n);
  return nume / deno;
}

/** Qabf (see module doc). `ir` plays A and `vis` B; the value is symmetric in them. */
export function qabf(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  const large = fused.width * fused.height >= NATIVE_MIN_PIXELS;
  const one = large && !metricsEngine.perMap ? nativeEntries('qabfTriplet') : null;
  if (one) {
    // edge maps and both weighted sums in one sweep over rows (native/metrics_kernels.cc)
    const c = conventionOf('Qabf', opts);
    checkSameSize('Qabf', { ir, vis, fused });
    return one.qabfTriplet!(toFloat64(ir), toFloat64(vis), toFloat64(fused), fused.width, fused.height, c === 'vifb' ? 255 : 1);
  }
  const nk = large ? native() : null; // the previous native path: maps, then sums (metricsEngine.perMap)
  return qabfWith(nk ?? JS_IMPL, ir, vis, fused, opts);
}

/**
 * {@link qabf} started on a background thread where the native addon has `qabfTripletStart`
 * (the caller's JavaScript runs on meanwhile, so both cores are busy): returns a function that waits
 * for and returns the value (the same bits as {@link qabf}; later calls return it again). The
 * inputs must be Float64Array images and not be written until that function has been called.
 * Without the addon (or with `metricsEngine.perMap`) Qabf is computed when the function is called.
 */
export function qabfStart(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): () => number {
  const c = conventionOf('Qabf', opts);
  checkSameSize('Qabf', { ir, vis, fused });
  const large = fused.width * fused.height >= NATIVE_MIN_PIXELS;
  const nk = large && !metricsEngine.perMap ? nativeEntries('qabfTripletStart', 'qabfTripletJoin') : null;
  const f64 = [ir.data, vis.data, fused.data].every((d) => d instanceof Float64Array);
  if (!nk || !f64) {
    let v: number | undefined;
    return () => (v ??= qabf(ir, vis, fused, opts));
  }
  const job = nk.qabfTripletStart!(ir.data as Float64Array, vis.data as Float64Array, fused.data as Float64Array, fused.width, fused.height, c === 'vifb' ? 255 : 1);
  let v: number | undefined;
  return () => (v ??= nk.qabfTripletJoin!(job));
}

/** {@link qabf} in JavaScript only (the reference for the native path). */
export function qabfJs(ir: MetricImage, vis: MetricImage, fused: MetricImage, opts?: ConventionOptions): number {
  return qabfWith(JS_IMPL, ir, vis, fused, opts);
}
