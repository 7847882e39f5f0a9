/**
 * The native CPU kernels (native/auif_kernels.cc, a Node-API addon built by `npm install` with
 * node-gyp). They compute exactly what the tfjs formulation computes — the operator of one
 * unrolled layer (AUIF Eqs. (5)–(9)) and the fixed x⁰ filters — but in one pass per layer,
 * SIMD-vectorised and spread over the CPU's cores:
 *
 *   A(x)[p] = Σ_d w[d]·x̄[p + d]                                 (interior, x̄ = reflectpad₂ x)
 *   A(x)[p] = Σ_{q,t} M[q][t]·x[r(r(p + q − 1) + t − 1)]         (outer ring, r = reflection)
 *   w[d] = Σ_c Σ_a k_c[a]·k_c[a + d],   M[q][t] = Σ_c k̃_c[q]·k_c[t],  k̃_c = rot180(k_c)
 *
 * both summed in float64 by the per-layer entry points (layerEval, the VJPs). The test phase
 * (fuseAuif, encodeAuif: native/fuse_kernels.cc) runs x⁰ and all layers as one line-buffer
 * pipeline per encoder, with the interior summed in float32 FMAs folded by w[d] = w[−d] (the
 * ring in float64), over exact tiles (lib/model/tiling.ts). The hot loops are chosen at run time:
 * AVX2/FMA where the CPU has them, else portable (same bits; AUIF_SIMD=0 forces portable).
 * The addon is optional: when it is missing (no compiler at install time) or disabled with
 * AUIF_NATIVE=0, every layer runs through tfjs with the same results (within the tests' bounds).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's entry points (all arrays row-major planes n × h × w; results written to `out`). */
export interface NativeKernels {
  /** out = kernel ⋆ reflectpad(x, k//2), PyTorch/oneDNN float32 rounding (fmaf per tap, row-major). */
  correlateReflect(x: Float32Array, n: number, h: number, w: number, kernel: Float32Array, k: number, out: Float32Array): void;
  /** out = A(x). */
  operatorForward(x: Float32Array, n: number, h: number, w: number, w5: Float64Array, M: Float64Array, out: Float32Array): void;
  /** out = x − η·(PReLU(BN(A(x))) − θ·(I − x)); coef = [bnA, bnB, α_PReLU, η, θ] (float32 arithmetic per op). */
  layerEval(x: Float32Array, n: number, h: number, w: number, w5: Float64Array, M: Float64Array, I: Float32Array, coef: Float32Array, out: Float32Array): void;
  /** out = Aᵀ g. */
  operatorVjpX(g: Float32Array, n: number, h: number, w: number, w5: Float64Array, M: Float64Array, out: Float32Array): void;
  /** dw5[d] = Σ_{p∈interior} g[p]·x̄[p+d];  dM[q][t] = Σ_{p∈ring} g[p]·x[r(r(p+q−1)+t−1)]. */
  operatorVjpW(g: Float32Array, n: number, h: number, w: number, x: Float32Array, dw5: Float64Array, dM: Float64Array): void;
  /** out = σ(BN(W ∗ reflectpad₁(B + D))); coef = [bnA, bnB] (the decoder, eval mode). */
  decoderEval(B: Float32Array, D: Float32Array, n: number, h: number, w: number, W: Float32Array, coef: Float32Array, out: Float32Array): void;
  /**
   * Separable 'valid' filtering of a w×h float64 image with an odd symmetric kernel, keeping every
   * `step`-th output row and column (lib/metrics/filters.ts `filterValid`: the same operation
   * order, so the same bits as its JavaScript loops). With `src2`, of the products src·src2.
   */
  filterValid(src: Float64Array, w: number, h: number, k: Float64Array, out: Float64Array, tmp: Float64Array, step: number, src2?: Float64Array): void;
  /** Qabf's edge maps of a w×h float64 image (lib/metrics/qabf.ts): Sobel (zero border), g = √(gx² + gy²)·scale, a = atan(gy/gx) (π/2 where gx = 0). */
  qabfEdges(p: Float64Array, w: number, h: number, scale: number, g: Float64Array, a: Float64Array): void;
  /** Σ Q^{SF}·gS over the first n pixels (lib/metrics/qabf.ts), summed per fixed block of pixels. */
  qabfPreservation(gS: Float64Array, aS: Float64Array, gF: Float64Array, aF: Float64Array, n: number): number;
  /**
   * Qabf of a w×h triplet in one sweep over rows (native/metrics_kernels.cc, lib/metrics/qabf.ts):
   * Σ(Q^{AF}gA + Q^{BF}gB)/Σ(gA + gB), 0 when the denominator is 0; `scale` multiplies the gradients.
   * Absent from addons built from older checkouts.
   */
  qabfTriplet?(A: Float64Array, B: Float64Array, F: Float64Array, w: number, h: number, scale: number): number;
  /**
   * {@link qabfTriplet} on a background thread: returns a job at once (A, B, F must not be written
   * until it is joined); `qabfTripletJoin(job)` waits and returns the value (once). Absent from older addons.
   */
  qabfTripletStart?(A: Float64Array, B: Float64Array, F: Float64Array, w: number, h: number, scale: number): unknown;
  qabfTripletJoin?(job: unknown): number;
  /**
   * The window sums of one VIF scale (kind 0, p1 = σ²_n; out[2j], out[2j+1] = Σ ln of VID/VIND's
   * factors) or of SSIM (kind 1, p1 = C1, p2 = C2; out[j] = Σ of the per-window ratio) or of one VIFF
   * scale (kind 2, exactly two sources, p1 = σ²_n; out[0], out[1] as kind 0 with VIFF's per-pixel
   * choice of the source with the smaller gain) of the
   * sources R[j] against D (all w×h), the maps filtered with the odd kernel k ('valid'), in one sweep
   * over rows (native/metrics_kernels.cc; lib/metrics/vif.ts, ssim.ts). Absent from older addons.
   */
  windowSums?(kind: number, D: Float64Array, R: Float64Array[], w: number, h: number, k: Float64Array, p1: number, p2: number, out: Float64Array): void;
  /**
   * The whole test phase (native/fuse_kernels.cc) on the output rectangles `rects` (r0, r1, c0, c1
   * per rectangle) of an h×w pair, into `out`: x⁰, the Lb base and Ld detail layers of IR and VIS,
   * the sum (average = 0) or average rule and the decoder. `layers`: (Lb + Ld)·106 values (w5, M
   * per layer, base first); `lc`: (Lb + Ld)·5 ([bnA, bnB, α, η, θ]); decCoef = [bnA, bnB].
   * Returns the receptive-field radius used as halo. Absent from addons built from older checkouts.
   */
  fuseAuif?(ir: Float32Array, vis: Float32Array, h: number, w: number, layers: Float64Array, lc: Float32Array, Lb: number, Ld: number,
    baseInit: Float32Array, detailInit: Float32Array, decW: Float32Array, decCoef: Float32Array, average: number, rects: Int32Array, out: Float32Array): number;
  /**
   * One encoder on the n planes of I with fuseAuif's arithmetic (x⁰, then L layers); out: xᴸ
   * (n·h·w) or, with keep = 1, x⁰ … xᴸ ((L + 1)·n·h·w, level-major). Absent from older addons.
   */
  encodeAuif?(I: Float32Array, n: number, h: number, w: number, layers: Float64Array, lc: Float32Array, L: number, init: Float32Array, keep: number, out: Float32Array): void;
  /** The instruction set of the hot loops: 'avx2+fma' (chosen at run time where the CPU has it) or 'portable'. */
  simdInfo?(): string;
  /** VIF's per-pixel sums of one scale for k sources (lib/metrics/vif.ts): out[2j], out[2j+1] = Σ ln(1 + g²σ²_R/(σ²_v + σ²_n)), Σ ln(1 + σ²_R/σ²_n). */
  vifSums(muD: Float64Array, dd: Float64Array, muR: Float64Array[], rr: Float64Array[], rd: Float64Array[], m: number, sigmaNsq: number, out: Float64Array): void;
  /** SSIM's per-window sums for k sources sharing B (lib/metrics/ssim.ts): out[j] = Σ SSIM ratio. */
  ssimSums(muB: Float64Array, bb: Float64Array, muA: Float64Array[], aa: Float64Array[], ab: Float64Array[], m: number, C1: number, C2: number, out: Float64Array): void;
  /** Threads per call (0: AUIF_THREADS or every core; negative: query only); returns the count in use. */
  setThreads(n: number): number;
  /** One train-mode forward and backward pass of the whole network (native/train_kernels.cc; lib/train/native_step.ts). */
  trainStep(inputs: TrainStepInputs, outputs: TrainStepOutputs): void;
}

/**
 * Inputs of {@link NativeKernels.trainStep}: a batch I of n planes h × w, the encoders' x⁰ (B⁰, D⁰),
 * and per unrolled layer (the base encoder's `layers`, then the detail encoder's) the operator
 * coefficients w (25) and M (81) of {@link operatorCoefficients} and coef = [η, θ, γ, β, α_PReLU];
 * dec = [W (9, row-major), γ, β] of the decoder; window = the 3×3 SSIM Gaussian; L = L_MSE + μ·L_SSIM.
 */
export interface TrainStepInputs {
  I: Float32Array; B0: Float32Array; D0: Float32Array;
  n: number; h: number; w: number; layers: number;
  w5: Float64Array; M: Float64Array; coef: Float32Array; dec: Float32Array; window: Float32Array;
  mu: number; threads: number;
}

/**
 * Outputs of {@link NativeKernels.trainStep} (all written): stats = [L, L_MSE, L_SSIM, then μ_B and
 * S = Σ(z − μ_B)² of every BN: base layers, detail layers, decoder]; ∂L/∂w, ∂L/∂M and
 * ∂L/∂[η, θ, γ, β, α] per layer; ∂L/∂[W, γ, β] of the decoder; recon = Î.
 */
export interface TrainStepOutputs {
  stats: Float64Array; dw5: Float64Array; dM: Float64Array; dcoef: Float64Array; ddec: Float64Array; recon: Float32Array;
}

let cached: { kernels: NativeKernels | null; reason: string } | undefined;

/** Where the built addon lives (build/Release beside package.json). */
export function nativeAddonPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url)); // lib/kernels or dist/kernels
  return path.resolve(here, '..', '..', 'build', 'Release', 'auif_kernels.node');
}

/** The native kernels, or null (with the reason in {@link nativeStatus}) when unavailable. */
export function nativeKernels(): NativeKernels | null {
  if (!cached) {
    const file = nativeAddonPath();
    if (process.env.AUIF_NATIVE === '0') cached = { kernels: null, reason: 'disabled by AUIF_NATIVE=0' };
    else if (!existsSync(file)) cached = { kernels: null, reason: `not built (${file} is missing; run \`npm run build:native\`, which needs a C++17 compiler)` };
    else {
      try {
        cached = { kernels: createRequire(import.meta.url)(file) as NativeKernels, reason: 'loaded' };
      } catch (e) {
        cached = { kernels: null, reason: `failed to load ${file}: ${(e as Error).message}` };
      }
    }
  }
  return cached.kernels;
}

/**
 * The addon's entry points `names` when the loaded build has all of them (an addon built from an
 * older checkout may lack newer ones), else null. For callers without tfjs tensors (the metrics).
 */
export function nativeEntries<K extends keyof NativeKernels>(...names: K[]): Pick<NativeKernels, K> | null {
  const k = nativeKernels();
  return k && names.every((n) => typeof k[n] === 'function') ? k : null;
}

/** The backends on which the native kernels are faster than tfjs's own (CPU backends). */
export const NATIVE_BACKENDS: readonly string[] = ['wasm', 'cpu'];

/**
 * The native kernels if they should run now: built and loaded, and the active tfjs backend is a
 * CPU one (on 'tensorflow' and GPU backends tfjs keeps the work); `force` skips the backend test.
 */
export function nativeEngine(force = false): NativeKernels | null {
  const k = nativeKernels();
  if (!k) {
    if (force) throw new Error(`the native kernels are unavailable: ${cached!.reason}`);
    return null;
  }
  return force || NATIVE_BACKENDS.includes(tf.getBackend()) ? k : null;
}

/** Whether the native kernels are in use, and why not. */
export function nativeStatus(): { available: boolean; reason: string; threads: number; simd?: string } {
  const k = nativeKernels();
  return { available: k !== null, reason: cached!.reason, threads: k ? k.setThreads(-1) : 0, simd: k?.simdInfo?.() };
}

/**
 * The coefficients of A for filters K (C×1×3×3, OIHW, row-major): the 5×5 autocorrelation w
 * and the 9×9 matrix M[q][t] = Σ_c K_c[8 − q]·K_c[t] (K̃_c[q] = K_c[8 − q]), in float64.
 */
export function operatorCoefficients(K: Float32Array): { w5: Float64Array; M: Float64Array } {
  const C = K.length / 9;
  if (!Number.isInteger(C) || C < 1) throw new Error(`operatorCoefficients: K has ${K.length} values, not C·9`);
  const w5 = new Float64Array(25);
  const M = new Float64Array(81);
  for (let c = 0; c < C; c++) {
    const o = c * 9;
    for (let q = 0; q < 9; q++) {
      const kq = K[o + 8 - q];
      for (let t = 0; t < 9; t++) M[q * 9 + t] += kq * K[o + t];
    }
    for (let ai = 0; ai < 3; ai++) for (let aj = 0; aj < 3; aj++) {
      const ka = K[o + ai * 3 + aj];
      for (let bi = 0; bi < 3; bi++) for (let bj = 0; bj < 3; bj++) w5[(bi - ai + 2) * 5 + (bj - aj + 2)] += ka * K[o + bi * 3 + bj];
    }
  }
  return { w5, M };
}

/**
 * ∂L/∂K from ∂L/∂w (5×5) and ∂L/∂M (9×9), the chain rule through {@link operatorCoefficients}:
 *   ∂L/∂k_c[b] += Σ_d s[d]·k_c[b + d],  s = ∂L/∂w + rot180(∂L/∂w)
 *   ∂L/∂K_c[8 − q] += Σ_t ∂L/∂M[q][t]·K_c[t],   ∂L/∂K_c[t] += Σ_q ∂L/∂M[q][t]·K_c[8 − q]
 */
export function coefficientsVjp(K: Float32Array, dw5: Float64Array, dM: Float64Array): Float32Array {
  const C = K.length / 9;
  const dK = new Float64Array(K.length);
  const s = new Float64Array(25);
  for (let d = 0; d < 25; d++) s[d] = dw5[d] + dw5[24 - d];
  for (let c = 0; c < C; c++) {
    const o = c * 9;
    for (let bi = 0; bi < 3; bi++) for (let bj = 0; bj < 3; bj++) {
      let acc = 0;
      for (let ai = 0; ai < 3; ai++) for (let aj = 0; aj < 3; aj++) acc += s[(ai - bi + 2) * 5 + (aj - bj + 2)] * K[o + ai * 3 + aj];
      dK[o + bi * 3 + bj] += acc;
    }
    for (let q = 0; q < 9; q++) for (let t = 0; t < 9; t++) {
      const g = dM[q * 9 + t];
      dK[o + 8 - q] += g * K[o + t];
      dK[o + t] += g * K[o + 8 - q];
    }
  }
  return Float32Array.from(dK);
}

/**
 * The multi-channel 3×3 convolution layer of `native/conv_kernels.cc` (a second addon, built
 * without -march=native: AVX2+FMA / AVX-512F variants chosen at run time, a portable one else):
 *
 *   out[o, p] (+)= act((b[o] + Σ_i Σ_t W[o, i, t]·pad₁(x)[i, p + t − 1])·scale[o] + shift[o])
 *
 * `inputs` are planar c × h × w arrays whose channels are concatenated in order; pad₁ is zero or
 * reflection padding; act 0 = identity, 1 = PReLU(alpha), 2 = tanh, 3 = sigmoid.
 */
export interface ConvKernels {
  conv3x3(inputs: Float32Array[], h: number, w: number, weight: Float32Array, bias: Float32Array, scale: Float32Array,
    shift: Float32Array, act: 0 | 1 | 2 | 3, alpha: number, reflect: boolean, out: Float32Array, accumulate: boolean): void;
  /** The instruction-set variant in use (`avx512`, `avx2`, `portable`) and the thread count. */
  convInfo(): { isa: string; threads: number };
  /** Forces a variant (tests); throws where the CPU lacks it. */
  setIsa(isa: 'portable' | 'avx2' | 'avx512'): void;
  /** As {@link NativeKernels.setThreads}. */
  setThreads(n: number): number;
}

let convCached: { kernels: ConvKernels | null; reason: string } | undefined;

/** The convolution addon if it should run now (built, AUIF_NATIVE ≠ 0, a CPU tfjs backend), else null. */
export function convEngine(force = false): ConvKernels | null {
  if (!convCached) {
    const file = path.join(path.dirname(nativeAddonPath()), 'conv_kernels.node');
    if (process.env.AUIF_NATIVE === '0') convCached = { kernels: null, reason: 'disabled by AUIF_NATIVE=0' };
    else if (!existsSync(file)) convCached = { kernels: null, reason: `not built (${file} is missing; run \`npm run build:native\`)` };
    else {
      try { convCached = { kernels: createRequire(import.meta.url)(file) as ConvKernels, reason: 'loaded' }; }
      catch (e) { convCached = { kernels: null, reason: `failed to load ${file}: ${(e as Error).message}` }; }
    }
  }
  const k = convCached.kernels;
  if (!k) {
    if (force) throw new Error(`the native convolution kernels are unavailable: ${convCached.reason}`);
    return null;
  }
  return force || NATIVE_BACKENDS.includes(tf.getBackend()) ? k : null;
}
