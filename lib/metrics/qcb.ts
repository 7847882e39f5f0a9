/**
 * Qcb — Chen–Blum perceptual fusion metric (Y. Chen, R. S. Blum, "A new automated quality
 * assessment algorithm for image fusion", Image Vis. Comput. 27 (2009) 1421), as Z. Liu's
 * `metricChenBlum.m` implements it inside VIFB (`metricsQcb.m`, read for this port). Per source
 * S ∈ {A, B} and the fused image F, each first min–max normalised and rounded to 0..255
 * (`normalize1`: round(255 (x − min)/(max − min)), MATLAB round = half away from zero):
 *
 * 1. contrast-sensitivity filtering in the frequency domain, S' = ifft2(fft2(S) · CSF), with the
 *    DoG CSF(r) = e^{−(r/f₀)²} − a e^{−(r/f₁)²}, f₀ = 15.3870, f₁ = 1.3456, a = 0.7622, on
 *    MATLAB's `freqspace` grid scaled by (N/30, M/30): r = √((N/30·u)² + (M/30·v)²);
 * 2. local contrast C = |(G₂ ⋆ S')⁻¹ (G₁ ⋆ S') − 1| with unnormalised 31×31 Gaussians
 *    G_σ(x, y) = e^{−(x²+y²)/(2σ²)}/(2πσ²), σ = 2 and 4 (`filter2 'same'`, zero border), and the
 *    masked contrast C' = C^p/(h C^q + Z), k = h = 1, p = 3, q = 2, Z = 1e-4;
 * 3. preservation Q_SF = min(C'_S, C'_F)/max(C'_S, C'_F) (written as VIFB's mask expression),
 *    saliency λ_A = C'_A²/(C'_A² + C'_B²), λ_B = 1 − λ_A;
 * 4. Qcb = mean over pixels of λ_A Q_AF + λ_B Q_BF.
 *
 * The Gaussians are separable, so G ⋆ X is computed as two 31-tap passes (the same sum, in a
 * different order: ~1e-15 relative). Only the degenerate case differs from VIFB: a constant
 * image (max = min ≠ 0) is normalised to zeros instead of NaN.
 */
import { filterRealInFrequency } from '../fft/filter.js';
import { checkSameSize, toFloat64, type MetricImage } from './types.js';

/** `normalize1` of Z. Liu's code: round(255·(x − min)/(max − min)); all-zero input unchanged. */
export function normalize255(img: MetricImage): Float64Array {
  const d = toFloat64(img);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < d.length; i++) { if (d[i] < lo) lo = d[i]; if (d[i] > hi) hi = d[i]; }
  const out = new Float64Array(d.length);
  if (hi === 0 && lo === 0) return out;
  if (hi === lo) return out; // VIFB: 0/0 = NaN; here zeros (documented)
  for (let i = 0; i < d.length; i++) {
    const t = ((d[i] - lo) / (hi - lo)) * 255;
    out[i] = Math.sign(t) * Math.round(Math.abs(t)); // MATLAB round: half away from zero
  }
  return out;
}

/** 31-tap 1-D factor of the unnormalised Gaussian: g(x) = e^{−x²/(2σ²)}, x = −15..15. */
function gaussianTaps(sigma: number): Float64Array {
  return Float64Array.from({ length: 31 }, (_, i) => Math.exp(-((i - 15) ** 2) / (2 * sigma * sigma)));
}

/** filter2(G, X, 'same') with the 31×31 G = g gᵀ/(2πσ²), zero border, as two separable passes. */
function gaussianSame(x: Float64Array, w: number, h: number, sigma: number): Float64Array {
  const g = gaussianTaps(sigma);
  const tmp = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let c = 0; c < w; c++) {
      let s = 0;
      const lo = Math.max(0, c - 15), hi = Math.min(w - 1, c + 15);
      for (let k = lo; k <= hi; k++) s += g[k - c + 15] * x[o + k];
      tmp[o + c] = s;
    }
  }
  const out = new Float64Array(w * h);
  const norm = 1 / (2 * Math.PI * sigma * sigma);
  for (let y = 0; y < h; y++) {
    const lo = Math.max(0, y - 15), hi = Math.min(h - 1, y + 15);
    for (let c = 0; c < w; c++) {
      let s = 0;
      for (let k = lo; k <= hi; k++) s += g[k - y + 15] * tmp[k * w + c];
      out[y * w + c] = s * norm;
    }
  }
  return out;
}

/** Masked local contrast C' = C³/(C² + 1e-4), C = |G₂-filtered⁻¹ · G₁-filtered − 1|, of one CSF-filtered image. */
function maskedContrast(x: Float64Array, w: number, h: number): Float64Array {
  const b1 = gaussianSame(x, w, h, 2);
  const b2 = gaussianSame(x, w, h, 4);
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const c = Math.abs(b1[i] / b2[i] - 1);
    out[i] = (c * c * c) / (c * c + 1e-4);
  }
  return out;
}

const CSF_F0 = 15.387, CSF_F1 = 1.3456, CSF_A = 0.7622;
function dogCsf(w: number, h: number): (fx: number, fy: number) => number {
  const sx = w / 30, sy = h / 30;
  return (fx, fy) => {
    const r = Math.sqrt((sx * fx) ** 2 + (sy * fy) ** 2);
    return Math.exp(-((r / CSF_F0) ** 2)) - CSF_A * Math.exp(-((r / CSF_F1) ** 2));
  };
}

/** Mean over pixels of λ_A Q_AF + λ_B Q_BF from the three masked-contrast maps. */
function qualityFromContrast(CA: Float64Array, CB: Float64Array, CF: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < CF.length; i++) {
    const ca = CA[i], cb = CB[i], cf = CF[i];
    // VIFB: mask = (C_S < C_F); Q = (C_S/C_F)·mask + (C_F/C_S)·(1 − mask) — IEEE arithmetic kept (0·∞ = NaN)
    const ma = ca < cf ? 1 : 0;
    const mb = cb < cf ? 1 : 0;
    const qa = (ca / cf) * ma + (cf / ca) * (1 - ma);
    const qb = (cb / cf) * mb + (cf / cb) * (1 - mb);
    const la = (ca * ca) / (ca * ca + cb * cb);
    const lb = (cb * cb) / (ca * ca + cb * cb);
    sum += la * qa + lb * qb;
  }
  return sum / CF.length;
}

/**
 * Qcb of one grey triplet (any scale; each image is normalised to 0..255 first). `a`, `b`: the
 * two sources (VIFB: visible, infrared), `fused`: F.
 */
export function qcb(a: MetricImage, b: MetricImage, fused: MetricImage): number {
  return qcbPlanes([a], [b], [fused]);
}

/**
 * VIFB's colour rule for Qcb: the mean over the C fused planes of Qcb(a_k, b_k, F_k), a source
 * with one plane serving every k. Each distinct image is CSF-filtered once (real 2-D FFT, lib/fft).
 */
export function qcbPlanes(a: MetricImage[], b: MetricImage[], fused: MetricImage[]): number {
  const c = fused.length;
  const pick = (p: MetricImage[], k: number) => p[p.length === 1 ? 0 : k];
  for (let k = 0; k < c; k++) checkSameSize('Qcb', { a: pick(a, k), b: pick(b, k), fused: fused[k] });
  const { width: w, height: h } = fused[0];
  const unique = [...new Set([...a, ...b, ...fused])];
  const filtered = filterRealInFrequency(unique.map(normalize255), w, h, dogCsf(w, h));
  const contrast = new Map(unique.map((img, i) => [img, maskedContrast(filtered[i], w, h)]));
  let sum = 0;
  for (let k = 0; k < c; k++) sum += qualityFromContrast(contrast.get(pick(a, k))!, contrast.get(pick(b, k))!, contrast.get(fused[k])!);
  return sum / c;
}
