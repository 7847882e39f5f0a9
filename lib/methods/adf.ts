/**
 * ADF — Bavirisetti & Dhuli, "Fusion of Infrared and Visible Sensor Images Based on Anisotropic
 * Diffusion and Karhunen–Loève Transform", IEEE Sensors Journal 16(1):203–209, 2016.
 * Ported (not copied) from the authors' MATLAB code as VIFB distributes it
 * (xingchenzhang/VIFB@22b2ea9 `methods/ADF/run_ADF.m`, `anisodiff2D.m`).
 *
 * 1. Base layers by Perona–Malik diffusion of each source I (N = 10 explicit steps, Δt = 0.15,
 *    κ = 30, 8-neighbour stencil, neighbours outside the image count as 0 — `imfilter(…,'conv')`):
 *
 *      x⁰ = I,   xᵗ⁺¹ = xᵗ + Δt · Σₙ wₙ · c(∇ₙxᵗ) · ∇ₙxᵗ,   ∇ₙx(p) = x(p + n) − x(p),
 *      wₙ = 1 (axial), 1/(√2)² (diagonal),   c(g) = exp(−(g/κ)²)  (or 1/(1 + (g/κ)²)),
 *
 *    A = xᴺ, detail D = I − A.
 * 2. Karhunen–Loève weights: C = cov([D_ir(:) D_vis(:)]) (2×2, normalised by n − 1); v = the
 *    eigenvector of the larger eigenvalue (the first one on a tie); (p₁, p₂) = v / (v₁ + v₂).
 * 3. F = p₁·D_ir + p₂·D_vis + ½(A_ir + A_vis), written with MATLAB `uint8` (round half away from
 *    zero, saturate).
 *
 * **Input scale** (option `scale`). The authors' code takes the images as they are read
 * (`scale: 'byte'`, 0..255; VIFB's and MetricsLab's published files, reproduced bit for bit). The
 * AUIF paper's ADF row (TNO EN 6.40, AG 2.99, SCD 1.61) comes from the same code on images divided
 * by 255 (`im2double`; `scale: 'unit'`, the default here), with κ = 30 unchanged: there |∇|/κ is
 * tiny, c ≈ 1 and the diffusion is nearly linear (heat-equation smoothing). Output then
 * `uint8(255·F)`. (Found by re-running that code unchanged in GNU Octave 7.3 on the 40 AUIF TNO
 * pairs: 0..255 inputs give the 36 MetricsLab ADF files matched to those pairs bit for bit, 0..1 inputs the AUIF
 * table's row, EN 6.399, AG 2.988, SCD 1.605 as 40-pair means; the first is tested bit for bit in
 * test/methods/adf.test.ts.)
 *
 * The returned F is the 8-bit result divided by 255 (the authors' own rounding, so writing it
 * gives their bytes); `intermediates` adds A and D of both images and the raw F.
 */
import { checkMethodPair, bytesToUnit, matlabUint8, planeImage, toBytes } from './pair.js';
import { checkOptions, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo, type NamedMap } from './types.js';
import type { GreyImage } from '../io/image.js';

export const ADF_INFO: MethodInfo = {
  name: 'adf',
  title: 'ADF',
  citation: 'Bavirisetti, Dhuli: Fusion of Infrared and Visible Sensor Images Based on Anisotropic Diffusion and Karhunen-Loeve Transform, IEEE Sensors Journal 16(1), 2016',
  family: 'classic',
  parameters: 0,
  minSide: 2,
  defaults: { scale: 'unit', iterations: 10, dt: 0.15, kappa: 30, conduction: 'exponential' },
};

export type AdfConduction = 'exponential' | 'quadratic';
export interface AdfOptions { iterations: number; dt: number; kappa: number; conduction: AdfConduction }

/**
 * Perona–Malik diffusion of a row-major float64 image (anisodiff2D): N steps of
 * x ← x + Δt·Σₙ wₙ c(∇ₙx) ∇ₙx with the 8 neighbours in the authors' order (N, S, W, E, NE, SE,
 * SW, NW — as their `'conv'` masks address them) and zero outside the image.
 */
export function anisotropicDiffusion(I: Float64Array, width: number, height: number, o: AdfOptions): Float64Array {
  // Zero-padded grid (stride W2): a neighbour outside the image reads 0, as `imfilter` pads.
  const W2 = width + 2, H2 = height + 2, n2 = W2 * H2;
  const P = new Float64Array(n2);
  for (let r = 0; r < height; r++) P.set(I.subarray(r * width, (r + 1) * width), (r + 1) * W2 + 1);
  const dd = Math.sqrt(2);
  const wd = 1 / (dd * dd);
  const k = o.kappa;
  const exp = o.conduction === 'exponential';
  // Each edge's term f(g) = (wₙ·c(g))·g once: f(−g) = −f(g) exactly, so the opposite neighbour's
  // term is its negation (bit for bit the value the authors' 8 separate masks give).
  const tV = new Float64Array(n2), tH = new Float64Array(n2), tD1 = new Float64Array(n2), tD2 = new Float64Array(n2);
  const f = (g: number, w: number) => { const u = g / k; return (w * (exp ? Math.exp(-(u * u)) : 1 / (1 + u * u))) * g; };
  for (let t = 0; t < o.iterations; t++) {
    for (let i = 0; i + W2 + 1 < n2; i++) {
      const xp = P[i];
      tV[i] = f(P[i + W2] - xp, 1); // to (r+1, c)
      tH[i] = f(P[i + 1] - xp, 1); // to (r, c+1)
      tD1[i] = f(P[i + W2 - 1] - xp, wd); // to (r+1, c−1)
      tD2[i] = f(P[i + W2 + 1] - xp, wd); // to (r+1, c+1)
    }
    for (let r = 1; r <= height; r++) {
      for (let i = r * W2 + 1, e = r * W2 + width; i <= e; i++) {
        // The authors' order: N, S, W, E, NE, SE, SW, NW (their masks, flipped by 'conv').
        const s = tV[i] + -tV[i - W2] + tH[i] + -tH[i - 1] + tD1[i] + -tD2[i - W2 - 1] + -tD1[i - W2 + 1] + tD2[i];
        P[i] = P[i] + o.dt * s;
      }
    }
  }
  const x = new Float64Array(I.length);
  for (let r = 0; r < height; r++) x.set(P.subarray((r + 1) * W2 + 1, (r + 1) * W2 + 1 + width), r * width);
  return x;
}

/**
 * Karhunen–Loève weights of two detail layers: the eigenvector v of the larger eigenvalue of
 * their 2×2 covariance (normalised by n − 1), p = v / (v₁ + v₂). Sums in MATLAB's column-major
 * order of `D(:)`.
 */
export function klWeights(D1: Float64Array, D2: Float64Array, width: number, height: number): [number, number] {
  const n = D1.length;
  let s1 = 0, s2 = 0;
  for (let c = 0; c < width; c++) for (let r = 0; r < height; r++) { s1 += D1[r * width + c]; s2 += D2[r * width + c]; }
  const m1 = s1 / n, m2 = s2 / n;
  let a = 0, b = 0, d = 0;
  for (let c = 0; c < width; c++) {
    for (let r = 0; r < height; r++) {
      const u = D1[r * width + c] - m1;
      const v = D2[r * width + c] - m2;
      a += u * u; b += u * v; d += v * v;
    }
  }
  a /= n - 1; b /= n - 1; d /= n - 1;
  // Symmetric 2×2 eigenproblem: λ± = (a+d)/2 ± √(((a−d)/2)² + b²).
  const h = (a - d) / 2;
  const rad = Math.hypot(h, b);
  const lmax = (a + d) / 2 + rad;
  let v1: number, v2: number;
  if (rad === 0) { v1 = 1; v2 = 0; } // equal eigenvalues: LAPACK's first column (e₁)
  else if (a >= d) { v1 = lmax - d; v2 = b; } // the better-conditioned of the two forms
  else { v1 = b; v2 = lmax - a; }
  const sum = v1 + v2;
  return [v1 / sum, v2 / sum];
}

function parseOptions(opts: LoadOptions): { scale: 'unit' | 'byte' } & AdfOptions {
  checkOptions(ADF_INFO, opts, ['scale', 'iterations', 'dt', 'kappa', 'conduction']);
  if (opts.weights !== undefined) throw new MethodError('adf: has no weights (a classic method); drop --weights');
  const scale = (opts.scale ?? 'unit') as 'unit' | 'byte';
  if (scale !== 'unit' && scale !== 'byte') throw new MethodError(`adf: scale must be 'unit' (inputs /255, the AUIF paper) or 'byte' (0..255, the authors' files), got '${opts.scale}'`);
  const conduction = (opts.conduction ?? 'exponential') as AdfConduction;
  if (conduction !== 'exponential' && conduction !== 'quadratic') throw new MethodError(`adf: conduction must be exponential or quadratic, got '${opts.conduction}'`);
  const num = (k: 'iterations' | 'dt' | 'kappa', def: number, ok: (v: number) => boolean, what: string) => {
    const v = opts[k] === undefined ? def : Number(opts[k]);
    if (!Number.isFinite(v) || !ok(v)) throw new MethodError(`adf: ${k} must be ${what}, got '${opts[k]}'`);
    return v;
  };
  return {
    scale, conduction,
    iterations: num('iterations', 10, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer'),
    dt: num('dt', 0.15, (v) => v > 0, 'positive'),
    kappa: num('kappa', 30, (v) => v > 0, 'positive'),
  };
}

/** ADF fusion of one pair; returns the uint8 result, and the layers on request. */
export function adfFuse(ir: GreyImage, vis: GreyImage, o: { scale: 'unit' | 'byte' } & AdfOptions) {
  const { width, height } = ir;
  const s = o.scale === 'unit' ? 1 / 255 : 1;
  const load = (img: GreyImage) => { const v = toBytes(img); if (s !== 1) for (let i = 0; i < v.length; i++) v[i] /= 255; return v; };
  const I1 = load(ir), I2 = load(vis);
  const A1 = anisotropicDiffusion(I1, width, height, o);
  const A2 = anisotropicDiffusion(I2, width, height, o);
  const D1 = I1.map((v, i) => v - A1[i]);
  const D2 = I2.map((v, i) => v - A2[i]);
  const [p1, p2] = klWeights(D1, D2, width, height);
  const raw = new Float64Array(I1.length);
  const u8 = new Uint8Array(I1.length);
  for (let i = 0; i < raw.length; i++) {
    raw[i] = (p1 * D1[i] + p2 * D2[i]) + (0.5 * A1[i] + 0.5 * A2[i]);
    u8[i] = matlabUint8(o.scale === 'unit' ? raw[i] * 255 : raw[i]);
  }
  return { u8, raw, A1, A2, D1, D2, p: [p1, p2] as [number, number] };
}

/** ADF behind the method interface (see the module comment for the equations and options). */
export const adf: FusionMethod = {
  info: ADF_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    const o = parseOptions(opts);
    const info: MethodInfo = { ...ADF_INFO, defaults: { ...ADF_INFO.defaults } };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkMethodPair(info, ir, vis);
        const r = adfFuse(ir, vis, o);
        const F = bytesToUnit(r.u8, ir.width, ir.height);
        if (!call.intermediates) return { F };
        const [w, h] = [ir.width, ir.height];
        const maps: NamedMap[] = [
          { name: 'A_ir', image: planeImage(r.A1, w, h), description: 'base layer of the infrared image (anisotropic diffusion)' },
          { name: 'A_vis', image: planeImage(r.A2, w, h), description: 'base layer of the visible image' },
          { name: 'D_ir', image: planeImage(r.D1, w, h), description: 'detail layer I − A of the infrared image' },
          { name: 'D_vis', image: planeImage(r.D2, w, h), description: 'detail layer of the visible image' },
          { name: 'F_raw', image: planeImage(r.raw, w, h), description: `unrounded F (input scale ${o.scale}); KL weights p = ${r.p[0].toFixed(4)}, ${r.p[1].toFixed(4)}` },
        ];
        return { F, maps };
      },
      dispose() {},
    };
  },
};
