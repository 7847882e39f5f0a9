/**
 * Linear filtering of real images in the frequency domain by a real, even transfer function:
 *
 *   x' = real(ifft2(fft2(x) · H)),   H(f_x, f_y) = H(−f_x, f_y) = H(f_x, −f_y)
 *
 * with H evaluated at MATLAB `freqspace` frequencies of each DFT bin ({@link binFrequency}), i.e.
 * what `ifft2(ifftshift(fftshift(fft2(x)) .* S))` computes for S built on `freqspace` grids (the
 * frequency-domain fusion metrics Qcb and Qcv of VIFB, lib/metrics/qcb.ts, qcv.ts). Since x is
 * real and H even, the product is Hermitian, so the half spectrum of {@link RealFft2} carries it
 * and the inverse's real part is the whole result.
 */
import { RealFft2 } from './rfft2.js';

/**
 * MATLAB `freqspace(N)` frequency of DFT bin k after `ifftshift`: the signed bin (k, or k − N
 * for k ≥ N − ⌊N/2⌋) times 2/N.
 */
export function binFrequency(k: number, n: number): number {
  const signed = k >= n - Math.floor(n / 2) ? k - n : k;
  return (signed * 2) / n;
}

/**
 * Each real `h × w` image of `xs` (row-major) filtered by the real, even transfer function
 * H(fx, fy) of the {@link binFrequency} of each column bin (fx) and row bin (fy) (see module doc).
 * Returns new arrays; the inputs are not modified.
 */
export function filterRealInFrequency(xs: ArrayLike<number>[], w: number, h: number, H: (fx: number, fy: number) => number): Float64Array[] {
  const fft = new RealFft2(w, h);
  const wh = fft.halfWidth;
  const gain = new Float64Array(fft.spectrumLength);
  const fx = Float64Array.from({ length: wh }, (_, v) => binFrequency(v, w));
  for (let u = 0; u < h; u++) {
    const fy = binFrequency(u, h);
    for (let v = 0; v < wh; v++) gain[u * wh + v] = H(fx[v], fy);
  }
  const re = new Float64Array(fft.spectrumLength);
  const im = new Float64Array(fft.spectrumLength);
  return xs.map((x) => {
    if (x.length !== w * h) throw new RangeError(`filterRealInFrequency: image of ${x.length} values, expected ${w}×${h}`);
    const out = Float64Array.from(x);
    fft.forward(out, re, im);
    for (let i = 0; i < gain.length; i++) { re[i] *= gain[i]; im[i] *= gain[i]; }
    fft.inverse(re, im, out);
    return out;
  });
}
