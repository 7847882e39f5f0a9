/**
 * Grey-level histograms shared by EN, MI and CE.
 *
 * Binning: a value v goes to bin `floor(v)` clamped to 0..255 (MATLAB `X(floor(h)+1)` as in
 * VIFB's entropy; for 8-bit images this is the grey level itself, and it equals numpy's
 * `np.histogram(img, bins=256, range=(0, 255))` for integer inputs).
 */
import type { MetricImage } from './types.js';

/** Bin index 0..255 of one grey value (floor, clamped; NaN goes to 0). */
export function greyBin(v: number): number {
  if (v >= 255) return 255;
  if (v > 0) return Math.floor(v);
  return 0;
}

/** Bin index of every pixel (one allocation, reused by the joint histogram). */
export function binImage(img: MetricImage): Uint8Array {
  const d = img.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = greyBin(d[i]);
  return out;
}

/** 256-bin histogram counts. */
export function histogram256(img: MetricImage | Uint8Array): Float64Array {
  const h = new Float64Array(256);
  if (img instanceof Uint8Array) {
    // four interleaved integer sub-histograms (runs of equal values do not serialise on one counter)
    const c = new Int32Array(1024);
    const n = img.length;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      c[img[i]]++;
      c[256 | img[i + 1]]++;
      c[512 | img[i + 2]]++;
      c[768 | img[i + 3]]++;
    }
    for (; i < n; i++) c[img[i]]++;
    for (let k = 0; k < 256; k++) h[k] = c[k] + c[256 | k] + c[512 | k] + c[768 | k];
  } else {
    const d = img.data;
    for (let i = 0; i < d.length; i++) h[greyBin(d[i])]++;
  }
  return h;
}

/** 256×256 joint histogram counts of two bin-index arrays of equal length (`h[a*256 + b]`). */
export function jointHistogram256(a: Uint8Array, b: Uint8Array): Int32Array {
  const h = new Int32Array(65536);
  for (let i = 0; i < a.length; i++) h[(a[i] << 8) | b[i]]++;
  return h;
}

/**
 * The histograms of one triplet of bin-index images (equal lengths) from a single pass:
 * the joint histograms `jIF[a·256 + f]` of (IR, F) and `jVF[v·256 + f]` of (VIS, F), and the three
 * marginals as their row and column sums (`hIr[a] = Σ_f jIF[a·256 + f]`, `hF[f] = Σ_a jIF[a·256 + f]`,
 * `hVis[v] = Σ_f jVF[v·256 + f]`) — integer counts, so exactly {@link histogram256} and
 * {@link jointHistogram256} of the same images. What EN, MI and CE need in `computeAll`.
 */
export interface TripletHistograms {
  jIF: Int32Array;
  jVF: Int32Array;
  hIr: Float64Array;
  hVis: Float64Array;
  hF: Float64Array;
}

/** {@link TripletHistograms} of three bin-index images in one pass (see its doc). */
export function tripletHistograms(ir: Uint8Array, vis: Uint8Array, f: Uint8Array): TripletHistograms {
  const jIF = new Int32Array(65536);
  const jVF = new Int32Array(65536);
  const n = f.length;
  for (let i = 0; i < n; i++) {
    const b = f[i];
    jIF[(ir[i] << 8) | b]++;
    jVF[(vis[i] << 8) | b]++;
  }
  return { jIF, jVF, ...marginals(jIF, jVF) };
}

function marginals(jIF: Int32Array, jVF: Int32Array): { hIr: Float64Array; hVis: Float64Array; hF: Float64Array } {
  const hIr = new Float64Array(256);
  const hVis = new Float64Array(256);
  const cF = new Int32Array(256);
  for (let a = 0; a < 256; a++) {
    const o = a << 8;
    let si = 0;
    let sv = 0;
    for (let b = 0; b < 256; b++) {
      const c = jIF[o | b];
      si += c;
      cF[b] += c;
      sv += jVF[o | b];
    }
    hIr[a] = si;
    hVis[a] = sv;
  }
  return { hIr, hVis, hF: Float64Array.from(cF) };
}

/**
 * The {@link TripletHistograms} of the images re-quantised bin by bin through lookup tables
 * (`lut[k]` the new bin of old bin k for IR, VIS, F): counts moved, no pass over the pixels — e.g.
 * VIFB's MI re-quantisation of 8-bit images, which is a function of the grey level.
 */
export function remapTripletHistograms(h: TripletHistograms, lutIr: Uint8Array, lutVis: Uint8Array, lutF: Uint8Array): TripletHistograms {
  const jIF = new Int32Array(65536);
  const jVF = new Int32Array(65536);
  for (let a = 0; a < 256; a++) {
    const o = a << 8;
    const qi = lutIr[a] << 8;
    const qv = lutVis[a] << 8;
    if (h.hIr[a] !== 0) for (let b = 0; b < 256; b++) { const c = h.jIF[o | b]; if (c !== 0) jIF[qi | lutF[b]] += c; }
    if (h.hVis[a] !== 0) for (let b = 0; b < 256; b++) { const c = h.jVF[o | b]; if (c !== 0) jVF[qv | lutF[b]] += c; }
  }
  return { jIF, jVF, ...marginals(jIF, jVF) };
}

/** Shannon entropy `−Σ p·log(p)` of a histogram of counts, in the given log base
 * (2 → bits, `Math.E` → nats). */
export function histogramEntropy(counts: ArrayLike<number>, base = 2): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total === 0) return 0;
  let s = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) {
      const p = c / total;
      s -= p * (base === 2 ? Math.log2(p) : Math.log(p));
    }
  }
  return base === 2 || base === Math.E ? s : s / Math.log(base);
}
