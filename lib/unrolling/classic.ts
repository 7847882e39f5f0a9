/**
 * The classic (not learned) iterative two-scale decomposition that AUIF unrolls (AUIF Sec. III):
 * plain gradient descent on two quadratic problems with fixed, hand-picked filters.
 *
 *   base:   min_B  θ/2 ‖B − I‖² + ½ Σ_c ‖g_c ∗ B‖²     g_c high-pass (∂x, ∂y) → B smooth, close to I
 *   detail: min_D  θ/2 ‖D − I‖² + ½ Σ_c ‖l_c ∗ D‖²     l_c low-pass (3×3 mean) → D without low frequencies
 *
 * The gradient of either objective is K̃∗(K∗x) − θ(I − x) (K the filters g or l, K̃ = rot180(K)ᵀ
 * their adjoint), so one step of size η is
 *
 *   xᵏ⁺¹ = xᵏ − η · ( K̃ ∗ (K ∗ xᵏ) − θ · (I − xᵏ) ),
 *
 * which is exactly one AUIF layer, xᵏ⁺¹ = xᵏ − ηₖ(PReLU(BN(K̃ₖ∗(Kₖ∗xᵏ))) − θₖ(I − xᵏ)), with
 * the learned parts switched off: fixed K, the same η and θ in every layer, BN the identity
 * (γ = 1, β = 0, μ̂ = 0, σ̂² = 1 − ε) and PReLU the identity (slope 1). {@link classicEncoder}
 * therefore builds an ordinary {@link EncoderParams}: the classic solver runs through the very same
 * `encode()` as the learned network, started from the same x⁰ (box blur for B, Laplacian for D).
 * Unrolling = learning Kₖ, ηₖ, θₖ (and BN, PReLU) per layer instead of fixing them.
 *
 * Convergence: the objective is θ-strongly convex with an L-Lipschitz gradient,
 * L = θ + max_ω Σ_c |Ĝ_c(ω)|² ({@link operatorNormBound}); any η < 2/L converges, the default
 * η = 1/L fastest for the slow modes. The error shrinks by a factor 1 − ηθ = 1 − 1/κ per step
 * in the slowest mode, κ = L/θ the condition number: hundreds of steps where the network has
 * ten layers. The limit solves (K̃K + θ)x* = θI: for the base, a low-pass of I (screened
 * Poisson smoothing); for the detail, a high-pass of I. (With the network's reflect padding in
 * both convolutions, K̃∗(K∗·) is the exact gradient of the prior only away from the border, so
 * near the limit {@link classicObjective} may creep up by ~1e-4 relative.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderKind, EncoderParams } from '../model/params.js';
import { BN_EPS } from '../nn/batchnorm.js';
import { initialEstimate } from '../model/encoder.js';
import { unrolledStep, type UnrolledLayerParams } from './step.js';

/** Settings of the classic solver for one encoder. */
export interface ClassicSettings {
  /** Fixed 3×3 filters (row-major, 9 values each). Default {@link defaultFilters}(kind). */
  filters?: Float32Array[];
  /** Fidelity weight θ > 0 (default: base 0.1, detail 0.02). */
  theta?: number;
  /** Step size η (default 1/L, see {@link stepSizeBound}). */
  eta?: number;
  /** Number of steps N (default 10, like the network). */
  steps?: number;
}

/** Forward differences ∂x, ∂y as 3×3 filters: the high-pass prior of the base problem. */
export function differenceFilters(): Float32Array[] {
  return [
    Float32Array.of(0, 0, 0, 0, -1, 1, 0, 0, 0),
    Float32Array.of(0, 0, 0, 0, -1, 0, 0, 1, 0),
  ];
}

/** The 3×3 mean filter: the low-pass prior of the detail problem. */
export function meanFilter(): Float32Array[] {
  return [new Float32Array(9).fill(1 / 9)];
}

/** The default fixed filters: {@link differenceFilters} for the base, {@link meanFilter} for the detail. */
export function defaultFilters(kind: EncoderKind): Float32Array[] {
  return kind === 'base' ? differenceFilters() : meanFilter();
}

/** Default fidelity weight θ of each problem (condition numbers κ = L/θ = 81 and 51). */
export const DEFAULT_THETA: Record<EncoderKind, number> = { base: 0.1, detail: 0.02 };

function checkFilters(filters: Float32Array[], where: string): void {
  if (filters.length === 0) throw new Error(`${where}: need at least one filter`);
  filters.forEach((f, c) => {
    if (f.length !== 9) throw new Error(`${where}: filter ${c} has ${f.length} values, expected 9 (3×3, row-major)`);
  });
}

/**
 * max_ω Σ_c |Ĝ_c(ω)|², the largest eigenvalue of K̃K (periodic boundary), evaluated on an
 * n×n frequency grid that contains 0 and π (exact for the default filters, whose maxima lie there).
 */
export function operatorNormBound(filters: Float32Array[], n = 64): number {
  checkFilters(filters, 'operatorNormBound');
  let best = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const wy = (2 * Math.PI * a) / n;
      const wx = (2 * Math.PI * b) / n;
      let s = 0;
      for (const f of filters) {
        let re = 0;
        let im = 0;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
          const ph = wy * (i - 1) + wx * (j - 1);
          re += f[i * 3 + j] * Math.cos(ph);
          im -= f[i * 3 + j] * Math.sin(ph);
        }
        s += re * re + im * im;
      }
      best = Math.max(best, s);
    }
  }
  return best;
}

/** L = θ + ‖K̃K‖: the Lipschitz constant of the gradient; η = 1/L is the default step. */
export function stepSizeBound(filters: Float32Array[], theta: number): number {
  return theta + operatorNormBound(filters);
}

/**
 * One classic layer as an {@link UnrolledLayerParams}: K = `filters` (C×1×3×3), the given η and
 * θ, BN the identity and PReLU the identity (slope 1). Identity up to float32 rounding of
 * 1/√(σ̂² + ε) (≈ 1e-7).
 */
export function classicLayer(filters: Float32Array[], eta: number, theta: number): UnrolledLayerParams {
  checkFilters(filters, 'classicLayer');
  const K = new Float32Array(filters.length * 9);
  filters.forEach((f, c) => K.set(f, c * 9));
  return {
    K: tf.tensor4d(K, [filters.length, 1, 3, 3]),
    eta: tf.tensor1d([eta]),
    theta: tf.tensor1d([theta]),
    bn: { gamma: tf.tensor1d([1]), beta: tf.tensor1d([0]), runningMean: tf.tensor1d([0]), runningVar: tf.tensor1d([1 - BN_EPS]), numBatchesTracked: 0n },
    alpha: tf.tensor1d([1]),
  };
}

/** The resolved settings (defaults filled in) of the classic solver for `kind`. */
export function classicSettings(kind: EncoderKind, s: ClassicSettings = {}): Required<ClassicSettings> {
  const filters = s.filters ?? defaultFilters(kind);
  checkFilters(filters, 'classicSettings');
  const theta = s.theta ?? DEFAULT_THETA[kind];
  if (!(theta > 0)) throw new Error(`classicSettings: θ must be > 0, got ${theta}`);
  const L = stepSizeBound(filters, theta);
  const eta = s.eta ?? 1 / L;
  if (!(eta > 0 && eta < 2 / L)) throw new Error(`classicSettings: η = ${eta} does not converge; need 0 < η < 2/L = ${(2 / L).toFixed(4)}`);
  const steps = s.steps ?? 10;
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`classicSettings: steps must be a non-negative integer, got ${steps}`);
  return { filters, theta, eta, steps };
}

/**
 * The classic solver as encoder parameters: N identical {@link classicLayer}s. Run it with the
 * network's own `encode(I, classicEncoder('base'), { keepIntermediate: true })`.
 */
export function classicEncoder(kind: EncoderKind, settings: ClassicSettings = {}): EncoderParams {
  const s = classicSettings(kind, settings);
  return { kind, layers: Array.from({ length: s.steps }, () => classicLayer(s.filters, s.eta, s.theta)) };
}

/**
 * Runs the classic solver for `settings.steps` steps (any number, e.g. 300 to approach the
 * minimiser) from the network's x⁰, calling `onStep(k, xᵏ)` for k = 0 … N (xᵏ is disposed
 * after the call; copy what you keep). Returns xᴺ (the caller disposes it).
 * @param I source images, NHWC [n, h, w, 1]
 */
export function classicSolve(I: tf.Tensor4D, kind: EncoderKind, settings: ClassicSettings = {}, onStep?: (k: number, x: tf.Tensor4D) => void): tf.Tensor4D {
  const s = classicSettings(kind, settings);
  const layer = classicLayer(s.filters, s.eta, s.theta);
  try {
    let x = initialEstimate(I, kind);
    onStep?.(0, x);
    for (let k = 1; k <= s.steps; k++) {
      const next = unrolledStep(x, I, layer);
      x.dispose();
      x = next;
      onStep?.(k, x);
    }
    return x;
  } finally {
    disposeClassicEncoder({ kind, layers: [layer] });
  }
}

/** Frees the tensors of a classic encoder. */
export function disposeClassicEncoder(enc: EncoderParams): void {
  for (const l of enc.layers) tf.dispose([l.K, l.eta, l.theta, l.alpha, l.bn.gamma, l.bn.beta, l.bn.runningMean, l.bn.runningVar]);
}

/** Mirror index without edge repeat (reflect padding). */
function reflect(i: number, n: number): number {
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

/**
 * The objective θ/2 ‖x − I‖² + ½ Σ_c ‖g_c ⋆ pad₁(x)‖² of one image (h × w, row-major), with the
 * reflect padding the network uses; values per pixel (divided by h·w) so sizes compare.
 */
export function classicObjective(x: Float32Array, I: Float32Array, h: number, w: number, filters: Float32Array[], theta: number): number {
  checkFilters(filters, 'classicObjective');
  if (x.length !== h * w || I.length !== h * w) throw new Error(`classicObjective: x has ${x.length} and I ${I.length} values for ${h}×${w}`);
  let fid = 0;
  for (let q = 0; q < x.length; q++) fid += (x[q] - I[q]) ** 2;
  const wp = w + 2;
  const xp = new Float32Array((h + 2) * wp);
  for (let r = -1; r <= h; r++) for (let c = -1; c <= w; c++) xp[(r + 1) * wp + c + 1] = x[reflect(r, h) * w + reflect(c, w)];
  let prior = 0;
  for (const f of filters) {
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const o = r * wp + c;
        const s = f[0] * xp[o] + f[1] * xp[o + 1] + f[2] * xp[o + 2]
          + f[3] * xp[o + wp] + f[4] * xp[o + wp + 1] + f[5] * xp[o + wp + 2]
          + f[6] * xp[o + 2 * wp] + f[7] * xp[o + 2 * wp + 1] + f[8] * xp[o + 2 * wp + 2];
        prior += s * s;
      }
    }
  }
  return (0.5 * theta * fid + 0.5 * prior) / (h * w);
}
