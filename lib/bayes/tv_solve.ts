/**
 * The quadratic H-step of Bayesian fusion's M-step (Zhao et al., Signal Processing 2020; `prox_tv` of the
 * authors' `BayesFusion.m`):
 *
 *   H = argmin_H ‖H − X‖² + ‖K₁H − F₁‖² + ‖K₂H − F₂‖²
 *     ⇔ (I + K₁ᵀK₁ + K₂ᵀK₂) H = X + K₁ᵀF₁ + K₂ᵀF₂,
 *   Ĥ = (X̂ + conj(K̂₁)·F̂₁ + conj(K̂₂)·F̂₂) / (1 + |K̂₁|² + |K̂₂|²),   H = real(ifft2(Ĥ)),
 *
 * with the circular differences K₁, K₂ of `differences.ts` (unit weights; ρ does not enter). The
 * right-hand side is formed in the image domain (one forward transform instead of three, the
 * same quantity by linearity) and the division runs on the half spectrum of the real image.
 */
import { RealFft2 } from '../fft/rfft2.js';
import { differenceOtfSquared, tvRightHandSide } from './differences.js';

export class TvSolver {
  readonly width: number;
  readonly height: number;
  private readonly fft: RealFft2;
  /** 1 + |K̂₁(v)|² + |K̂₂(u)|² on the half spectrum (row-major H × (⌊W/2⌋+1)). */
  readonly denominator: Float64Array;
  private readonly rhs: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.fft = new RealFft2(width, height);
    const Wh = this.fft.halfWidth;
    this.denominator = new Float64Array(height * Wh);
    const k1 = Float64Array.from({ length: Wh }, (_, v) => differenceOtfSquared(width, v));
    for (let u = 0; u < height; u++) {
      const k2 = differenceOtfSquared(height, u);
      for (let v = 0; v < Wh; v++) this.denominator[u * Wh + v] = 1 + k1[v] + k2;
    }
    this.rhs = new Float64Array(width * height);
    this.re = new Float64Array(this.fft.spectrumLength);
    this.im = new Float64Array(this.fft.spectrumLength);
  }

  /** H = (I + K₁ᵀK₁ + K₂ᵀK₂)⁻¹ (X + K₁ᵀF₁ + K₂ᵀF₂), into `out`. */
  solve(X: Float64Array, F1: Float64Array, F2: Float64Array, out: Float64Array = new Float64Array(X.length)): Float64Array {
    const n = this.width * this.height;
    if (X.length !== n || F1.length !== n || F2.length !== n) {
      throw new RangeError(`TvSolver(${this.width}×${this.height}): X, F1, F2 of ${X.length}, ${F1.length}, ${F2.length} samples, expected ${n}`);
    }
    tvRightHandSide(X, F1, F2, this.width, this.height, this.rhs);
    return this.solveRhs(this.rhs, out);
  }

  /** H = (I + K₁ᵀK₁ + K₂ᵀK₂)⁻¹ R for a right-hand side R formed by the caller (R is kept). */
  solveRhs(R: Float64Array, out: Float64Array = new Float64Array(R.length)): Float64Array {
    const { width: W, height: H, re, im, denominator: den } = this;
    const n = W * H;
    if (R.length !== n || out.length !== n) throw new RangeError(`TvSolver(${W}×${H}): arrays of ${R.length}, ${out.length} samples, expected ${n}`);
    this.fft.solveDiagonal(R, den, re, im, out);
    return out;
  }
}
