/**
 * Discrete Fourier transforms for the frequency-domain fusion metrics (Qcb, Qcv): a complex DFT
 * of any length — iterative radix-2 for powers of two, Bluestein's chirp-z algorithm otherwise
 * (X[k] = conj(w[k]) · Σ_j (x[j] conj(w[j])) w[k − j], w[j] = e^{iπj²/N}, the convolution done
 * with radix-2 transforms of length ≥ 2N − 1) — and the 2-D transform as rows then columns,
 * all in float64:
 *
 *   X[k] = Σ_{j=0}^{N−1} x[j] e^{−2πi jk/N}   (forward),   x[j] = (1/N) Σ_k X[k] e^{+2πi jk/N}   (inverse)
 *
 * MATLAB's fft2/ifft2 (FFTW) compute the same sums; the results agree to rounding (~1e-15
 * relative), far below what the metrics print.
 */

interface Plan { n: number; m: number; wr: Float64Array; wi: Float64Array; br: Float64Array; bi: Float64Array; ar: Float64Array; ai: Float64Array }

const plans = new Map<number, Plan>();

function isPow2(n: number): boolean { return (n & (n - 1)) === 0; }

/** cos/sin of −2πk/n for k < n/2, per power-of-two size (computed once). */
const twiddles = new Map<number, { c: Float64Array; s: Float64Array }>();
function twiddleFor(n: number): { c: Float64Array; s: Float64Array } {
  let t = twiddles.get(n);
  if (!t) {
    const half = n >> 1;
    t = { c: new Float64Array(half), s: new Float64Array(half) };
    for (let k = 0; k < half; k++) { t.c[k] = Math.cos((2 * Math.PI * k) / n); t.s[k] = -Math.sin((2 * Math.PI * k) / n); }
    twiddles.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 FFT (n a power of two); `sign` −1 forward, +1 inverse (unscaled). */
function radix2(re: Float64Array, im: Float64Array, n: number, sign: number): void {
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  const tw = twiddleFor(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let k = 0; k < half; k++) {
      const c = tw.c[k * step];
      const s = sign < 0 ? tw.s[k * step] : -tw.s[k * step];
      for (let i = k; i < n; i += len) {
        const j = i + half;
        const xr = re[j] * c - im[j] * s;
        const xi = re[j] * s + im[j] * c;
        re[j] = re[i] - xr; im[j] = im[i] - xi;
        re[i] += xr; im[i] += xi;
      }
    }
  }
}

function planFor(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // j² mod 2n keeps the angle small (exact in float64 for the sizes used here)
    const a = (Math.PI * ((j * j) % (2 * n))) / n;
    wr[j] = Math.cos(a);
    wi[j] = Math.sin(a);
  }
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  br[0] = wr[0]; bi[0] = wi[0];
  for (let j = 1; j < n; j++) { br[j] = br[m - j] = wr[j]; bi[j] = bi[m - j] = wi[j]; }
  radix2(br, bi, m, -1);
  p = { n, m, wr, wi, br, bi, ar: new Float64Array(m), ai: new Float64Array(m) };
  plans.set(n, p);
  return p;
}

/**
 * In-place DFT of one complex sequence of any length (`inverse`: the inverse, scaled by 1/N).
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError(`fft: re has ${n} values, im ${im.length}`);
  if (n <= 1) return;
  const sign = inverse ? 1 : -1;
  if (isPow2(n)) {
    radix2(re, im, n, sign);
  } else {
    const p = planFor(n);
    const { ar, ai } = p; // scratch, reused (single-threaded)
    ar.fill(0, n);
    ai.fill(0, n);
    // a[j] = x[j] · conj(w[j]) (forward) or x[j] · w[j] (inverse: conjugate everything)
    for (let j = 0; j < n; j++) {
      const wi = sign * p.wi[j];
      ar[j] = re[j] * p.wr[j] - im[j] * wi;
      ai[j] = re[j] * wi + im[j] * p.wr[j];
    }
    radix2(ar, ai, p.m, -1);
    for (let k = 0; k < p.m; k++) {
      // multiply by B = DFT(b), b = w (forward) or conj(w) (inverse); conj(w) ↔ conj of B mirrored
      const brk = p.br[k];
      const bik = inverse ? -p.bi[(p.m - k) % p.m] : p.bi[k];
      const brr = inverse ? p.br[(p.m - k) % p.m] : brk;
      const xr = ar[k] * brr - ai[k] * bik;
      const xi = ar[k] * bik + ai[k] * brr;
      ar[k] = xr; ai[k] = xi;
    }
    radix2(ar, ai, p.m, 1);
    for (let k = 0; k < n; k++) {
      const cr = ar[k] / p.m;
      const ci = ai[k] / p.m;
      const wi = sign * p.wi[k];
      re[k] = cr * p.wr[k] - ci * wi;
      im[k] = cr * wi + ci * p.wr[k];
    }
  }
  if (inverse) for (let k = 0; k < n; k++) { re[k] /= n; im[k] /= n; }
}

/** In-place 2-D DFT of a row-major `h × w` complex array: every row, then every column. */
export function fft2(re: Float64Array, im: Float64Array, w: number, h: number, inverse = false): void {
  const rr = new Float64Array(w);
  const ri = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) { rr[x] = re[o + x]; ri[x] = im[o + x]; }
    fft(rr, ri, inverse);
    for (let x = 0; x < w; x++) { re[o + x] = rr[x]; im[o + x] = ri[x]; }
  }
  const cr = new Float64Array(h);
  const ci = new Float64Array(h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) { cr[y] = re[y * w + x]; ci[y] = im[y * w + x]; }
    fft(cr, ci, inverse);
    for (let y = 0; y < h; y++) { re[y * w + x] = cr[y]; im[y * w + x] = ci[y]; }
  }
}

/**
 * MATLAB `freqspace(N)` frequency of DFT bin k after `ifftshift`: the signed bin (k, or k − N
 * for k ≥ N − ⌊N/2⌋) times 2/N. `ifft2(ifftshift(fftshift(fft2(x)) .* S))` with S built on
 * `freqspace` grids is therefore x filtered by S evaluated at these frequencies.
 */
export function binFrequency(k: number, n: number): number {
  const signed = k >= n - Math.floor(n / 2) ? k - n : k;
  return (signed * 2) / n;
}

/**
 * Real part of ifft2(fft2(x) .* H) for a real `h × w` image and a real transfer function given
 * as H(fx, fy) of the {@link binFrequency} of each column bin (fx) and row bin (fy).
 */
export function filterInFrequency(x: ArrayLike<number>, w: number, h: number, H: (fx: number, fy: number) => number): Float64Array {
  const re = Float64Array.from(x as ArrayLike<number>);
  const im = new Float64Array(w * h);
  fft2(re, im, w, h);
  const fx = Float64Array.from({ length: w }, (_, k) => binFrequency(k, w));
  for (let y = 0; y < h; y++) {
    const fy = binFrequency(y, h);
    for (let xk = 0; xk < w; xk++) {
      const g = H(fx[xk], fy);
      re[y * w + xk] *= g;
      im[y * w + xk] *= g;
    }
  }
  fft2(re, im, w, h, true);
  return re;
}

/**
 * {@link filterInFrequency} of two real images at once: x₁ + i·x₂ is transformed once, and since
 * H is real and even (H(f) = H(−f)) the inverse's real part is x₁ filtered and its imaginary part
 * x₂ filtered. `x2` may be omitted (then only x₁).
 */
export function filterPairInFrequency(x1: ArrayLike<number>, x2: ArrayLike<number> | undefined, w: number, h: number, H: (fx: number, fy: number) => number): [Float64Array, Float64Array | undefined] {
  const re = Float64Array.from(x1 as ArrayLike<number>);
  const im = x2 ? Float64Array.from(x2 as ArrayLike<number>) : new Float64Array(w * h);
  fft2(re, im, w, h);
  const fx = Float64Array.from({ length: w }, (_, k) => binFrequency(k, w));
  for (let y = 0; y < h; y++) {
    const fy = binFrequency(y, h);
    for (let xk = 0; xk < w; xk++) {
      const g = H(fx[xk], fy);
      re[y * w + xk] *= g;
      im[y * w + xk] *= g;
    }
  }
  fft2(re, im, w, h, true);
  return [re, x2 ? im : undefined];
}

/** Filters any number of real images, two per complex transform ({@link filterPairInFrequency}). */
export function filterManyInFrequency(xs: ArrayLike<number>[], w: number, h: number, H: (fx: number, fy: number) => number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < xs.length; i += 2) {
    const [a, b] = filterPairInFrequency(xs[i], xs[i + 1], w, h, H);
    out.push(a);
    if (b) out.push(b);
  }
  return out;
}
