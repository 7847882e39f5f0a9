/**
 * Convolutional basis pursuit denoising (CBPDN) by ADMM, solved in the DFT domain — the solver of
 * CSR (Liu et al., IEEE SPL 2016), SPORCO's `cbpdn` (B. Wohlberg, "Efficient algorithms for
 * convolutional sparse representations", IEEE TIP 25(1):301–315, 2016; residuals and adaptive ρ
 * after Wohlberg, "ADMM penalty parameter selection by residual balancing", arXiv:1704.06209;
 * Boyd et al., "Distributed optimization … ADMM", FnT ML 3(1), 2010, §3.3–3.4):
 *
 *   argmin_{x_m} ½‖Σ_m d_m ∗ x_m − s‖² + λ Σ_m ‖x_m‖₁            (∗: circular 2-D convolution)
 *
 * Split x = y; with scaled dual u, over-relaxation α and penalty ρ, iteration k:
 *
 *   X̂_m   = (b_m − conj(D̂_m)·(Σ_n D̂_n b_n)/(ρ + Σ_n |D̂_n|²)) / ρ,   b_m = conj(D̂_m)·Ŝ + ρ·FFT(y_m − u_m)
 *           (Sherman–Morrison solution of (D̂ᴴD̂ + ρI) X̂ = b per frequency; `solvedbi_sm`)
 *   x_r   = α·x + (1 − α)·y
 *   y     = sign(x_r + u)·max(0, |x_r + u| − λ/ρ)                     (soft threshold)
 *   u     = u + x_r − y
 *   r     = ‖x − y‖ / max(‖x‖, ‖y‖),   s = ‖y_prev − y‖ / ‖u‖           (normalised residuals)
 *   stop when r ≤ ε_pri and s ≤ ε_dua, ε = AbsStopTol·√N/(…) + RelStopTol, or after MaxMainIter;
 *   ρ update (k ≥ 2, every AutoRhoPeriod): τ = min(√(r/(s·ξ)) or its inverse if < 1, RhoScaling),
 *   ρ ← τρ, u ← u/τ if r > ξ·μ·s;   ρ ← ρ/τ, u ← τu if s > (μ/ξ)·r,   μ = RhoRsdlRatio,
 *   ξ = RhoRsdlTarget = 1 + 18.3^(log₁₀λ + 1).
 *
 * The filters enter the DFT zero-padded at the top-left corner (`fft2(D, H, W)`), as in SPORCO.
 * Returned: y (the split variable, after the threshold), as SPORCO returns it.
 *
 * **Precision.** The authors' dictionary is single precision, and MATLAB's mixed single/double
 * arithmetic is single: D̂, the right-hand sides, X, Y, U and the residual norms are all single in
 * the original. `precision: 'single'` (the default) stores every one of these arrays in float32
 * (rounded at the points the original stores them); the transforms themselves run in float64
 * (lib/fft), so the bits differ from FFTW's single-precision transforms — round-off, not method.
 * `precision: 'double'` keeps everything in float64.
 *
 * Memory layout: spectra are half spectra (real signals; lib/fft/rfft2.ts), map-major, and the
 * per-frequency solve runs over blocks of frequencies so that every map's slice stays in cache.
 *
 * **Native iteration.** Where the addon is built (native/csc_kernels.cc, lib/csc/native.ts), each
 * iteration's heavy part (X̂ to u and the residual sums; {@link jsStep} is the TypeScript one)
 * runs natively with the same operations in the same order and the TypeScript FFT plans' own
 * tables, so the result is bit-identical (test/csc/native.test.ts); the ρ logic stays here.
 * Our own implementation.
 */
import { RealFft2 } from '../fft/rfft2.js';
import { cscIsNative, cscKernels } from './native.js';

/** A dictionary of M filters of fh×fw, filter m row-major at `m·fh·fw + y·fw + x`. */
export interface ConvDictionary { count: number; fh: number; fw: number; filters: Float64Array }

/**
 * A MATLAB fh×fw×M array (column-major, `D(i, j, m)` at i + fh·(j + fw·m), as `dict.mat` stores
 * it) as a {@link ConvDictionary}: filter m's row i, column j = D(i, j, m).
 */
export function dictionaryFromColumnMajor(values: ArrayLike<number>, dims: readonly number[]): ConvDictionary {
  const [fh, fw, count = 1] = dims;
  if (dims.length > 3 || fh * fw * count !== values.length) throw new RangeError(`dictionary: dims ${dims.join('×')} for ${values.length} values`);
  const filters = new Float64Array(values.length);
  for (let m = 0; m < count; m++) for (let j = 0; j < fw; j++) for (let i = 0; i < fh; i++) filters[m * fh * fw + i * fw + j] = values[i + fh * (j + fw * m)];
  return { count, fh, fw, filters };
}

/** Options of {@link cbpdn}, SPORCO's names; defaults are SPORCO's, except as CSR sets them. */
export interface CbpdnOptions {
  /** MaxMainIter (SPORCO default 1000). */
  maxIter?: number;
  /** Initial ρ (SPORCO default 50λ + 1). */
  rho?: number;
  /** RelStopTol (SPORCO default 1e-4). */
  relStopTol?: number;
  /** AbsStopTol (default 0). */
  absStopTol?: number;
  /** AutoRho (default true), AutoRhoPeriod (1), RhoRsdlRatio (1.2), RhoScaling (100), AutoRhoScaling (true). */
  autoRho?: boolean;
  autoRhoPeriod?: number;
  rhoRsdlRatio?: number;
  rhoScaling?: number;
  autoRhoScaling?: boolean;
  /** RhoRsdlTarget (default 1 + 18.3^(log₁₀λ + 1) for the normalised residuals). */
  rhoRsdlTarget?: number;
  /** RelaxParam α (default 1.8). */
  relaxParam?: number;
  /** `single` (default: the original's arithmetic with the single-precision dictionary) or `double`. */
  precision?: 'single' | 'double';
  /**
   * The iteration in native code (native/csc_kernels.cc; the same bits as the TypeScript one):
   * default when the addon is built and AUIF_CSC_NATIVE is not 0; `false` forces TypeScript,
   * `true` requires native.
   */
  native?: boolean;
  /** Called after every iteration (k, r, s, ρ): progress bars and tests. */
  onIteration?: (k: number, r: number, s: number, rho: number) => void;
}

/** What {@link cbpdn} returns. */
export interface CbpdnResult {
  /** The coefficient maps y_m, map m row-major at `m·W·H` (float32 for `single`). */
  Y: Float32Array | Float64Array;
  /** Iterations run. */
  iterations: number;
  /** Final ρ, residuals r and s. */
  rho: number;
  r: number;
  s: number;
}

/** The resolved options (SPORCO defaults filled in). */
export function cbpdnDefaults(lambda: number, o: CbpdnOptions = {}) {
  return {
    maxIter: o.maxIter ?? 1000,
    rho: o.rho ?? 50 * lambda + 1,
    relStopTol: o.relStopTol ?? 1e-4,
    absStopTol: o.absStopTol ?? 0,
    autoRho: o.autoRho ?? true,
    autoRhoPeriod: o.autoRhoPeriod ?? 1,
    rhoRsdlRatio: o.rhoRsdlRatio ?? 1.2,
    rhoScaling: o.rhoScaling ?? 100,
    autoRhoScaling: o.autoRhoScaling ?? true,
    rhoRsdlTarget: o.rhoRsdlTarget ?? 1 + Math.pow(18.3, Math.log10(lambda) + 1),
    relaxParam: o.relaxParam ?? 1.8,
    precision: o.precision ?? 'single',
  };
}

/**
 * D̂_m = fft2(d_m, H, W) on the half spectrum, map-major (map m at `m·L`, L = spectrum length),
 * plus Σ_m |D̂_m|² per frequency. With `single`, D̂ is rounded to float32 (the original transforms
 * the single dictionary in single).
 */
export function dictionarySpectra(dict: ConvDictionary, fft: RealFft2, single: boolean) {
  const { count: M, fh, fw } = dict;
  const { width: W, height: H } = fft;
  if (fh > H || fw > W) throw new RangeError(`dictionary filters of ${fh}×${fw} are larger than the ${W}×${H} image`);
  const L = fft.spectrumLength;
  const Arr = single ? Float32Array : Float64Array;
  const Dr = new Arr(L * M), Di = new Arr(L * M);
  const f = new Float64Array(W * H), re = new Float64Array(L), im = new Float64Array(L);
  for (let m = 0; m < M; m++) {
    f.fill(0);
    for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) f[y * W + x] = dict.filters[m * fh * fw + y * fw + x];
    fft.forward(f, re, im);
    Dr.set(re, m * L); Di.set(im, m * L);
  }
  const norm2 = new Float64Array(L);
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < L; j++) { const r = Dr[m * L + j], i = Di[m * L + j]; norm2[j] += r * r + i * i; }
  }
  if (single) for (let j = 0; j < L; j++) norm2[j] = Math.fround(norm2[j]);
  return { Dr, Di, norm2 };
}

/** Frequencies per block of the per-frequency solve (the M maps' slices of a block stay in cache). */
const BLOCK = 512;

/**
 * CBPDN of the image `S` (row-major W×H, float64) with dictionary `dict` and weight λ, by the
 * ADMM of the module comment. Deterministic; single-threaded (run one image per worker for
 * parallelism: lib/csc/parallel.ts).
 */
export function cbpdn(dict: ConvDictionary, S: Float64Array, width: number, height: number, lambda: number, options: CbpdnOptions = {}): CbpdnResult {
  const o = cbpdnDefaults(lambda, options);
  const N = width * height, M = dict.count;
  if (S.length !== N) throw new RangeError(`cbpdn: ${S.length} samples for a ${width}×${height} image`);
  const single = o.precision === 'single';
  const fr: (x: number) => number = single ? Math.fround : (x) => x;
  const Arr = single ? Float32Array : Float64Array;
  const fft = new RealFft2(width, height);
  const L = fft.spectrumLength;
  const { Dr, Di, norm2 } = dictionarySpectra(dict, fft, single);
  // Ŝ (double in the original; multiplied by the single D̂, conj(D̂)·Ŝ is single).
  const Sr = new Float64Array(L), Si = new Float64Array(L);
  fft.forward(S, Sr, Si);
  const Y = new Arr(M * N), U = new Arr(M * N);
  let rho = o.rho;
  const alpha = fr(o.relaxParam), oneMinusAlpha = fr(1 - o.relaxParam);
  const step = useNative(options.native)
    ? nativeStep(single, fft, M, Y, U, Dr, Di, norm2, Sr, Si, alpha, oneMinusAlpha)
    : jsStep(single, fft, M, Y, U, Dr, Di, norm2, Sr, Si, alpha, oneMinusAlpha);
  const Nx = M * N;
  let r = Infinity, s = Infinity, epri = 0, edua = 0;
  // U ← U/rsf of the previous iteration's ρ update, applied by the next step before U is read.
  let rsf = 1;
  let k = 1;
  for (; k <= o.maxIter && (r > epri || s > edua); k++) {
    const thr = fr(lambda / rho);
    const [nX, nY, nU, dXY, dY] = step(k === 1, rho, thr, rsf);
    rsf = 1;
    const nXn = fr(Math.sqrt(nX)), nYn = fr(Math.sqrt(nY)), nUn = fr(Math.sqrt(nU));
    const mx = Math.max(nXn, nYn);
    r = fr(fr(Math.sqrt(dXY)) / mx);
    s = fr(fr(Math.sqrt(dY)) / nUn);
    epri = fr(Math.sqrt(Nx) * o.absStopTol / mx + o.relStopTol);
    edua = fr(Math.sqrt(Nx) * o.absStopTol / (rho * nUn) + o.relStopTol);
    if (o.autoRho && k !== 1 && k % o.autoRhoPeriod === 0) {
      const xi = o.rhoRsdlTarget, mu = o.rhoRsdlRatio;
      let tau: number;
      if (o.autoRhoScaling) {
        tau = fr(Math.sqrt(r / (s * xi)));
        if (tau < 1) tau = fr(1 / tau);
        if (tau > o.rhoScaling) tau = o.rhoScaling;
      } else tau = o.rhoScaling;
      if (r > xi * mu * s) rsf = tau;
      if (s > (mu / xi) * r) rsf = fr(1 / tau);
      if (rsf !== 1) rho = fr(rsf * rho);
    }
    options.onIteration?.(k, r, s, rho);
  }
  return { Y, iterations: k - 1, rho, r, s };
}

/**
 * One ADMM iteration's heavy part (the module comment, X̂ to u): `(first, ρ, λ/ρ, rsf)` →
 * [‖x‖², ‖y‖², ‖u‖², ‖x − y‖², ‖y_prev − y‖²]; U is first divided by rsf when rsf ≠ 1 (the
 * previous iteration's ρ update); `first`: y = u = 0, so FFT(y − u) = 0.
 */
type Step = (first: boolean, rho: number, thr: number, rsf: number) => [number, number, number, number, number];
type Store = Float32Array | Float64Array;

/** Whether the native iteration runs: `native` option (default: when the addon is there), AUIF_CSC_NATIVE=0 forces TypeScript. */
function useNative(want: boolean | undefined): boolean {
  if (want === false) return false;
  const ok = cscIsNative();
  if (want === true && !ok) throw new Error(`cbpdn: native iteration requested but unavailable (${process.env.AUIF_CSC_NATIVE === '0' ? 'AUIF_CSC_NATIVE=0' : cscKernels().reason})`);
  return ok;
}

/** The iteration in native code (native/csc_kernels.cc): the same operations as {@link jsStep}, the same bits. */
function nativeStep(single: boolean, fft: RealFft2, M: number, Y: Store, U: Store, Dr: Store, Di: Store, norm2: Float64Array,
  Sr: Float64Array, Si: Float64Array, alpha: number, oneMinusAlpha: number): Step {
  const k = cscKernels().k!;
  const L = fft.spectrumLength;
  const Arr = single ? Float32Array : Float64Array;
  const Br = new Arr(L * M), Bi = new Arr(L * M);
  const rowPlan = fft.rows.pack(), colPlan = fft.cols.pack();
  const params = new Float64Array(6), sums = new Float64Array(5);
  return (first, rho, thr, rsf) => {
    params.set([rho, alpha, oneMinusAlpha, thr, rsf, first ? 1 : 0]);
    k.cbpdnStep(single, fft.width, fft.height, M, rowPlan, colPlan, Y, U, Br, Bi, Dr, Di, norm2, Sr, Si, params, sums);
    return [sums[0], sums[1], sums[2], sums[3], sums[4]];
  };
}

/** The iteration in TypeScript. */
function jsStep(single: boolean, fft: RealFft2, M: number, Y: Store, U: Store, Dr: Store, Di: Store, norm2: Float64Array,
  Sr: Float64Array, Si: Float64Array, alpha: number, oneMinusAlpha: number): Step {
  const fr: (x: number) => number = single ? Math.fround : (x) => x;
  const N = fft.width * fft.height, L = fft.spectrumLength;
  const f = new Float64Array(N);
  // FFT(y_m − u_m), then b_m, then X̂_m, map-major; the transforms write into the maps' slices.
  const Br = new Float64Array(L * M), Bi = new Float64Array(L * M);
  const cR = new Float64Array(BLOCK), cI = new Float64Array(BLOCK);
  return (first, rho, thr, rsf) => {
    if (rsf !== 1) for (let i = 0; i < U.length; i++) U[i] = U[i] / rsf;
    // FFT(y_m − u_m) (zero in the first iteration: y = u = 0)
    for (let m = 0; m < M; m++) {
      const off = m * N, sr = Br.subarray(m * L, (m + 1) * L), si = Bi.subarray(m * L, (m + 1) * L);
      if (first) { sr.fill(0); si.fill(0); continue; }
      for (let i = 0; i < N; i++) f[i] = fr(Y[off + i] - U[off + i]);
      fft.forward(f, sr, si);
    }
    for (let j0 = 0; j0 < L; j0 += BLOCK) {
      const j1 = Math.min(L, j0 + BLOCK);
      cR.fill(0); cI.fill(0);
      // b_m = conj(D̂_m)·Ŝ + ρ·FFT(y_m − u_m), and Σ_m D̂_m b_m
      for (let m = 0; m < M; m++) {
        const o0 = m * L;
        for (let j = j0; j < j1; j++) {
          const q = o0 + j, dr = Dr[q], di = Di[q], sr = Sr[j], si = Si[j];
          const br = fr(fr(dr * sr + di * si) + fr(rho * fr(Br[q])));
          const bi = fr(fr(dr * si - di * sr) + fr(rho * fr(Bi[q])));
          Br[q] = br; Bi[q] = bi;
          cR[j - j0] += dr * br - di * bi; cI[j - j0] += dr * bi + di * br;
        }
      }
      for (let j = j0; j < j1; j++) {
        const den = norm2[j] + rho;
        cR[j - j0] = fr(cR[j - j0] / den); cI[j - j0] = fr(cI[j - j0] / den);
      }
      // X̂_m = (b_m − cb·conj(D̂_m)) / ρ
      for (let m = 0; m < M; m++) {
        const o0 = m * L;
        for (let j = j0; j < j1; j++) {
          const q = o0 + j, dr = Dr[q], di = Di[q], cr = cR[j - j0], ci = cI[j - j0];
          Br[q] = fr((Br[q] - fr(cr * dr + ci * di)) / rho);
          Bi[q] = fr((Bi[q] - fr(ci * dr - cr * di)) / rho);
        }
      }
    }
    // x = IFFT(X̂), relaxation, threshold, dual update, residual norms
    let nX = 0, nY = 0, nU = 0, dXY = 0, dY = 0;
    for (let m = 0; m < M; m++) {
      fft.inverse(Br.subarray(m * L, (m + 1) * L), Bi.subarray(m * L, (m + 1) * L), f);
      const off = m * N;
      for (let i = 0; i < N; i++) {
        const x = fr(f[i]), yp = Y[off + i];
        const xr = fr(fr(alpha * x) + fr(oneMinusAlpha * yp));
        const v = fr(xr + U[off + i]);
        const a = fr(Math.abs(v) - thr);
        const y = a > 0 ? (v < 0 ? -a : a) : 0;
        const u = fr(fr(U[off + i] + xr) - y);
        Y[off + i] = y; U[off + i] = u;
        nX += x * x; nY += y * y; nU += u * u;
        dXY += (x - y) * (x - y); dY += (yp - y) * (yp - y);
      }
    }
    return [nX, nY, nU, dXY, dY];
  };
}
