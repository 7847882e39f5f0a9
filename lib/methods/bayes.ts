/**
 * Bayesian fusion (BF) as a {@link FusionMethod} — Zhao, Xu, Zhang, Liu, Zhang, "Bayesian fusion
 * for infrared and visible images", Signal Processing 177 (2020) 107734; the authors' MATLAB
 * `BayesFusion.m` (Zhaozixiang1228/IVIF-Bayesian-Fusion) ported in `lib/bayes/`:
 *
 *   Y = U − V;  EM: E-step weights C, D, ρ, τ; M-step X ← (2C·Y + ρH)/(2C + 2D + ρ), H ← TV solve,
 *   F₁, F₂ ← soft(∇H, λ/ρ);   F = X + V                                   (lib/bayes/em.ts)
 *
 * Options (defaults as the authors set them): `rho` (initial ADMM penalty, 1), `lambda` (TV
 * weight, 0.5), `outer` (EM iterations, 15), `inner` (ADMM sweeps per M-step, 2). No weights.
 *
 * I/O as the authors' demo: an 8-bit input (every value k/255, as `readGrey` gives) is taken at
 * float64 k/255 (MATLAB `im2double`); other inputs at their float32 values. The returned F is
 * already quantised the way MATLAB writes the double result (`im2uint8`: clip to [0, 1], ×255,
 * round half away from zero; NaN → 0) and given back as q/255, so the project's writer
 * (`writeGreyPng`, round half to even of float32 255·x) writes exactly q: writing F reproduces
 * the authors' `imwrite`. The unquantised float64 F = X + V is the `F_raw` map (float32) of
 * `intermediates: true`, with Y, X, H, C, D, ρ, F₁, F₂.
 */
import type { GreyImage } from '../io/image.js';
import { BAYES_DEFAULTS, bayesFusion, type BayesParams, type BayesState } from '../bayes/em.js';
import { checkOptions, checkPairFor, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo, type NamedMap } from './types.js';

/**
 * Smallest image side: the 2-tap differences need two pixels per row and column (the authors'
 * code builds their OTFs with `psf2otf([1,−1], size)`, which MATLAB refuses for a side of 1).
 */
export const BAYES_MIN_SIDE = 2;

export const BAYES_INFO: MethodInfo = {
  name: 'bayes',
  title: 'BF',
  citation: 'Zhao, Xu, Zhang, Liu, Zhang: Bayesian fusion for infrared and visible images, Signal Processing 177 (2020) 107734',
  family: 'model-based',
  parameters: 0,
  minSide: BAYES_MIN_SIDE,
  defaults: { rho: BAYES_DEFAULTS.rho, lambda: BAYES_DEFAULTS.lambda, outer: BAYES_DEFAULTS.outer, inner: BAYES_DEFAULTS.inner },
};

const OPTION_KEYS = ['rho', 'lambda', 'outer', 'inner'] as const;
/** Largest iteration count accepted (a typo such as outer=150000 is refused rather than run for hours). */
const MAX_ITERATIONS = 10000;

function numberOption(key: string, v: string | number | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw new MethodError(`bayes: option '${key}' must be a number, got '${String(v)}'`);
  return x;
}

/** The options of `load()` checked and merged with the defaults; a clear {@link MethodError} otherwise. */
export function bayesParams(opts: LoadOptions = {}): BayesParams {
  checkOptions(BAYES_INFO, opts, OPTION_KEYS);
  if (opts.weights !== undefined) throw new MethodError(`bayes: BF has no weights; remove --weights ${String(opts.weights)}`);
  const p: BayesParams = { ...BAYES_DEFAULTS };
  const rho = numberOption('rho', opts.rho), lambda = numberOption('lambda', opts.lambda);
  const outer = numberOption('outer', opts.outer), inner = numberOption('inner', opts.inner);
  if (rho !== undefined) {
    if (!(rho > 0)) throw new MethodError(`bayes: option 'rho' must be > 0, got ${rho}`);
    p.rho = rho;
  }
  if (lambda !== undefined) {
    if (!(lambda >= 0)) throw new MethodError(`bayes: option 'lambda' must be ≥ 0, got ${lambda}`);
    p.lambda = lambda;
  }
  for (const [key, v] of [['outer', outer], ['inner', inner]] as const) {
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1 || v > MAX_ITERATIONS) throw new MethodError(`bayes: option '${key}' must be an integer from 1 to ${MAX_ITERATIONS}, got ${v}`);
    p[key] = v;
  }
  return p;
}

/**
 * A grey image as float64: k/255 exactly when every value is an 8-bit level (float32(k/255), as
 * `readGrey` stores it), like MATLAB's `im2double` of the 8-bit file; the float32 values otherwise.
 */
export function toFloat64Unit(img: GreyImage): Float64Array {
  const d = img.data;
  const out = new Float64Array(d.length);
  for (let k = 0; k < d.length; k++) {
    const q = Math.round(d[k] * 255);
    if (!(q >= 0 && q <= 255 && Math.fround(q / 255) === d[k])) return Float64Array.from(d);
    out[k] = q / 255;
  }
  return out;
}

/**
 * MATLAB `im2uint8` of a double image: q = round(255·clip(F, 0, 1)), halves away from zero
 * (F ≥ 0 here, so `Math.round` is that), NaN → 0.
 */
export function im2uint8(F: Float64Array): Uint8Array {
  const q = new Uint8Array(F.length);
  for (let k = 0; k < F.length; k++) {
    const v = F[k];
    q[k] = v >= 1 ? 255 : v > 0 ? Math.round(255 * v) : 0; // NaN fails both tests → 0
  }
  return q;
}

/** Checks one pair for BF: equal sizes, each side ≥ {@link BAYES_MIN_SIDE}; an `ImageError` naming the sizes. */
export function checkBayesPair(ir: { width: number; height: number }, vis: { width: number; height: number }, names = { ir: 'IR image', vis: 'VIS image' }): void {
  checkPairFor(BAYES_INFO, ir, vis, names);
}

function plane(width: number, height: number, a: Float64Array): GreyImage {
  return { width, height, data: Float32Array.from(a) };
}

function stateMaps(s: BayesState, Fraw: Float64Array): NamedMap[] {
  const { width: w, height: h } = s;
  return [
    { name: 'Y', image: plane(w, h, s.Y), description: 'Y = U − V, the regression target (IR minus VIS)' },
    { name: 'X', image: plane(w, h, s.X), description: 'X = F − V after the last sweep (the infrared information added to VIS)' },
    { name: 'H', image: plane(w, h, s.H), description: 'H, the TV-smoothed split copy of X (last H-step)' },
    { name: 'C', image: plane(w, h, s.C), description: `C, E-step weight of the fidelity |Y − X| (τ_a = ${s.tauA.toPrecision(6)})` },
    { name: 'D', image: plane(w, h, s.D), description: `D, E-step weight of the prior |X| (capped at 2C; τ_b = ${s.tauB.toPrecision(6)})` },
    { name: 'rho', image: plane(w, h, s.rho), description: 'ρ = (C + D)/2, the per-pixel ADMM penalty' },
    { name: 'F1', image: plane(w, h, s.F1), description: 'F₁ = soft(gₓ(H), λ/ρ), horizontal split variable' },
    { name: 'F2', image: plane(w, h, s.F2), description: 'F₂ = soft(g_y(H), λ/ρ), vertical split variable' },
    { name: 'F_raw', image: plane(w, h, Fraw), description: 'F = X + V before clipping and 8-bit rounding' },
  ];
}

/** BF behind the method interface; `load()` only checks the options (BF has no weights). */
export const bayes: FusionMethod = {
  info: BAYES_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    const params = bayesParams(opts);
    const info: MethodInfo = { ...BAYES_INFO, defaults: { rho: params.rho, lambda: params.lambda, outer: params.outer, inner: params.inner } };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkBayesPair(ir, vis);
        const { F: Fraw, state } = bayesFusion(toFloat64Unit(ir), toFloat64Unit(vis), ir.width, ir.height, params);
        const q = im2uint8(Fraw);
        const data = new Float32Array(q.length);
        for (let k = 0; k < q.length; k++) data[k] = Math.fround(q[k] / 255);
        const F: GreyImage = { width: ir.width, height: ir.height, data };
        return call.intermediates ? { F, maps: stateMaps(state, Fraw) } : { F };
      },
      dispose() { /* nothing held */ },
    };
  },
};
