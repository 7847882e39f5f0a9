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
