/**
 * The discrete Fourier transform of any length, in float64, for batches of equal-length signals:
 *
 *   X[k] = Σ_{j=0}^{n−1} x[j]·e^{−2πi·jk/n}          (forward, unnormalised, as MATLAB `fft`)
 *   x[j] = (1/n)·Σ_{k=0}^{n−1} X[k]·e^{+2πi·jk/n}     (inverse, as MATLAB `ifft`)
 *
 * Algorithm: a self-sorting mixed-radix Cooley–Tukey FFT (Stockham autosort, decimation in
 * frequency; radix-4, 2, 3 and 5 butterflies written out, any other small prime as a direct
 * p-point DFT), and for lengths with a prime factor above {@link MAX_DIRECT_RADIX} Bluestein's
 * chirp-z algorithm (Bluestein 1970; X[k] = c̄ₖ·Σⱼ (xⱼc̄ⱼ)·c_{k−j}, c_m = e^{iπm²/n}, the
 * convolution done by a 2^a·3^b·5^c-length FFT of the padded sequences). Twiddle factors are
 * evaluated directly (no recurrences), after an exact reduction of the angle to [0, π/4], so each
 * is within an ulp or two of e^{−2πik/n}; the transforms are accurate to a few ·1e-16 × log n
 * relative to the signal's norm (tested against a direct DFT in `test/fft/fft.test.ts`).
 *
 * Layout: split real/imaginary `Float64Array`s; a batch of `batch` signals of length n is stored
 * element-major, signal innermost: sample j of signal c at `j·batch + c` (so the columns of a
 * row-major H×W image are a batch of W signals of length H, transformed without a transpose).
 *
 * Candidates checked on npm (2026-12): `fft.js`, `ml-fft`, `fft-js`, `webfft` (powers of two
 * only), `kissfft-js`, `kissfft-wasm`, `@echogarden/pffft-wasm` (float32), `ndarray-fft` (float64,
 * any length, but Bluestein for every non-power-of-two and unmaintained since 2015) — none gives
 * float64 mixed radix for 768 = 2⁸·3 or 619 (prime), hence this small implementation.
 */

/** Largest prime done as a direct butterfly; lengths with a larger prime factor use Bluestein. */
export const MAX_DIRECT_RADIX = 13;

/** cos and sin of 2π·k/n, with k reduced exactly to an angle in [0, π/4] first. */
export function unitRoot(k: number, n: number): [number, number] {
  // angle = 2π·u/D with D = 8n; the reductions use D/2, D/4, D/8, all integers.
  const D = 8 * n;
  let u = (8 * (k % n) + D) % D;
  let sinSign = 1, cosSign = 1, swap = false;
  if (2 * u > D) { u = D - u; sinSign = -1; }           // θ → 2π − θ
  if (4 * u > D) { u = D / 2 - u; cosSign = -1; }       // θ → π − θ
  if (8 * u > D) { u = D / 4 - u; swap = true; }        // θ → π/2 − θ
  const a = (2 * Math.PI * u) / D;
  let c = Math.cos(a), s = Math.sin(a);
  if (8 * u === D) c = s = Math.SQRT1_2; // θ = π/4: one value for both
  if (swap) { const t = c; c = s; s = t; }
  return [cosSign * c, sinSign * s];
}

/** The butterfly constants: sin(2π/3) for radix 3; cos and sin of 2π/5 and 4π/5 for radix 5. */
const SIN_2PI_3 = Math.sqrt(3) / 2;
const COS_2PI_5 = Math.cos((2 * Math.PI) / 5), COS_4PI_5 = Math.cos((4 * Math.PI) / 5);
const SIN_2PI_5 = Math.sin((2 * Math.PI) / 5), SIN_4PI_5 = Math.sin((4 * Math.PI) / 5);

/** Prime factors of n, in increasing order, with multiplicity. */
export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (let p = 2; p * p <= m; p++) while (m % p === 0) { out.push(p); m /= p; }
  if (m > 1) out.push(m);
  return out;
}

/** Radices of the Stockham stages: 4s first, then at most one 2, then the odd primes. */
function radicesOf(n: number): number[] {
  const f = primeFactors(n);
  const twos = f.filter((p) => p === 2).length;
  const out: number[] = Array(Math.floor(twos / 2)).fill(4);
  if (twos % 2) out.push(2);
  out.push(...f.filter((p) => p !== 2));
  return out;
}

/** The smallest 2^a·3^b·5^c ≥ n. */
export function smoothLength(n: number): number {
  let best = Infinity;
  for (let a = 1; a < 2 * n + 2; a *= 2) for (let b = a; b < 2 * n + 2; b *= 3) for (let c = b; c < 2 * n + 2; c *= 5) if (c >= n && c < best) best = c;
  return best;
}

interface Stage {
  radix: number;
  /** Signal length at this stage (n divided by the radices before it). */
  len: number;
  /** len / radix. */
  m: number;
  /** Product of the radices before this stage (the twiddle index step: W_len^{pj} = ω_n^{pj·s}). */
  s: number;
}

interface Bluestein {
  M: number;
  inner: FftPlan;
  /** c̄ⱼ = e^{−iπj²/n}, j < n. */
  chirpRe: Float64Array;
  chirpIm: Float64Array;
  /** FFT_M of b (bⱼ = c_j for |j| < n, circularly), divided by M. */
  kernRe: Float64Array;
  kernIm: Float64Array;
}

/**
 * A DFT of one length n, reusable for any number of calls and batch sizes (scratch buffers grow
 * as needed and are kept).
 */
export class FftPlan {
  readonly n: number;
  private readonly stages: Stage[] = [];
  /** ω_n^k = cos(2πk/n) − i·sin(2πk/n): `cos[k]`, `sin[k]` (sin with a plus sign). */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Direct butterfly matrices cos/sin(2π·jk/p) per odd radix p > 3. */
  private readonly dft = new Map<number, { c: Float64Array; s: Float64Array }>();
  private readonly blue?: Bluestein;
  private sRe = new Float64Array(0);
  private sIm = new Float64Array(0);

  constructor(n: number) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`FftPlan: length must be a positive integer, got ${n}`);
    this.n = n;
    const radices = radicesOf(n);
    if (radices.some((p) => p > MAX_DIRECT_RADIX)) {
      this.cos = new Float64Array(0);
      this.sin = new Float64Array(0);
      this.blue = makeBluestein(n);
      return;
    }
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let k = 0; k < n; k++) [this.cos[k], this.sin[k]] = unitRoot(k, n);
    let len = n, s = 1;
    for (const radix of radices) {
      this.stages.push({ radix, len, m: len / radix, s });
      if (radix > 5 && !this.dft.has(radix)) {
        const c = new Float64Array(radix * radix), sn = new Float64Array(radix * radix);
        for (let j = 0; j < radix; j++) for (let k = 0; k < radix; k++) [c[j * radix + k], sn[j * radix + k]] = unitRoot(j * k, radix);
        this.dft.set(radix, { c, s: sn });
      }
      len /= radix;
      s *= radix;
    }
  }

  /** Forward DFT, in place, of `batch` signals (layout: sample j of signal c at j·batch + c). */
  forward(re: Float64Array, im: Float64Array, batch = 1): void {
    this.check(re, im, batch);
    if (this.blue) { this.bluestein(re, im, batch); return; }
    this.stockham(re, im, batch);
  }

  /**
   * Inverse DFT, in place, normalised by 1/n. Uses ifft(x) = swap(fft(swap(x)))/n, swap(a + ib)
   * = b + ia: the forward transform run on the arrays passed the other way round.
   */
  inverse(re: Float64Array, im: Float64Array, batch = 1, normalise = true): void {
    this.forward(im, re, batch);
    if (!normalise) return;
    const k = 1 / this.n, L = this.n * batch;
    for (let i = 0; i < L; i++) { re[i] *= k; im[i] *= k; }
  }

  /**
   * The plan's tables in one array, for the native CBPDN kernel (native/csc_kernels.cc), which
   * runs the same butterflies from them (so no other cos/sin enters and the bits are the same):
   * [n, kind, sin(2π/3), cos(2π/5), cos(4π/5), sin(2π/5), sin(4π/5), then for kind 0 (mixed radix)
   * the stage count, the radices, cos[n], sin[n], the count of direct-DFT radices and per radix
   * p, its cos[p²], sin[p²]; for kind 1 (Bluestein) M, c̄ (re[n], im[n]), the kernel (re[M],
   * im[M]) and the inner plan packed].
   */
  pack(): Float64Array {
    const out: number[] = [this.n, this.blue ? 1 : 0, SIN_2PI_3, COS_2PI_5, COS_4PI_5, SIN_2PI_5, SIN_4PI_5];
    const push = (a: Float64Array) => { for (let i = 0; i < a.length; i++) out.push(a[i]); };
    if (this.blue) {
      const b = this.blue;
      out.push(b.M);
      push(b.chirpRe); push(b.chirpIm); push(b.kernRe); push(b.kernIm);
      push(b.inner.pack());
    } else {
      out.push(this.stages.length, ...this.stages.map((st) => st.radix));
      push(this.cos); push(this.sin);
      out.push(this.dft.size);
      for (const [p, { c, s }] of this.dft) { out.push(p); push(c); push(s); }
    }
    return Float64Array.from(out);
  }

  private check(re: Float64Array, im: Float64Array, batch: number): void {
    const L = this.n * batch;
    if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`FftPlan(${this.n}): batch must be a positive integer, got ${batch}`);
    if (re.length < L || im.length < L) throw new RangeError(`FftPlan(${this.n}): arrays of ${re.length}/${im.length} samples, need ${L} (batch ${batch})`);
  }

  private scratch(L: number): void {
    if (this.sRe.length < L) { this.sRe = new Float64Array(L); this.sIm = new Float64Array(L); }
  }

  private stockham(re: Float64Array, im: Float64Array, batch: number): void {
    const L = this.n * batch;
    if (this.stages.length === 0) return; // n = 1
    this.scratch(L);
    let xr = re, xi = im, yr = this.sRe, yi = this.sIm;
    for (const st of this.stages) {
      // Input index q + sb·(p + k·m), output q + sb·(radix·p + j), q < sb = s·batch.
      const sb = st.s * batch;
      switch (st.radix) {
        case 4: this.radix4(st, sb, xr, xi, yr, yi); break;
        case 2: this.radix2(st, sb, xr, xi, yr, yi); break;
        case 3: this.radix3(st, sb, xr, xi, yr, yi); break;
        case 5: this.radix5(st, sb, xr, xi, yr, yi); break;
        default: this.radixP(st, sb, xr, xi, yr, yi);
      }
      let t = xr; xr = yr; yr = t;
      t = xi; xi = yi; yi = t;
    }
    if (xr !== re) { re.set(xr.subarray(0, L)); im.set(xi.subarray(0, L)); }
  }

  private radix2(st: Stage, sb: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s } = st;
    const cs = this.cos, sn = this.sin;
    for (let p = 0; p < m; p++) {
      const wr = cs[p * s], wi = -sn[p * s];
      const i0 = sb * p, i1 = sb * (p + m), o0 = sb * 2 * p, o1 = o0 + sb;
      for (let q = 0; q < sb; q++) {
        const ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q];
        yr[o0 + q] = ar + br; yi[o0 + q] = ai + bi;
        const dr = ar - br, di = ai - bi;
        yr[o1 + q] = dr * wr - di * wi; yi[o1 + q] = dr * wi + di * wr;
      }
    }
  }

  private radix3(st: Stage, sb: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s } = st;
    const cs = this.cos, sn = this.sin;
    const h = SIN_2PI_3;
    for (let p = 0; p < m; p++) {
      const w1r = cs[p * s], w1i = -sn[p * s], w2r = cs[2 * p * s], w2i = -sn[2 * p * s];
      const i0 = sb * p, i1 = sb * (p + m), i2 = sb * (p + 2 * m), o0 = sb * 3 * p, o1 = o0 + sb, o2 = o1 + sb;
      for (let q = 0; q < sb; q++) {
        const ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q], cr = xr[i2 + q], ci = xi[i2 + q];
        const tr = br + cr, ti = bi + ci;
        const ur = ar - 0.5 * tr, ui = ai - 0.5 * ti;
        // −i·(√3/2)·(b − c)
        const vr = h * (bi - ci), vi = -h * (br - cr);
        yr[o0 + q] = ar + tr; yi[o0 + q] = ai + ti;
        const b1r = ur + vr, b1i = ui + vi, b2r = ur - vr, b2i = ui - vi;
        yr[o1 + q] = b1r * w1r - b1i * w1i; yi[o1 + q] = b1r * w1i + b1i * w1r;
        yr[o2 + q] = b2r * w2r - b2i * w2i; yi[o2 + q] = b2r * w2i + b2i * w2r;
      }
    }
  }

  private radix4(st: Stage, sb: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s } = st;
    const cs = this.cos, sn = this.sin;
    for (let p = 0; p < m; p++) {
      const w1r = cs[p * s], w1i = -sn[p * s], w2r = cs[2 * p * s], w2i = -sn[2 * p * s], w3r = cs[3 * p * s], w3i = -sn[3 * p * s];
      const i0 = sb * p, i1 = sb * (p + m), i2 = sb * (p + 2 * m), i3 = sb * (p + 3 * m);
      const o0 = sb * 4 * p, o1 = o0 + sb, o2 = o1 + sb, o3 = o2 + sb;
      for (let q = 0; q < sb; q++) {
        const ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q];
        const cr = xr[i2 + q], ci = xi[i2 + q], dr = xr[i3 + q], di = xi[i3 + q];
        const t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
        const t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di;
        // b0 = t0 + t2, b2 = t0 − t2, b1 = t1 − i·t3, b3 = t1 + i·t3
        yr[o0 + q] = t0r + t2r; yi[o0 + q] = t0i + t2i;
        const b1r = t1r + t3i, b1i = t1i - t3r, b2r = t0r - t2r, b2i = t0i - t2i, b3r = t1r - t3i, b3i = t1i + t3r;
        yr[o1 + q] = b1r * w1r - b1i * w1i; yi[o1 + q] = b1r * w1i + b1i * w1r;
        yr[o2 + q] = b2r * w2r - b2i * w2i; yi[o2 + q] = b2r * w2i + b2i * w2r;
        yr[o3 + q] = b3r * w3r - b3i * w3i; yi[o3 + q] = b3r * w3i + b3i * w3r;
      }
    }
  }

  /**
   * Radix 5: with a₁ ± a₄, a₂ ± a₃ and the constants cos(2π/5), cos(4π/5), sin(2π/5), sin(4π/5)
   * (the 5-point DFT written out, 4 real multiplications per real/imaginary part).
   */
  private radix5(st: Stage, sb: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s } = st;
    const cs = this.cos, sn = this.sin;
    const c1 = COS_2PI_5, c2 = COS_4PI_5, s1 = SIN_2PI_5, s2 = SIN_4PI_5;
    for (let p = 0; p < m; p++) {
      const w1r = cs[p * s], w1i = -sn[p * s], w2r = cs[2 * p * s], w2i = -sn[2 * p * s];
      const w3r = cs[3 * p * s], w3i = -sn[3 * p * s], w4r = cs[4 * p * s], w4i = -sn[4 * p * s];
      const i0 = sb * p, i1 = sb * (p + m), i2 = sb * (p + 2 * m), i3 = sb * (p + 3 * m), i4 = sb * (p + 4 * m);
      const o0 = sb * 5 * p, o1 = o0 + sb, o2 = o1 + sb, o3 = o2 + sb, o4 = o3 + sb;
      for (let q = 0; q < sb; q++) {
        const ar = xr[i0 + q], ai = xi[i0 + q];
        const b1r = xr[i1 + q], b1i = xi[i1 + q], b2r = xr[i2 + q], b2i = xi[i2 + q];
        const b3r = xr[i3 + q], b3i = xi[i3 + q], b4r = xr[i4 + q], b4i = xi[i4 + q];
        const s14r = b1r + b4r, s14i = b1i + b4i, d14r = b1r - b4r, d14i = b1i - b4i;
        const s23r = b2r + b3r, s23i = b2i + b3i, d23r = b2r - b3r, d23i = b2i - b3i;
        // Y1 = a + c1·s14 + c2·s23 − i(s1·d14 + s2·d23),  Y4 = its + i counterpart
        // Y2 = a + c2·s14 + c1·s23 − i(s2·d14 − s1·d23),  Y3 likewise
        const t1r = ar + c1 * s14r + c2 * s23r, t1i = ai + c1 * s14i + c2 * s23i;
        const t2r = ar + c2 * s14r + c1 * s23r, t2i = ai + c2 * s14i + c1 * s23i;
        const u1r = s1 * d14r + s2 * d23r, u1i = s1 * d14i + s2 * d23i;
        const u2r = s2 * d14r - s1 * d23r, u2i = s2 * d14i - s1 * d23i;
        yr[o0 + q] = ar + s14r + s23r; yi[o0 + q] = ai + s14i + s23i;
        const y1r = t1r + u1i, y1i = t1i - u1r, y4r = t1r - u1i, y4i = t1i + u1r;
        const y2r = t2r + u2i, y2i = t2i - u2r, y3r = t2r - u2i, y3i = t2i + u2r;
        yr[o1 + q] = y1r * w1r - y1i * w1i; yi[o1 + q] = y1r * w1i + y1i * w1r;
        yr[o2 + q] = y2r * w2r - y2i * w2i; yi[o2 + q] = y2r * w2i + y2i * w2r;
        yr[o3 + q] = y3r * w3r - y3i * w3i; yi[o3 + q] = y3r * w3i + y3i * w3r;
        yr[o4 + q] = y4r * w4r - y4i * w4i; yi[o4 + q] = y4r * w4i + y4i * w4r;
      }
    }
  }

  /**
   * Any other radix P: y_j = W^{pj}·Σ_k ω_P^{jk}·a_k, accumulated one coefficient at a time over
   * the whole run of sb samples (so the inner loop is long and contiguous when sb is).
   */
  private radixP(st: Stage, sb: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { radix: P, m, s } = st;
    const cs = this.cos, sn = this.sin;
    const { c: dc, s: ds } = this.dft.get(P)!;
    for (let p = 0; p < m; p++) {
      for (let j = 0; j < P; j++) {
        const o = sb * (P * p + j);
        // k = 0 initialises the output run
        const i0 = sb * p;
        for (let q = 0; q < sb; q++) { yr[o + q] = xr[i0 + q]; yi[o + q] = xi[i0 + q]; }
        for (let k = 1; k < P; k++) {
          const c = dc[j * P + k], d = -ds[j * P + k];
          const ik = sb * (p + k * m);
          for (let q = 0; q < sb; q++) {
            const a = xr[ik + q], b = xi[ik + q];
            yr[o + q] += a * c - b * d;
            yi[o + q] += a * d + b * c;
          }
        }
        if (p === 0 || j === 0) continue;
        const t = p * j * s;
        const wr = cs[t], wi = -sn[t];
        for (let q = 0; q < sb; q++) {
          const a = yr[o + q], b = yi[o + q];
          yr[o + q] = a * wr - b * wi; yi[o + q] = a * wi + b * wr;
        }
      }
    }
  }

  private bluestein(re: Float64Array, im: Float64Array, batch: number): void {
    const b = this.blue!;
    const n = this.n, M = b.M;
    const L = M * batch;
    this.scratch(L);
    const ar = this.sRe, ai = this.sIm;
    ar.fill(0, 0, L); ai.fill(0, 0, L);
    for (let j = 0; j < n; j++) {
      const cr = b.chirpRe[j], ci = b.chirpIm[j];
      for (let c = 0; c < batch; c++) {
        const x = re[j * batch + c], y = im[j * batch + c];
        ar[j * batch + c] = x * cr - y * ci;
        ai[j * batch + c] = x * ci + y * cr;
      }
    }
    b.inner.forward(ar, ai, batch);
    for (let k = 0; k < M; k++) {
      const kr = b.kernRe[k], ki = b.kernIm[k];
      for (let c = 0; c < batch; c++) {
        const i = k * batch + c, x = ar[i], y = ai[i];
        ar[i] = x * kr - y * ki;
        ai[i] = x * ki + y * kr;
      }
    }
    b.inner.inverse(ar, ai, batch, false);
    for (let j = 0; j < n; j++) {
      const cr = b.chirpRe[j], ci = b.chirpIm[j];
      for (let c = 0; c < batch; c++) {
        const i = j * batch + c, x = ar[i], y = ai[i];
        re[i] = x * cr - y * ci;
        im[i] = x * ci + y * cr;
      }
    }
  }
}

/** Bluestein's tables for length n: the chirp c̄ⱼ = e^{−iπj²/n} and the transformed kernel. */
function makeBluestein(n: number): Bluestein {
  const M = smoothLength(2 * n - 1);
  const inner = new FftPlan(M);
  const chirpRe = new Float64Array(n), chirpIm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // e^{−iπj²/n} = ω_{2n}^{j²}; j² mod 2n is exact in integers.
    const [c, s] = unitRoot((j * j) % (2 * n), 2 * n);
    chirpRe[j] = c; chirpIm[j] = -s;
  }
  const kernRe = new Float64Array(M), kernIm = new Float64Array(M);
  kernRe[0] = chirpRe[0]; kernIm[0] = -chirpIm[0];
  for (let j = 1; j < n; j++) {
    kernRe[j] = kernRe[M - j] = chirpRe[j];
    kernIm[j] = kernIm[M - j] = -chirpIm[j];
  }
  inner.forward(kernRe, kernIm);
  for (let k = 0; k < M; k++) { kernRe[k] /= M; kernIm[k] /= M; }
  return { M, inner, chirpRe, chirpIm, kernRe, kernIm };
}

const plans = new Map<number, FftPlan>();
/** A cached plan of length n (plans are cheap to keep: two tables of n doubles). */
export function fftPlan(n: number): FftPlan {
  let p = plans.get(n);
  if (!p) { p = new FftPlan(n); plans.set(n, p); }
  return p;
}
