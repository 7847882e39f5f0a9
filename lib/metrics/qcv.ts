/**
 * Qcv — Chen–Varshney human-perception metric (H. Chen, P. K. Varshney, "A human perception
 * inspired quality metric for image fusion based on regional information", Inf. Fusion 8 (2007)
 * 193), as Z. Liu's `metricChen.m` implements it inside VIFB (`metricsQcv.m`, read for this
 * port); lower is better. Each image is first normalised to 0..255 ({@link normalize255}); then
 *
 * 1. edge strength G = √(Sx² + Sy²), Sobel [−1 0 1; −2 0 2; −1 0 1] and its transpose
 *    (`filter2 'same'`, zero border), and per 16×16 block b (zero-padded at the right/bottom,
 *    as `blkproc`) the saliency λ_S(b) = Σ_b G_S^α, α = 5;
 * 2. the differences S − F filtered by the Mannos–Sakrison CSF in the frequency domain,
 *    CSF(r) = 2.6 (0.0192 + 0.144 r) e^{−(0.144 r)^{1.1}}, r = √((N/8·u)² + (M/8·v)²) on
 *    MATLAB's `freqspace` grid, and per block D_S(b) = mean of the squared filtered difference
 *    over the 16×16 block (zero padding included: the sum is divided by 256);
 * 3. Qcv = Σ_b (λ_A D_A + λ_B D_B) / Σ_b (λ_A + λ_B).
 */
import { filterRealInFrequency } from '../fft/filter.js';
import { normalize255 } from './qcb.js';
import { checkSameSize, type MetricImage } from './types.js';

const BLOCK = 16;

/** Sobel edge strength, zero border: Sx with [−1 0 1; −2 0 2; −1 0 1], Sy with its transpose. */
function edgeStrength(p: Float64Array, w: number, h: number): Float64Array {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : p[y * w + x]);
  const g = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = -at(x - 1, y - 1) + at(x + 1, y - 1) - 2 * at(x - 1, y) + 2 * at(x + 1, y) - at(x - 1, y + 1) + at(x + 1, y + 1);
      const sy = -at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1) + at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1);
      g[y * w + x] = Math.sqrt(sx * sx + sy * sy);
    }
  }
  return g;
}

/** Per 16×16 block (zero-padded), Σ f(x) over its pixels. */
function blockSums(v: Float64Array, w: number, h: number, f: (x: number) => number): Float64Array {
  const bw = Math.ceil(w / BLOCK), bh = Math.ceil(h / BLOCK);
  const out = new Float64Array(bw * bh);
  for (let y = 0; y < h; y++) {
    const by = Math.floor(y / BLOCK) * bw;
    for (let x = 0; x < w; x++) out[by + Math.floor(x / BLOCK)] += f(v[y * w + x]);
  }
  return out;
}

function mannosSakrisonCsf(w: number, h: number): (fx: number, fy: number) => number {
  const sx = w / 8, sy = h / 8;
  return (fx, fy) => {
    const r = Math.sqrt((sx * fx) ** 2 + (sy * fy) ** 2);
    return 2.6 * (0.0192 + 0.144 * r) * Math.exp(-((0.144 * r) ** 1.1));
  };
}

/** Qcv of one grey triplet (any scale). `a`, `b`: the two sources (VIFB: visible, infrared). */
export function qcv(a: MetricImage, b: MetricImage, fused: MetricImage): number {
  return qcvPlanes([a], [b], [fused]);
}

/**
 * VIFB's colour rule for Qcv: the mean over the C fused planes of Qcv(a_k, b_k, F_k), a source
 * with one plane serving every k (its normalisation and saliency computed once); the
 * differences S − F are filtered by real 2-D FFTs (lib/fft/filter.ts).
 */
export function qcvPlanes(a: MetricImage[], b: MetricImage[], fused: MetricImage[]): number {
  const c = fused.length;
  const pick = (p: MetricImage[], k: number) => p[p.length === 1 ? 0 : k];
  for (let k = 0; k < c; k++) checkSameSize('Qcv', { a: pick(a, k), b: pick(b, k), fused: fused[k] });
  const { width: w, height: h } = fused[0];
  const norm = new Map<MetricImage, Float64Array>();
  const normOf = (img: MetricImage) => { let v = norm.get(img); if (!v) norm.set(img, v = normalize255(img)); return v; };
  const sal = new Map<MetricImage, Float64Array>();
  const salOf = (img: MetricImage) => { let v = sal.get(img); if (!v) sal.set(img, v = blockSums(edgeStrength(normOf(img), w, h), w, h, (g) => g ** 5)); return v; };
  const diffs: Float64Array[] = [];
  for (let k = 0; k < c; k++) {
    const F = normOf(fused[k]);
    for (const S of [normOf(pick(a, k)), normOf(pick(b, k))]) diffs.push(S.map((v, i) => v - F[i]));
  }
  const filtered = filterRealInFrequency(diffs, w, h, mannosSakrisonCsf(w, h));
  let total = 0;
  for (let k = 0; k < c; k++) {
    const lamA = salOf(pick(a, k)), lamB = salOf(pick(b, k));
    const DA = blockSums(filtered[2 * k], w, h, (x) => x * x);
    const DB = blockSums(filtered[2 * k + 1], w, h, (x) => x * x);
    let num = 0, den = 0;
    for (let q = 0; q < lamA.length; q++) {
      num += lamA[q] * (DA[q] / (BLOCK * BLOCK)) + lamB[q] * (DB[q] / (BLOCK * BLOCK));
      den += lamA[q] + lamB[q];
    }
    total += num / den;
  }
  return total / c;
}
