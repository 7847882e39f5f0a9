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
 * both summed in float64. The addon is optional: when it is missing (no compiler at install
 * time) or disabled with AUIF_NATIVE=0, every layer runs through tfjs with the same results.
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
   * order, so the same bits as its JavaScript loops).
   */
  filterValid(src: Float64Array, w: number, h: number, k: Float64Array, out: Float64Array, tmp: Float64Array, step: number): void;
  /** Qabf's edge maps of a w×h float64 image (lib/metrics/qabf.ts): Sobel (zero border), g = √(gx² + gy²)·scale, a = atan(gy/gx) (π/2 where gx = 0). */
  qabfEdges(p: Float64Array, w: number, h: number, scale: number, g: Float64Array, a: Float64Array): void;
  /** Σ Q^{SF}·gS over the first n pixels (lib/metrics/qabf.ts), summed per fixed block of pixels. */
  qabfPreservation(gS: Float64Array, aS: Float64Array, gF: Float64Array, aF: Float64Array, n: number): number;
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
export function nativeStatus(): { available: boolean; reason: string; threads: number } {
  const k = nativeKernels();
  return { available: k !== null, reason: cached!.reason, threads: k ? k.setThreads(-1) : 0 };
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
