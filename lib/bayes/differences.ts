/**
 * The two first-difference operators of Bayesian fusion (Zhao, Xu, Zhang, Liu, Zhang, Signal Processing 177,
 * 2020, 107734; as the authors' `BayesFusion.m` builds them). They differ, and a port that
 * reproduces the published images must keep both as they are:
 *
 * - **Fourier version** (the quadratic H-step): circular forward differences,
 *     (K₁x)(i, j) = x(i, j+1) − x(i, j),   (K₂x)(i, j) = x(i+1, j) − x(i, j)   (indices mod W, H),
 *   the operators whose transfer functions are MATLAB's `psf2otf([1,−1])` and `psf2otf([1;−1])`:
 *   K̂₁(v) = e^{2πiv/W} − 1, K̂₂(u) = e^{2πiu/H} − 1. Their adjoints are
 *     (K₁ᵀf)(i, j) = f(i, j−1) − f(i, j),   (K₂ᵀf)(i, j) = f(i−1, j) − f(i, j).
 * - **Spatial version** (the split variables): MATLAB `imfilter(h, [1,−1])` and
 *   `imfilter(h, [1;−1])` — correlation, zero padding, same size:
 *     gₓ(i, j) = h(i, j) − h(i, j+1),  gₓ(i, W−1) = h(i, W−1);
 *     g_y(i, j) = h(i, j) − h(i+1, j),  g_y(H−1, j) = h(H−1, j).
 *   Inside the image this is −K₁h and −K₂h: the opposite sign, and a zero border, not a wrap.
 *
 * Images are row-major H×W `Float64Array`s, (i, j) = (row, column).
 */

/** gₓ = imfilter(h, [1,−1]) (correlation, zero padding): h(i,j) − h(i,j+1); last column h(i,W−1). */
export function imfilterDx(h: Float64Array, width: number, height: number, out: Float64Array = new Float64Array(h.length)): Float64Array {
  for (let i = 0; i < height; i++) {
    const r = i * width;
    for (let j = 0; j < width - 1; j++) out[r + j] = h[r + j] - h[r + j + 1];
    out[r + width - 1] = h[r + width - 1];
  }
  return out;
}

/** g_y = imfilter(h, [1;−1]) (correlation, zero padding): h(i,j) − h(i+1,j); last row h(H−1,j). */
export function imfilterDy(h: Float64Array, width: number, height: number, out: Float64Array = new Float64Array(h.length)): Float64Array {
  const last = (height - 1) * width;
  for (let p = 0; p < last; p++) out[p] = h[p] - h[p + width];
  for (let p = last; p < last + width; p++) out[p] = h[p];
  return out;
}

/** K₁x: the circular forward difference along rows, x(i, j+1) − x(i, j) (j+1 mod W). */
export function circularDx(x: Float64Array, width: number, height: number, out: Float64Array = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < height; i++) {
    const r = i * width;
    for (let j = 0; j < width; j++) out[r + j] = x[r + ((j + 1) % width)] - x[r + j];
  }
  return out;
}

/** K₂x: the circular forward difference along columns, x(i+1, j) − x(i, j) (i+1 mod H). */
export function circularDy(x: Float64Array, width: number, height: number, out: Float64Array = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < height; i++) {
    const r = i * width, d = ((i + 1) % height) * width;
    for (let j = 0; j < width; j++) out[r + j] = x[d + j] - x[r + j];
  }
  return out;
}

/**
 * R = X + K₁ᵀF₁ + K₂ᵀF₂, the right-hand side of the H-step, with
 * (K₁ᵀF₁)(i, j) = F₁(i, j−1) − F₁(i, j) and (K₂ᵀF₂)(i, j) = F₂(i−1, j) − F₂(i, j) (circular).
 * In the Fourier domain this is X̂ + conj(K̂₁)·F̂₁ + conj(K̂₂)·F̂₂, the authors' form.
 */
export function tvRightHandSide(X: Float64Array, F1: Float64Array, F2: Float64Array, width: number, height: number, out: Float64Array): Float64Array {
  for (let i = 0; i < height; i++) {
    const r = i * width, u = ((i + height - 1) % height) * width;
    for (let j = 0; j < width; j++) {
      const jl = j === 0 ? width - 1 : j - 1;
      out[r + j] = X[r + j] + (F1[r + jl] - F1[r + j]) + (F2[u + j] - F2[r + j]);
    }
  }
  return out;
}

/**
 * |K̂|² of psf2otf([1,−1]) at length n, per frequency k ≤ n/2: with K̂(k) = (cos θ − 1) + i·sin θ,
 * θ = 2πk/n, the modulus squared as `conj(otf).*otf` forms it, (cos θ − 1)² + sin² θ (= 2 − 2cos θ).
 */
export function differenceOtfSquared(n: number, k: number): number {
  const t = (2 * Math.PI * k) / n;
  const c = Math.cos(t) - 1, s = Math.sin(t);
  return c * c + s * s;
}
