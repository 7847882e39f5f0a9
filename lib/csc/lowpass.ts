/**
 * The two-scale split of CSR (Liu, Chen, Ward, Wang, "Image Fusion With Convolutional Sparse
 * Representation", IEEE SPL 23(12):1882–1886, 2016, §II-B step 1), as SPORCO's `lowpass`
 * (B. Wohlberg) computes it: a Tikhonov low-pass filter with the discrete gradient,
 *
 *   s_l = argmin_x ½‖x − s‖² + (λ/2)(‖g_r ∗ x‖² + ‖g_c ∗ x‖²),   g_r = [−1 1], g_c = [−1 1]ᵀ,
 *   ŝ_l = ŝ / (1 + λ(|Ĝ_r|² + |Ĝ_c|²)),   s_h = s − s_l,
 *
 * solved in the DFT domain on s padded by `npad` samples on every side with mirrored borders
 * (MATLAB `padarray(s, [npad npad], 'symmetric')`: the border sample is repeated), the filters
 * zero-padded at the top-left (`fft2(g, H + 2npad, W + 2npad)`), and the margin cropped off again.
 * CSR uses λ = 5, npad = 16. |Ĝ_r(v)|² is evaluated as (cos θ − 1)² + sin²θ, θ = 2πv/W', the
 * product conj(Ĝ)·Ĝ the original forms. Our own implementation, in float64 as the original.
 */
import { unitRoot } from '../fft/fft.js';
import { RealFft2 } from '../fft/rfft2.js';

/** MATLAB `padarray(s, [p p], 'symmetric', 'both')` of a row-major W×H image: (W+2p)×(H+2p). */
export function padSymmetric(s: Float64Array, width: number, height: number, p: number): Float64Array {
  const Wp = width + 2 * p, Hp = height + 2 * p;
  const out = new Float64Array(Wp * Hp);
  // Mirror index with the border repeated: …, 1, 0 | 0, 1, …, n−1 | n−1, n−2, … (periodic in 2n).
  const mirror = (i: number, n: number) => {
    let k = ((i % (2 * n)) + 2 * n) % (2 * n);
    if (k >= n) k = 2 * n - 1 - k;
    return k;
  };
  const cols = Int32Array.from({ length: Wp }, (_, x) => mirror(x - p, width));
  for (let y = 0; y < Hp; y++) {
    const row = mirror(y - p, height) * width;
    for (let x = 0; x < Wp; x++) out[y * Wp + x] = s[row + cols[x]];
  }
  return out;
}

/** |fft(g, n)(k)|² of g = [−1 1] as conj(Ĝ)·Ĝ: (cos θ − 1)² + sin²θ, θ = 2πk/n. */
export function gradientOtfSquared(k: number, n: number): number {
  const [c, s] = unitRoot(k, n);
  const re = c - 1, im = -s;
  return re * re + im * im;
}

/** The low-pass and high-pass parts of an image (row-major, float64). */
export interface TwoScale { low: Float64Array; high: Float64Array }

/**
 * SPORCO `lowpass(s, λ, npad)`: s_l = crop(real(ifft2(fft2(pad(s)) ./ A))), s_h = s − s_l, with
 * A = 1 + λ·|Ĝ_r|² + λ·|Ĝ_c|² on the padded grid (see the module comment).
 */
export function tikhonovLowpass(s: Float64Array, width: number, height: number, lambda = 5, npad = 16): TwoScale {
  if (s.length !== width * height) throw new RangeError(`tikhonovLowpass: ${s.length} samples for a ${width}×${height} image`);
  const Wp = width + 2 * npad, Hp = height + 2 * npad;
  const fft = new RealFft2(Wp, Hp);
  const Wh = fft.halfWidth;
  const A = new Float64Array(fft.spectrumLength);
  const gr = Float64Array.from({ length: Wh }, (_, v) => gradientOtfSquared(v, Wp));
  for (let u = 0; u < Hp; u++) {
    const gc = gradientOtfSquared(u, Hp);
    for (let v = 0; v < Wh; v++) A[u * Wh + v] = 1 + lambda * gr[v] + lambda * gc;
  }
  const sp = padSymmetric(s, width, height, npad);
  const slp = new Float64Array(sp.length);
  fft.solveDiagonal(sp, A, new Float64Array(fft.spectrumLength), new Float64Array(fft.spectrumLength), slp);
  const low = new Float64Array(width * height), high = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      low[i] = slp[(y + npad) * Wp + x + npad];
      high[i] = s[i] - low[i];
    }
  }
  return { low, high };
}
