/**
 * CSR — Y. Liu, X. Chen, R. K. Ward, Z. J. Wang, "Image Fusion With Convolutional Sparse
 * Representation", IEEE Signal Processing Letters 23(12):1882–1886, 2016. Ported (not copied)
 * from the authors' MATLAB package (`CSR_Fusion.m`, with SPORCO's `cbpdn` and `lowpass`, as
 * thfylsty/Classic-and-state-of-the-art-image-fusion-methods@5d9457d distributes it), with the
 * authors' dictionary `dict.mat` (32 filters of 8×8, single precision), staged at run time.
 *
 * For sources s_k = I_k/255 (k = 1: infrared, 2: visible — the package's order, `CSR_Fusion(IR, VIS)`):
 *
 * 1. Two-scale split, Tikhonov low-pass with the gradient, weight 5, 16-sample mirrored margin
 *    (lib/csc/lowpass.ts):  ŝ_k,l = ŝ_k / (1 + 5(|Ĝ_r|² + |Ĝ_c|²)),  s_k,h = s_k − s_k,l.
 * 2. Convolutional sparse coding of each detail layer (lib/csc/cbpdn.ts, ADMM in the DFT domain):
 *      {x_k,m} = argmin ½‖Σ_m d_m ∗ x_k,m − s_k,h‖² + λ Σ_m ‖x_k,m‖₁,   λ = 0.01,
 *    ρ₀ = 100λ + 0.5 = 1.5, RelStopTol 1e-3, ≤ 500 iterations, SPORCO's adaptive ρ and α = 1.8.
 * 3. Activity: A_k(p) = ‖x_k,1:M(p)‖₁ = Σ_m |x_k,m(p)|, averaged over a (2r+1)² window (zero
 *    outside the image; `imfilter`): Ā_k = A_k ⊛ 1/(2r+1)²;  r = 3 (`rule: 'multimodal'`, the
 *    paper's infrared/visible rule) or 9 (`rule: 'multifocus'`).
 * 4. Choose-max: x_f,m(p) = x_1,m(p) if Ā₁(p) > Ā₂(p), else x_2,m(p) (ties: image 2);
 *    s_f,h = Σ_m d_m ∗ x_f,m (circular, as in step 2).
 * 5. Base: s_f,l = (s_1,l + s_2,l)/2 (multimodal) or the choose-max map applied to s_k,l (multifocus).
 * 6. F = uint8(255·(s_f,l + s_f,h)) — MATLAB `uint8`: round half away from zero, saturate; no
 *    normalisation. The returned F is that byte image divided by 255.
 *
 * **Precision and parity.** The original's arithmetic after the single-precision dictionary enters
 * is single (see lib/csc/cbpdn.ts); `precision: 'single'` (the default) stores the same arrays in
 * float32, with float64 transforms (`precision: 'double'`: float64 throughout). Measured
 * (test/csc/cbpdn.test.ts, test/methods/csr.test.ts): on two TNO crops the authors' code (Octave)
 * and this port run the same number of ADMM iterations (97/102, 84/147), the coefficient maps
 * agree to ~2e-7 (|x| ≤ 0.04), the decision maps are identical, and 1 of 4 782 fused pixels
 * differs (by 1); on the package's published multi-focus result s01 (256×256) 2 of 65 536 pixels
 * differ, by 1 (the authors' code in Octave: 18). Exact bits cannot be had: FFTW's
 * single-precision transforms are not reproduced, and a pixel whose (base + detail)·255 lies
 * within round-off of a .5 boundary, or whose two windowed activities are within round-off of
 * each other, can come out differently.
 *
 * **Speed.** Each ADMM iteration is 64 real 2-D FFTs of the image size plus O(M·N) work; the
 * two images are coded on two worker threads (`threads`, default min(2, cores); lib/csc/parallel.ts).
 * Where the addon is built, the iteration runs natively (native/csc_kernels.cc via lib/csc/native.ts,
 * bit-identical to the TypeScript one, test/csc/native.test.ts; `AUIF_CSC_NATIVE=0` forces the
 * TypeScript path). Measured on 2026-12-02 on the shared 2-core machine at load 7–9, one run:
 * 0.38–0.43 s CPU per 768×576 iteration natively vs 0.86–1.1 s in TypeScript (×2.4–2.6), and a TNO
 * 768×576 pair 485 s vs 745 s wall (×1.54, wall inflated by the load). On the quiet machine
 * (load 1.0 → 1.6, same day, `node --import tsx scripts/bench_baselines.ts 1 --only csr`): TNO
 * IR1/VIS1 768×576 **47.4 s** wall natively vs 87.0 s with the TypeScript iteration (×1.83), within
 * the 60 s target. Sizes with a prime factor > 13
 * (s04: 632 = 8·79) go through Bluestein transforms and cost ~2–3× more per pixel (s04: 9 of
 * 313 472 pixels ±1 against the published result, 1426 s at load 7–11).
 */
import { cbpdnParallel, defaultThreads } from '../csc/parallel.js';
import { dictionaryFromColumnMajor, dictionarySpectra, type CbpdnOptions, type ConvDictionary } from '../csc/cbpdn.js';
import { tikhonovLowpass } from '../csc/lowpass.js';
import { RealFft2 } from '../fft/rfft2.js';
import { readMatVariable, MatFileError } from '../io/matfile.js';
import { stagedFile } from '../data/stage.js';
import { checkMethodPair, bytesToUnit, matlabUint8, planeImage, toBytes } from './pair.js';
import { checkOptions, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo, type NamedMap } from './types.js';
import type { GreyImage } from '../io/image.js';

/** The authors' dictionary in the classic collection (staged from `csr-data`). */
export const CSR_DICTIONARY = 'ConvSR_Image_Fusion_Codes/CSR_Fusion_Author/dict.mat';

export const CSR_INFO: MethodInfo = {
  name: 'csr',
  title: 'CSR',
  citation: 'Liu, Chen, Ward, Wang: Image Fusion With Convolutional Sparse Representation, IEEE Signal Processing Letters 23(12), 2016',
  family: 'model-based',
  parameters: 8 * 8 * 32,
  minSide: 8,
  defaults: { lambda: 0.01, rule: 'multimodal', maxIter: 500, rho: 1.5, relStopTol: 1e-3, lowpassLambda: 5, npad: 16, precision: 'single' },
};

export type CsrRule = 'multimodal' | 'multifocus';

export interface CsrOptions {
  lambda: number;
  rule: CsrRule;
  maxIter: number;
  rho: number;
  relStopTol: number;
  lowpassLambda: number;
  npad: number;
  precision: 'single' | 'double';
  threads: number;
}

/** The package's parameters (`CSR_Fusion.m`): λ = 0.01, ρ = 100λ + 0.5, 500 iterations, tol 1e-3. */
export function csrDefaults(over: Partial<CsrOptions> = {}): CsrOptions {
  const lambda = over.lambda ?? 0.01;
  return {
    lambda, rule: 'multimodal', maxIter: 500, rho: 100 * lambda + 0.5, relStopTol: 1e-3, lowpassLambda: 5, npad: 16,
    precision: 'single', threads: defaultThreads(), ...over,
  };
}

/** The dictionary of a MAT-file's variable `D` (fh×fw×M). */
export function readCsrDictionary(file: string): ConvDictionary {
  const v = readMatVariable(file, 'D');
  if (v.dims.length < 2 || v.dims.length > 3 || v.imag) throw new MatFileError(`${file}: 'D' is ${v.dims.join('×')}${v.imag ? ' complex' : ''}; expected a real fh×fw×M filter array`);
  return dictionaryFromColumnMajor(v.real, v.dims);
}

/** `imfilter(A, ones(n)/n², 'same')` with zero padding, n = 2r + 1 (a box mean). */
export function boxFilterZero(A: ArrayLike<number>, width: number, height: number, r: number): Float64Array {
  const n = 2 * r + 1, h = 1 / (n * n);
  const rows = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dx = Math.max(-r, -x); dx <= Math.min(r, width - 1 - x); dx++) s += A[y * width + x + dx];
      rows[y * width + x] = s;
    }
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dy = Math.max(-r, -y); dy <= Math.min(r, height - 1 - y); dy++) s += rows[(y + dy) * width + x];
      out[y * width + x] = s * h;
    }
  }
  return out;
}

/** Everything one CSR fusion computes. */
export interface CsrResult {
  u8: Uint8Array;
  low: [Float64Array, Float64Array];
  activity: [Float64Array, Float64Array];
  decision: Uint8Array;
  detail: Float64Array;
  iterations: [number, number];
}

/**
 * CSR fusion of two registered sources (img1, img2 as `CSR_Fusion(img1, img2, …)` takes them;
 * the method interface passes IR as img1), steps 1–6 of the module comment.
 */
export async function csrFuse(img1: GreyImage, img2: GreyImage, dict: ConvDictionary, o: CsrOptions): Promise<CsrResult> {
  const { width: W, height: H } = img1;
  const N = W * H, M = dict.count;
  const single = o.precision === 'single';
  const fr: (x: number) => number = single ? Math.fround : (x) => x;
  const s = [img1, img2].map((img) => { const b = toBytes(img); for (let i = 0; i < N; i++) b[i] /= 255; return b; });
  const parts = s.map((x) => tikhonovLowpass(x, W, H, o.lowpassLambda, o.npad));
  const options: Omit<CbpdnOptions, 'onIteration'> = { maxIter: o.maxIter, rho: o.rho, relStopTol: o.relStopTol, precision: o.precision };
  const [c1, c2] = await cbpdnParallel(parts.map((p) => ({ dict, S: p.high, width: W, height: H, lambda: o.lambda, options })), o.threads);
  // Activity A = Σ_m |x_m| (single sum in the original), window mean, choose-max.
  const activity = [c1.Y, c2.Y].map((Y) => {
    const A = new Float64Array(N);
    for (let m = 0; m < M; m++) for (let i = 0; i < N; i++) A[i] = fr(A[i] + Math.abs(Y[m * N + i]));
    const AA = boxFilterZero(A, W, H, o.rule === 'multifocus' ? 9 : 3);
    if (single) for (let i = 0; i < N; i++) AA[i] = Math.fround(AA[i]);
    return AA;
  }) as [Float64Array, Float64Array];
  const decision = new Uint8Array(N);
  for (let i = 0; i < N; i++) decision[i] = activity[0][i] > activity[1][i] ? 1 : 0;
  // Detail layer: s_h = Σ_m d_m ∗ x_f,m, by one spectrum accumulated over the maps.
  const fft = new RealFft2(W, H);
  const L = fft.spectrumLength;
  const { Dr, Di } = dictionarySpectra(dict, fft, single);
  const accR = new Float64Array(L), accI = new Float64Array(L);
  const re = new Float64Array(L), im = new Float64Array(L), f = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    for (let i = 0; i < N; i++) f[i] = (decision[i] ? c1.Y : c2.Y)[m * N + i];
    fft.forward(f, re, im);
    for (let j = 0; j < L; j++) {
      const dr = Dr[m * L + j], di = Di[m * L + j];
      accR[j] = fr(accR[j] + fr(dr * re[j] - di * im[j]));
      accI[j] = fr(accI[j] + fr(dr * im[j] + di * re[j]));
    }
  }
  const detail = new Float64Array(N);
  fft.inverse(accR, accI, detail);
  const [l1, l2] = [parts[0].low, parts[1].low];
  const u8 = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const base = o.rule === 'multifocus' ? (decision[i] ? l1[i] : l2[i]) : (l1[i] + l2[i]) / 2;
    const h = fr(detail[i]);
    detail[i] = h;
    // (base + detail)·255: single in the original (the double base meets the single detail).
    u8[i] = matlabUint8(fr(fr(fr(base) + h) * 255));
  }
  return { u8, low: [l1, l2], activity, decision, detail, iterations: [c1.iterations, c2.iterations] };
}

function parseOptions(opts: LoadOptions): CsrOptions {
  checkOptions(CSR_INFO, opts, ['lambda', 'rule', 'maxIter', 'rho', 'relStopTol', 'precision', 'threads']);
  const num = (k: string, ok: (v: number) => boolean, what: string): number | undefined => {
    if (opts[k] === undefined) return undefined;
    const v = Number(opts[k]);
    if (!Number.isFinite(v) || !ok(v)) throw new MethodError(`csr: ${k} must be ${what}, got '${opts[k]}'`);
    return v;
  };
  const over: Partial<CsrOptions> = {};
  const lambda = num('lambda', (v) => v > 0, 'a positive number');
  if (lambda !== undefined) over.lambda = lambda;
  const o = csrDefaults(over);
  const rule = opts.rule ?? 'multimodal';
  if (rule !== 'multimodal' && rule !== 'multifocus') throw new MethodError(`csr: rule must be 'multimodal' or 'multifocus', got '${rule}'`);
  o.rule = rule;
  const precision = opts.precision ?? 'single';
  if (precision !== 'single' && precision !== 'double') throw new MethodError(`csr: precision must be 'single' or 'double', got '${precision}'`);
  o.precision = precision;
  o.maxIter = num('maxIter', (v) => Number.isInteger(v) && v >= 1, 'a positive integer') ?? o.maxIter;
  o.rho = num('rho', (v) => v > 0, 'a positive number') ?? o.rho;
  o.relStopTol = num('relStopTol', (v) => v >= 0, 'a non-negative number') ?? o.relStopTol;
  o.threads = num('threads', (v) => Number.isInteger(v) && v >= 1, 'a positive integer') ?? o.threads;
  return o;
}

/** CSR behind the method interface (see the module comment); `weights` = another `dict.mat`. */
export const csr: FusionMethod = {
  info: CSR_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    const o = parseOptions(opts);
    const file = opts.weights ?? await stagedFile(CSR_DICTIONARY, 'classic-collection');
    const dict = readCsrDictionary(file);
    const info: MethodInfo = {
      ...CSR_INFO, parameters: dict.filters.length, minSide: Math.max(dict.fh, dict.fw),
      defaults: { ...CSR_INFO.defaults },
    };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkMethodPair(info, ir, vis);
        const r = await csrFuse(ir, vis, dict, o);
        const F = bytesToUnit(r.u8, ir.width, ir.height);
        if (!call.intermediates) return { F };
        const [w, h] = [ir.width, ir.height];
        const maps: NamedMap[] = [
          { name: 'base_ir', image: planeImage(r.low[0], w, h), description: 'Tikhonov low-pass (base) layer of the infrared image' },
          { name: 'base_vis', image: planeImage(r.low[1], w, h), description: 'base layer of the visible image' },
          { name: 'activity_ir', image: planeImage(r.activity[0], w, h), description: `windowed l1 norm of the infrared coefficient maps (${r.iterations[0]} ADMM iterations)` },
          { name: 'activity_vis', image: planeImage(r.activity[1], w, h), description: `windowed l1 norm of the visible coefficient maps (${r.iterations[1]} ADMM iterations)` },
          { name: 'decision', image: planeImage(r.decision, w, h), description: '1 where the infrared coefficients are chosen' },
          { name: 'detail', image: planeImage(r.detail, w, h), description: 'fused detail layer Σ d_m ∗ x_m' },
        ];
        return { F, maps };
      },
      dispose() {},
    };
  },
};
