/**
 * Bayesian fusion (BF) — Zhao, Xu, Zhang, Liu, Zhang, "Bayesian fusion for infrared and visible
 * images", Signal Processing 177 (2020) 107734 — its EM iterations as the authors' MATLAB
 * (`BayesFusion.m`, Zhaozixiang1228/IVIF-Bayesian-Fusion @ 76df0c7) runs them, in float64.
 *
 * With U (infrared) and V (visible) in [0, 1], the regression target is Y = U − V and the unknown
 * X = F − V. The model: an l1-type fidelity of X to Y, an l1-type pull of X towards 0 and a TV
 * penalty λ‖∇X‖₁; the E-step turns the two l1 terms into re-weighted quadratics with per-pixel
 * weights C and D, the M-step solves the weighted TV problem by a few ADMM sweeps (split
 * variables H = X, F₁ ≈ ∇ₓH, F₂ ≈ ∇_yH, penalty ρ):
 *
 *   M-step, `inner` times:
 *     X  ← (2C·Y + ρ·H) / (2C + 2D + ρ)                                   (per pixel)
 *     H  ← (I + K₁ᵀK₁ + K₂ᵀK₂)⁻¹ (X + K₁ᵀF₁ + K₂ᵀF₂)                      (tv_solve.ts)
 *     F₁ ← soft(gₓ(H), λ/ρ),  F₂ ← soft(g_y(H), λ/ρ),  soft(x, t) = sign(x)·max(|x| − t, 0)
 *   E-step:
 *     D ← √((2/τ_b) / (X² + 1e-6)),   C ← √((2/τ_a) / (Y − X + 1e-6)²),   D ← min(D, 2C)
 *     ρ ← (C + D)/2                                                        (a per-pixel map from now on)
 *     τ_b ← mean(1/(D + 1e-6) + τ_b/2),   τ_a ← mean(1/(C + 1e-6) + τ_a/2)
 *   F = X + V                                                             (X of the last sweep)
 *
 * Start: C = D = 1, H = F₁ = F₂ = 0, ρ = 1, τ_a = τ_b = 1; defaults λ = 0.5, 15 outer × 2 inner
 * iterations, a fixed count (no convergence test). The quirks are the authors' and kept: the two
 * difference operators with opposite signs and borders (differences.ts), the 1e-6 inside the
 * square for C but outside it for D, and the order of every floating-point operation as written
 * above (so that the rounding matches MATLAB's to the last bits where it can).
 */
import { TvSolver } from './tv_solve.js';

/** BF's parameters; defaults {@link BAYES_DEFAULTS} as the authors set them inside `BayesFusion.m`. */
export interface BayesParams {
  /** Initial ADMM penalty ρ (a scalar only until the first E-step). */
  rho: number;
  /** Weight λ of the TV penalty (soft threshold λ/ρ). */
  lambda: number;
  /** Outer EM iterations (`MaxIter`). */
  outer: number;
  /** ADMM sweeps per M-step (`NumIter`). */
  inner: number;
  /** Initial τ_a, τ_b (hyper-parameters of the Laplacian-type priors on Y − X and on X). */
  tauA: number;
  tauB: number;
}

export const BAYES_DEFAULTS: Readonly<BayesParams> = { rho: 1, lambda: 0.5, outer: 15, inner: 2, tauA: 1, tauB: 1 };

/** Every map of the iteration, as they stand after the last step run (row-major H×W). */
export interface BayesState {
  width: number;
  height: number;
  Y: Float64Array;
  X: Float64Array;
  H: Float64Array;
  F1: Float64Array;
  F2: Float64Array;
  C: Float64Array;
  D: Float64Array;
  /** ρ per pixel (filled with the initial scalar until the first E-step). */
  rho: Float64Array;
  tauA: number;
  tauB: number;
}

/** The initial state: Y = U − V, C = D = 1, H = F₁ = F₂ = X = 0, ρ = ρ₀, τ = τ₀. */
export function initialState(U: Float64Array, V: Float64Array, width: number, height: number, p: BayesParams = BAYES_DEFAULTS): BayesState {
  const n = width * height;
  if (U.length !== n || V.length !== n) throw new RangeError(`bayes: U and V must both have ${width}×${height} = ${n} samples, got ${U.length} and ${V.length}`);
  const Y = new Float64Array(n);
  for (let k = 0; k < n; k++) Y[k] = U[k] - V[k];
  return {
    width, height, Y,
    X: new Float64Array(n), H: new Float64Array(n), F1: new Float64Array(n), F2: new Float64Array(n),
    C: new Float64Array(n).fill(1), D: new Float64Array(n).fill(1), rho: new Float64Array(n).fill(p.rho),
    tauA: p.tauA, tauB: p.tauB,
  };
}

/** Work arrays of the M-step: per-pixel terms that stay fixed while C, D, ρ do. */
export interface MStepWork {
  /** 2C·Y. */
  num: Float64Array;
  /** 2C + 2D + ρ. */
  den: Float64Array;
  /** λ/ρ. */
  thr: Float64Array;
  /** The H-step's right-hand side. */
  rhs: Float64Array;
}

export function mStepWork(n: number): MStepWork {
  return { num: new Float64Array(n), den: new Float64Array(n), thr: new Float64Array(n), rhs: new Float64Array(n) };
}

/**
 * The M-step: `inner` ADMM sweeps, in place, each X ← (2C·Y + ρ·H)/(2C + 2D + ρ); H ← the TV
 * solve; F₁ ← soft(gₓ(H), λ/ρ), F₂ ← soft(g_y(H), λ/ρ). The terms 2C·Y, 2C + 2D + ρ and λ/ρ are
 * formed once per M-step (the same floating-point operations as MATLAB forms them in every
 * sweep). Each sweep is two passes over the image around the solve: X with the solve's
 * right-hand side X + K₁ᵀF₁ + K₂ᵀF₂ (which needs X only at the same pixel), then both split
 * variables from the new H.
 */
export function mStep(s: BayesState, lambda: number, inner: number, solver: TvSolver, work: MStepWork = mStepWork(s.X.length)): void {
  const { Y, X, H, C, D, rho, F1, F2, width: W, height: Hh } = s;
  const { num, den, thr, rhs } = work;
  const n = X.length;
  for (let k = 0; k < n; k++) {
    const c2 = 2 * C[k];
    num[k] = c2 * Y[k];
    den[k] = c2 + 2 * D[k] + rho[k];
    thr[k] = lambda / rho[k];
  }
  for (let sweep = 0; sweep < inner; sweep++) {
    for (let i = 0; i < Hh; i++) {
      const r = i * W, u = (i === 0 ? Hh - 1 : i - 1) * W;
      // (K₁ᵀF₁)(i,j) = F₁(i,j−1) − F₁(i,j), (K₂ᵀF₂)(i,j) = F₂(i−1,j) − F₂(i,j), circular
      let x = (num[r] + rho[r] * H[r]) / den[r];
      X[r] = x;
      rhs[r] = x + (F1[r + W - 1] - F1[r]) + (F2[u] - F2[r]);
      for (let j = 1; j < W; j++) {
        const k = r + j;
        x = (num[k] + rho[k] * H[k]) / den[k];
        X[k] = x;
        rhs[k] = x + (F1[k - 1] - F1[k]) + (F2[u + j] - F2[k]);
      }
    }
    solver.solveRhs(rhs, H);
    // imfilter(H, [1,−1]) and imfilter(H, [1;−1]): zero beyond the last column / row.
    for (let i = 0; i < Hh; i++) {
      const r = i * W, down = i === Hh - 1 ? 0 : W;
      for (let j = 0; j < W; j++) {
        const k = r + j, h = H[k], t = thr[k];
        const gx = j === W - 1 ? h : h - H[k + 1];
        const gy = down === 0 ? h : h - H[k + down];
        F1[k] = soft(gx, t);
        F2[k] = soft(gy, t);
      }
    }
  }
}

/** soft(g, t) = sign(g)·max(|g| − t, 0) (NaN stays NaN; the sign of a zero result is not kept). */
function soft(g: number, t: number): number {
  const a = Math.abs(g) - t;
  return a > 0 ? (g > 0 ? a : -a) : a <= 0 ? 0 : a;
}

/** One ADMM sweep of the M-step (see {@link mStep}). */
export function mStepSweep(s: BayesState, lambda: number, solver: TvSolver, work?: MStepWork): void {
  mStep(s, lambda, 1, solver, work);
}

/**
 * The E-step above: new C, D, ρ, τ_a, τ_b from the current X, in place. The means are summed in
 * row-major order, in the same pass (MATLAB's own summation order for `mean` is not documented
 * and not reproducible; summed column by column instead, as Octave does, the three published
 * examples came out the same, 0 pixels differing, when this was checked during the port).
 */
export function eStep(s: BayesState): void {
  const { X, Y, C, D, rho } = s;
  const n = X.length;
  const cb = 2 / s.tauB, ca = 2 / s.tauA, hb = s.tauB / 2, ha = s.tauA / 2;
  let sumB = 0, sumA = 0;
  for (let k = 0; k < n; k++) {
    const x = X[k];
    const r = Y[k] - x + 1e-6;
    const c = Math.sqrt(ca / (r * r));
    let d = Math.sqrt(cb / (x * x + 1e-6));
    if (d > 2 * c) d = 2 * c;
    C[k] = c; D[k] = d;
    rho[k] = 0.5 * (c + d);
    sumB += 1 / (d + 1e-6) + hb;
    sumA += 1 / (c + 1e-6) + ha;
  }
  s.tauB = sumB / n;
  s.tauA = sumA / n;
}

/**
 * Runs the EM iterations on U (infrared), V (visible) of `width`×`height` and returns
 * F = X + V (float64, not clipped) and the final state.
 */
export function bayesFusion(
  U: Float64Array, V: Float64Array, width: number, height: number, params: Partial<BayesParams> = {},
): { F: Float64Array; state: BayesState } {
  const p: BayesParams = { ...BAYES_DEFAULTS, ...params };
  const s = initialState(U, V, width, height, p);
  const solver = new TvSolver(width, height);
  const work = mStepWork(width * height);
  for (let it = 0; it < p.outer; it++) {
    mStep(s, p.lambda, p.inner, solver, work);
    eStep(s);
  }
  const F = new Float64Array(width * height);
  for (let k = 0; k < F.length; k++) F[k] = s.X[k] + V[k];
  return { F, state: s };
}
